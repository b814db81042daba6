import type {JsonValue, MessageRow} from '../bus/types.js';
import {isOpenStatus} from '../bus/rules.js';
import {groupBy} from './group-by.js';

/**
 * Operator alerts: what each type means (one table), the sessions and resources a
 * payload names, and their grouping by type. Pure.
 */

export const PRIORITY_LABELS = ['low', 'normal', 'high', 'critical'] as const;

export function priorityLabel(priority: number): string {
	return PRIORITY_LABELS[priority] ?? (priority > 3 ? 'critical' : 'low');
}

/** The payload key that names each kind of resource, and its label. */
export const RESOURCE_KEYS = {project_id: 'Project', task_id: 'Task', cwd: 'CWD', file_path: 'File'} as const;
export type ResourceKey = keyof typeof RESOURCE_KEYS;

export type AlertType = {
	/** In words, for headings. */
	label: string;
	/** What the operator should do. */
	recommendation: string;
	/** The resource the alert is about, named first. */
	resource: ResourceKey;
};

/**
 * Every alert type the conflict detector publishes. Others may appear: they are shown
 * as they come, with the fallback recommendation.
 */
export const ALERT_TYPES: Record<string, AlertType> = {
	project_conflict: {label: 'Project conflict', recommendation: 'ensure non-overlapping tasks', resource: 'project_id'},
	task_conflict: {label: 'Task conflict', recommendation: 'one session should release the task', resource: 'task_id'},
	cwd_overlap: {label: 'Working directory overlap', recommendation: 'one session should work in a subdirectory', resource: 'cwd'},
	file_conflict: {
		label: 'File conflict',
		recommendation: 'one session should unlock the file before the other edits it',
		resource: 'file_path',
	},
};

export function alertType(type: string | null): AlertType | null {
	return type !== null && Object.hasOwn(ALERT_TYPES, type) ? ALERT_TYPES[type] : null;
}

export function recommendation(type: string): string {
	return alertType(type)?.recommendation ?? 'review the alert payload';
}

export function payloadObject(payload: JsonValue): {[key: string]: JsonValue} {
	return payload !== null && typeof payload === 'object' && !Array.isArray(payload) ? payload : {};
}

export function payloadString(payload: JsonValue, key: string): string | null {
	const value = payloadObject(payload)[key];
	if (value === undefined || value === null) return null;
	return typeof value === 'string' ? value : JSON.stringify(value);
}

export function alertSessions(alert: MessageRow): string[] {
	const sessions = payloadObject(alert.payload)['sessions'];
	if (Array.isArray(sessions)) return sessions.map(item => (typeof item === 'string' ? item : JSON.stringify(item)));
	return typeof sessions === 'string' ? [sessions] : [];
}

export type AlertResource = {label: (typeof RESOURCE_KEYS)[ResourceKey]; value: string};

/** The resources an alert names, the one its type is about first. */
export function alertResources(alert: MessageRow): AlertResource[] {
	const preferred = alertType(alert.messageType)?.resource;
	const keys = (Object.keys(RESOURCE_KEYS) as ResourceKey[]).sort((a, b) => Number(b === preferred) - Number(a === preferred));
	const resources: AlertResource[] = [];
	for (const key of keys) {
		const value = payloadString(alert.payload, key) ?? (key === 'project_id' ? alert.projectId : key === 'task_id' ? alert.taskId : null);
		if (value) resources.push({label: RESOURCE_KEYS[key], value});
	}
	return resources;
}

export function isOpen(message: MessageRow): boolean {
	return isOpenStatus(message.status);
}

export type AlertGroup = {type: string; maxPriority: number; alerts: MessageRow[]};

// Code-unit order for the few alert types: the same on every machine, and no locale
// collator to set up for one sort.
const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function groupAlerts(alerts: MessageRow[]): AlertGroup[] {
	return [...groupBy(alerts, alert => alert.messageType ?? '(untyped)').entries()]
		.map(([type, items]) => {
			const sorted = [...items].sort((a, b) => b.priority - a.priority || b.id - a.id);
			return {type, maxPriority: sorted[0].priority, alerts: sorted};
		})
		.sort((a, b) => b.maxPriority - a.maxPriority || byCodeUnits(a.type, b.type));
}
