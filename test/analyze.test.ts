import {describe, it} from 'node:test';
import assert from 'node:assert/strict';
import {groupAlerts} from '../source/analysis/alerts.js';
import type {MessageRow} from '../source/bus/types.js';

const none = {text: null, ms: null};

function alert(id: number, messageType: string | null, priority: number): MessageRow {
	return {
		id,
		senderId: 's',
		channel: 'operator_alerts',
		payload: {},
		createdAt: none,
		recipientId: null,
		messageType,
		priority,
		status: 'pending',
		projectId: null,
		taskId: null,
		activity: null,
		replyTo: null,
		expiresAt: none,
		deliveredAt: none,
		readAt: none,
	};
}

describe('groupAlerts', () => {
	it('groups by type, highest priority first, ties in code-unit order; in a group by priority, then newest', () => {
		const groups = groupAlerts([
			alert(1, 'task_conflict', 2),
			alert(2, 'file_conflict', 1),
			alert(3, 'file_conflict', 2),
			alert(4, 'Zeta', 2),
			alert(5, 'project_conflict', 3),
			alert(6, null, 0),
			alert(7, 'file_conflict', 2),
		]);
		assert.deepEqual(
			groups.map(group => [group.type, group.maxPriority]),
			[
				['project_conflict', 3],
				['Zeta', 2],
				['file_conflict', 2],
				['task_conflict', 2],
				['(untyped)', 0],
			],
		);
		assert.deepEqual(
			groups[2].alerts.map(item => item.id),
			[7, 3, 2],
		);
	});
});
