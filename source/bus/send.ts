import type Database from 'better-sqlite3';
import {cleanText} from '../text/sanitize.js';
import {BusError} from './open.js';
import {type BusSchema, hasColumn, hasV2Messages} from './schema.js';

/**
 * The operator's message to an agent (`m`): one v2 row on `coordination`. Names the
 * dashboard knows are escaped for display, so the row is addressed by the raw values
 * read again inside the write transaction (found by rowid or message id and checked
 * against what was shown): a hostile id is delivered to exactly that id.
 */

/** Who writes: the current session (by rowid), or the `operator` setting's id. */
export type Sender = {kind: 'session'; rowid: number; sessionId: string} | {kind: 'operator'; id: string};

/** To a registered session, or a reply to a message (its sender, `reply_to` its id). */
export type Recipient = {kind: 'session'; rowid: number; sessionId: string} | {kind: 'reply'; messageId: number; senderId: string};

export type SendRequest = {sender: Sender; to: Recipient; text: string; priority: number};

/** Why a bus without the v2 columns takes no message. */
export const NOT_ADDRESSABLE =
	'Not sent: this bus has no v2 message columns (recipient_id, message_type, ...), so no message can be addressed to an agent';

/** The new message's id and its recipient as shown; 'gone': the recipient (or replied-to message) is no longer as shown. */
export type SendResult = {id: number; recipientId: string} | 'gone';

type Raw = {id: unknown; project: unknown; uuid?: unknown};

function session(db: Database.Database, schema: BusSchema, rowid: number, shown: string): Raw | null {
	const uuid = hasColumn(schema, 'session_registry', 'session_uuid') ? 'session_uuid' : 'NULL';
	const project = hasColumn(schema, 'session_registry', 'project_id') ? 'project_id' : 'NULL';
	const row = db
		.prepare(`SELECT session_id AS id, ${project} AS project, ${uuid} AS uuid FROM session_registry WHERE rowid = ?`)
		.get(rowid) as Raw | undefined;
	return row && cleanText(row.id) === shown ? row : null;
}

/** The recipient's raw id and project: the session itself, or the replied-to message's sender (its project when registered). */
function recipient(db: Database.Database, schema: BusSchema, to: Recipient): Raw | null {
	if (to.kind === 'session') return session(db, schema, to.rowid, to.sessionId);
	const message = db.prepare(`SELECT sender_id AS id FROM session_messages WHERE id = ?`).get(to.messageId) as {id: unknown} | undefined;
	if (!message || cleanText(message.id) !== to.senderId) return null;
	const project = hasColumn(schema, 'session_registry', 'project_id') ? 'project_id' : 'NULL';
	const registered = db
		.prepare(`SELECT ${project} AS project FROM session_registry WHERE session_id = ? ORDER BY rowid DESC LIMIT 1`)
		.get(message.id) as {project: unknown} | undefined;
	return {id: message.id, project: registered?.project ?? null};
}

/** Inserts the message; run inside the writer's BEGIN IMMEDIATE transaction. */
export function insertMessage(db: Database.Database, schema: BusSchema, request: SendRequest, createdAt: string): SendResult {
	if (!hasV2Messages(schema)) {
		throw new BusError('unsupported', NOT_ADDRESSABLE);
	}
	const to = recipient(db, schema, request.to);
	const from = request.sender.kind === 'session' ? session(db, schema, request.sender.rowid, request.sender.sessionId) : null;
	if (!to || (request.sender.kind === 'session' && !from)) return 'gone';
	const values: Record<string, unknown> = {
		sender_id: from ? from.id : request.sender.kind === 'operator' ? request.sender.id : null,
		sender_session_uuid: from?.uuid ?? null,
		recipient_id: to.id,
		channel: 'coordination',
		message_type: 'request',
		payload: JSON.stringify({text: request.text}),
		priority: request.priority,
		status: 'pending',
		created_at: createdAt,
		project_id: to.project ?? null,
		reply_to: request.to.kind === 'reply' ? request.to.messageId : null,
	};
	// A value the row must carry needs its column; an empty one may go without.
	const lacking = Object.keys(values).filter(column => values[column] !== null && !hasColumn(schema, 'session_messages', column));
	if (lacking.length > 0) throw new BusError('unsupported', `Not sent: this bus's session_messages has no ${lacking.join(', ')} column.`);
	const columns = Object.keys(values).filter(column => hasColumn(schema, 'session_messages', column));
	const result = db
		.prepare(`INSERT INTO session_messages (${columns.join(', ')}) VALUES (${columns.map(column => `@${column}`).join(', ')})`)
		.run(Object.fromEntries(columns.map(column => [column, values[column]])));
	return {id: Number(result.lastInsertRowid), recipientId: cleanText(to.id) ?? ''};
}
