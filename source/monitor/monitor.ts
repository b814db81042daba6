import os from 'node:os';
import type Database from 'better-sqlite3';
import {BusError, explainSqliteError, fileIdentity, openReader} from '../bus/open.js';
import {NOT_A_BUS, NOT_A_BUS_WHY} from '../bus/schema.js';
import {SnapshotReader} from '../bus/reader.js';
import type {OpenLimits} from '../bus/statements.js';
import type {BusSnapshot, SessionRow} from '../bus/types.js';
import {type HostIdentity, type Liveness, LivenessProbe, type SessionIdentity, findAncestorSession} from '../processes/liveness.js';
import {type Analysis, analyze} from '../analysis/analyze.js';

/**
 * Bus -> snapshot -> liveness -> analysis, for one database. Both the printed
 * dashboard and the live one read through this; it never imports a view.
 */

export type MonitorOptions = {
	dbPath: string;
	staleTimeoutMs: number;
	sessionId: string | null;
	machineUuid: string | null;
	hostname?: string;
	/** The operator's id on the bus when no current session is known (default `operator`). */
	operator?: string;
	/** Keep rows between reads, re-reading only what changed (default true: the live loop). */
	reuseRows?: boolean;
	/** How many open alerts and unread messages to list (default LIMITS; the counts are exact whatever these are). */
	limits?: OpenLimits;
};

export type ReadOptions = {
	countHistory: boolean;
	now?: number;
	/** Ended sessions to list besides those always read (default none; Infinity: all), newest first. */
	endedSessions?: number;
};

export type Reading = {snapshot: BusSnapshot; analysis: Analysis};

function identity(row: SessionRow): SessionIdentity {
	return {rowid: row.rowid, pid: row.pid, hostname: row.hostname, machineUuid: row.machineUuid, registeredAtMs: row.registeredAt.ms};
}

export class BusMonitor {
	readonly options: MonitorOptions;
	readonly host: HostIdentity;
	readonly probe: LivenessProbe;
	private db: Database.Database | null = null;
	private reader: SnapshotReader | null = null;
	private openedIdentity: string | null = null;
	private lastDataVersion = -1;
	/** rowid -> [heartbeat text, first seen at]: a future heartbeat is fresh only for the stale timeout after we first saw it. */
	private heartbeatSeen = new Map<number, {text: string | null; at: number}>();
	/** The identities of the last snapshot's sessions, and the liveness the last analysis used. */
	private identities: {snapshot: BusSnapshot; list: SessionIdentity[]} | null = null;
	private lastLiveness = new Map<number, Liveness>();

	constructor(options: MonitorOptions) {
		this.options = options;
		this.host = {hostname: options.hostname ?? os.hostname(), machineUuid: options.machineUuid};
		this.probe = new LivenessProbe(this.host);
	}

	private ensureOpen(): SnapshotReader {
		const current = fileIdentity(this.options.dbPath);
		if (this.reader && current !== null && current === this.openedIdentity) return this.reader;
		this.close();
		// The identity taken before opening: should the file be replaced in between, the next check reopens.
		this.db = openReader(this.options.dbPath);
		this.openedIdentity = current;
		this.reader = new SnapshotReader(this.db, this.options.dbPath, {
			reuseRows: this.options.reuseRows ?? true,
			currentSessionId: this.options.sessionId,
			limits: this.options.limits,
		});
		this.lastDataVersion = -1;
		return this.reader;
	}

	/**
	 * Whether a refresh has anything new to read: another connection committed, or
	 * the file was replaced, deleted or came back. Costs a stat and a pragma.
	 */
	hasChanged(): boolean {
		const current = fileIdentity(this.options.dbPath);
		if (current === null || current !== this.openedIdentity || !this.reader) return true;
		return this.reader.dataVersion() !== this.lastDataVersion;
	}

	/** Whether the whole-history counts may differ from the last taken (the message table was written since, or unknown). */
	historyMayHaveChanged(): boolean {
		return this.reader?.historyMayHaveChanged ?? true;
	}

