/** The row `m` writes, as `SELECT *` reads it back: what every such row holds, and what this one was given. */
export function requestRow(row: {
	id: number;
	sender_id: string;
	sender_session_uuid: string | null;
	recipient_id: string;
	payload: string;
	priority: number;
	project_id: string | null;
	created_at: string;
	reply_to?: number;
}): Record<string, unknown> {
	return {
		id: row.id,
		sender_id: row.sender_id,
		channel: 'coordination',
		payload: row.payload,
		created_at: row.created_at,
		ttl_seconds: null,
		sender_session_uuid: row.sender_session_uuid,
		recipient_id: row.recipient_id,
		message_type: 'request',
		priority: row.priority,
		status: 'pending',
		project_id: row.project_id,
		task_id: null,
		activity: null,
		reply_to: row.reply_to ?? null,
		expires_at: null,
		delivered_at: null,
		read_at: null,
	};
}