	/** Reads the bus (throws BusError when it cannot), checks liveness, analyses. */
	async read(options: ReadOptions): Promise<Reading> {
		const reader = this.ensureOpen();
		this.probe.prefetch();
		const now = options.now ?? Date.now();
		let snapshot: BusSnapshot;
		try {
			this.lastDataVersion = reader.dataVersion();
			snapshot = reader.read({
				now,
				staleTimeoutMs: this.options.staleTimeoutMs,
				countHistory: options.countHistory,
				endedSessions: options.endedSessions,
			});
		} catch (error) {
			// Corruption met on a page the open did not touch (or a lock): a BusError with its exit code, not a stack trace.
			throw explainSqliteError(error, this.options.dbPath) ?? error;
		}
		if (!snapshot.database.schema.isBus) throw new BusError('not-a-bus', `${this.options.dbPath} is ${NOT_A_BUS} (${NOT_A_BUS_WHY}).`);
		return {snapshot, analysis: await this.analyse(snapshot, now)};
	}

	/** Liveness and analysis again on the same snapshot (ages and PIDs change without a commit). */
	async analyse(snapshot: BusSnapshot, now = Date.now()): Promise<Analysis> {
		const identities = this.identitiesOf(snapshot);
		const liveness = await this.probe.check(identities);
		this.lastLiveness = liveness;
		return analyze(snapshot, {
			now,
			liveness,
			currentRowid: this.currentRowid(snapshot, identities),
			heartbeatFirstSeen: this.trackHeartbeats(snapshot, now),
			operator: this.options.operator,
		});
	}

	/** What the last analysis judged of each session: its liveness, and when its heartbeat was first seen (what `serve` sends). */
	lastJudgement(): {liveness: Map<number, Liveness>; heartbeatFirstSeen: Map<number, number>} {
		return {liveness: this.lastLiveness, heartbeatFirstSeen: new Map([...this.heartbeatSeen].map(([rowid, entry]) => [rowid, entry.at]))};
	}

	/** Whether a PID of the snapshot's sessions died, came back or was reused since the last analysis (a signal per local PID). */
	async livenessChanged(snapshot: BusSnapshot): Promise<boolean> {
		const liveness = await this.probe.check(this.identitiesOf(snapshot));
		for (const [rowid, now] of liveness) {
			const before = this.lastLiveness.get(rowid);
			if (!before || before.state !== now.state || before.processStartedAt !== now.processStartedAt) return true;
		}
		return liveness.size !== this.lastLiveness.size;
	}

	private identitiesOf(snapshot: BusSnapshot): SessionIdentity[] {
		if (this.identities?.snapshot !== snapshot)
			this.identities = {snapshot, list: snapshot.sessions.filter(row => row.status !== 'ended').map(identity)};
		return this.identities.list;
	}

	private currentRowid(snapshot: BusSnapshot, identities: SessionIdentity[]): number | null {
		if (this.options.sessionId !== null) {
			return snapshot.sessions.find(row => row.sessionId === this.options.sessionId)?.rowid ?? null;
		}
		return findAncestorSession(identities, this.host, this.probe.table);
	}

	private trackHeartbeats(snapshot: BusSnapshot, now: number): Map<number, number> {
		const seen = new Map<number, {text: string | null; at: number}>();
		// An ended session's state does not follow its heartbeat.
		for (const row of snapshot.sessions) {
			if (row.status === 'ended') continue;
			const previous = this.heartbeatSeen.get(row.rowid);
			seen.set(row.rowid, previous && previous.text === row.lastHeartbeat.text ? previous : {text: row.lastHeartbeat.text, at: now});
		}
		this.heartbeatSeen = seen;
		return new Map([...seen].map(([rowid, entry]) => [rowid, entry.at]));
	}

	close(): void {
		this.db?.close();
		this.db = null;
		this.reader = null;
		this.openedIdentity = null;
	}
}
