/**
 * PID liveness for bus sessions: alive, dead, reused (the PID now belongs to a process
 * started after the session registered), remote (another machine: not checkable) or
 * no-pid (nothing usable to check).
 *
 * Cheap by design: "is a process there" (a stat of /proc/PID where /proc answers as kill
 * would, else `process.kill(pid, 0)`) costs microseconds, so it runs for every local PID on
 * every check. A full process-table scan is needed only for start times (PID reuse) and
 * parent links (the ancestor session); `LivenessProbe` does one only when a PID is new,
 * changed state, or the rescan interval has passed. On Linux the scan reads /proc itself;
 * elsewhere ps-list runs `ps` twice, in two child processes.
 *
 * No SQLite, ink or react here. Portable: ps-list drives `ps` on Linux and macOS.
 */
import fs from 'node:fs';
import psList from 'ps-list';

export type LivenessState = 'alive' | 'dead' | 'reused' | 'remote' | 'no-pid';

export type Liveness = {
	state: LivenessState;
	/** epoch ms the process holding the PID started, when known (alive or reused). */
	processStartedAt: number | null;
};

export type SessionIdentity = {
	rowid: number;
	pid: number | null;
	hostname: string | null;
	machineUuid: string | null;
	registeredAtMs: number | null;
};

export type HostIdentity = {hostname: string; machineUuid: string | null};

/** ps start times have 1 s resolution (and boot-time arithmetic can drift): allow slack. */
export const START_TIME_SLACK_MS = 5000;

/** Largest PID any supported kernel hands out (Linux pid_max limit is 2^22). */
const MAX_PID = 4194304;

/** A PID worth checking: a safe integer in 1..2^22. 0 and negatives would signal process groups. */
function isCheckablePid(pid: number | null | undefined): pid is number {
	return typeof pid === 'number' && Number.isSafeInteger(pid) && pid > 0 && pid <= MAX_PID;
}

function normaliseHostname(name: string): string {
	let n = name.trim().toLowerCase();
	if (n.endsWith('.')) n = n.slice(0, -1);
	if (n.endsWith('.local')) n = n.slice(0, -'.local'.length);
	return n;
}

/**
 * Whether a session was registered on this machine: same hostname (case-insensitive,
 * ignoring a trailing '.local' on either side), or the same machine UUID when both known.
 */
export function isThisHost(session: {hostname: string | null; machineUuid: string | null}, host: HostIdentity): boolean {
	if (session.machineUuid != null && host.machineUuid != null) {
		const a = session.machineUuid.trim().toLowerCase();
		const b = host.machineUuid.trim().toLowerCase();
		if (a !== '' && a === b) return true;
	}
	if (session.hostname != null && host.hostname) {
		const a = normaliseHostname(session.hostname);
		if (a !== '' && a === normaliseHostname(host.hostname)) return true;
	}
	return false;
}

/** Pure verdict from what was observed about a session's PID. */
export function judge(session: SessionIdentity, host: HostIdentity, probe: {exists: boolean; startedAt: number | null}): Liveness {
	if (!isCheckablePid(session.pid)) return {state: 'no-pid', processStartedAt: null};
	if (!isThisHost(session, host)) return {state: 'remote', processStartedAt: null};
	if (!probe.exists) return {state: 'dead', processStartedAt: null};
	const startedAt = probe.startedAt != null && Number.isFinite(probe.startedAt) ? probe.startedAt : null;
	const registeredAt = session.registeredAtMs != null && Number.isFinite(session.registeredAtMs) ? session.registeredAtMs : null;
	if (startedAt != null && registeredAt != null && startedAt > registeredAt + START_TIME_SLACK_MS) {
		return {state: 'reused', processStartedAt: startedAt};
	}
	return {state: 'alive', processStartedAt: startedAt};
}

/**
 * Whether /proc answers what kill(PID, 0) would: it is this PID namespace's (/proc/self is
 * this process) and shows every user's processes (no hidepid). Then a dead PID is told by a
 * missing /proc/PID, without the exception a failed kill throws (2-3x the cost of a stat).
 */
export function procfsAnswersKill(procRoot = '/proc', pid = process.pid): boolean {
	try {
		if (fs.readlinkSync(`${procRoot}/self`) !== String(pid)) return false;
		// The last mount on /proc is the one seen; its super options follow " - type source ".
		const mount = fs
			.readFileSync(`${procRoot}/self/mountinfo`, 'utf8')
			.split('\n')
			.filter(line => line.split(' ')[4] === '/proc')
			.at(-1);
		const options = mount?.split(' - ')[1]?.split(' ')[2];
		return options !== undefined && !/(?:^|,)hidepid=(?!(?:0|off)(?:,|$))/.test(options);
	} catch {
		return false;
	}
}

let procfs: boolean | undefined;

/** Is there a process with this PID? (EPERM: yes, someone else's.) Invalid PIDs: false. */
export function pidExists(pid: number): boolean {
	if (!isCheckablePid(pid)) return false;
	procfs ??= procfsAnswersKill();
	return procfs ? fs.existsSync(`/proc/${pid}`) : killFindsPid(pid);
}

/** kill(PID, 0)'s answer: a process is there (EPERM: someone else's). What the /proc check must agree with. */
export function killFindsPid(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException)?.code === 'EPERM';
	}
}

export type ProcessInfo = {pid: number; ppid: number; startedAt: number | null};
export type ProcessTable = Map<number, ProcessInfo>;

// The unit of /proc start times (USER_HZ): 100 on every Linux architecture Node runs on.
const USER_HZ = 100;

/**
 * Linux: the table from /proc, as `ps` reads it (start = boot time + starttime ticks), or
 * null when /proc cannot be read (not Linux, or mounted without it).
 */
export function readProcfsTable(procRoot = '/proc'): ProcessTable | null {
	let bootMs: number;
	let names: string[];
	try {
		const btime = /^btime (\d+)$/m.exec(fs.readFileSync(`${procRoot}/stat`, 'utf8'));
		if (!btime) return null;
		bootMs = Number(btime[1]) * 1000;
		names = fs.readdirSync(procRoot);
	} catch {
		return null;
	}
	const table: ProcessTable = new Map();
	for (const name of names) {
		if (!/^\d+$/.test(name)) continue;
		let stat: string;
		try {
			stat = fs.readFileSync(`${procRoot}/${name}/stat`, 'utf8');
		} catch {
			continue; // exited since the directory was listed
		}
		// The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		const pid = Number(name);
		const ppid = Number(fields[1]); // field 4
		const ticks = Number(fields[19]); // field 22: start time in ticks since boot
		table.set(pid, {
			pid,
			ppid: Number.isSafeInteger(ppid) ? ppid : 0,
			startedAt: Number.isFinite(ticks) ? bootMs + (ticks * 1000) / USER_HZ : null,
		});
	}
	return table;
}

/** Every process on this machine with its parent and start time. Never throws: empty on failure. */
export async function readProcessTable(): Promise<ProcessTable> {
	const fromProc = process.platform === 'linux' ? readProcfsTable() : null;
	if (fromProc) return fromProc;
	const table: ProcessTable = new Map();
	try {
		const list = await psList();
		for (const p of list) {
			if (!Number.isSafeInteger(p.pid) || p.pid <= 0) continue;
			const t = p.startTime instanceof Date ? p.startTime.getTime() : Number.NaN;
			table.set(p.pid, {
				pid: p.pid,
				ppid: Number.isSafeInteger(p.ppid) ? p.ppid : 0,
				startedAt: Number.isFinite(t) ? t : null,
			});
		}
	} catch {
		return new Map();
	}
	return table;
}

export type LivenessProbeOptions = {
	/** A full scan at least this often while local PIDs are watched. Default 60000. */
	rescanIntervalMs?: number;
	readTable?: () => Promise<ProcessTable>;
	now?: () => number;
};

export class LivenessProbe {
	private readonly host: HostIdentity;
	private readonly rescanIntervalMs: number;
	private readonly readTable: () => Promise<ProcessTable>;
	private readonly now: () => number;
	/** exists-state of each local PID at the last check. */
	private lastExists = new Map<number, boolean>();
	/** Whether each hostname and machine UUID pair is this machine's (asked for every session at every check). */
	private local = new Map<string, boolean>();
	private lastScanAt: number | null = null;
	private inFlight: Promise<void> | null = null;
	private _scans = 0;
	private _table: ProcessTable = new Map();

	constructor(host: HostIdentity, options: LivenessProbeOptions = {}) {
		this.host = host;
		this.rescanIntervalMs = options.rescanIntervalMs ?? 60_000;
		this.readTable = options.readTable ?? readProcessTable;
		this.now = options.now ?? Date.now;
	}

	/** Number of full scans done so far. */
	get scans(): number {
		return this._scans;
	}

	/** The last process table read (empty before the first scan). */
	get table(): ProcessTable {
		return this._table;
	}

	/**
	 * Liveness for each session, keyed by rowid. `process.kill(pid, 0)` per local PID on
	 * every call; a full scan only when a local PID is new, changed its exists-state since
	 * the last call, or the rescan interval has passed.
	 */
	async check(sessions: SessionIdentity[]): Promise<Map<number, Liveness>> {
		const exists = new Map<number, boolean>();
		for (const s of sessions) {
			if (!isCheckablePid(s.pid) || !this.isLocal(s)) continue;
			if (!exists.has(s.pid)) exists.set(s.pid, pidExists(s.pid));
		}

		let needScan = false;
		if (exists.size > 0) {
			// The interval's rescan is for PID reuse behind a live PID: a dead one that comes back is a change of its own.
			const due = this.lastScanAt == null || this.now() - this.lastScanAt >= this.rescanIntervalMs;
			if (due && (this.lastScanAt == null || [...exists.values()].some(Boolean))) needScan = true;
			for (const [pid, e] of exists) {
				if (this.lastExists.get(pid) !== e) {
					needScan = true;
					break;
				}
			}
		}
		// Remember only the PIDs watched now: a PID that leaves and comes back counts as new.
		this.lastExists = exists;
		if (needScan) await this.scan();

		const result = new Map<number, Liveness>();
		for (const s of sessions) {
			const pidOk = isCheckablePid(s.pid);
			const e = pidOk ? (exists.get(s.pid as number) ?? false) : false;
			const startedAt = pidOk && e ? (this._table.get(s.pid as number)?.startedAt ?? null) : null;
			result.set(s.rowid, judge(s, this.host, {exists: e, startedAt}));
		}
		return result;
	}

	/** isThisHost, remembered for each hostname and machine UUID pair. */
	private isLocal(session: SessionIdentity): boolean {
		const key = `${session.hostname ?? ''}\u0000${session.machineUuid ?? '\u0000'}`;
		let local = this.local.get(key);
		if (local === undefined) {
			if (this.local.size >= 10_000) this.local.clear();
			this.local.set(key, (local = isThisHost(session, this.host)));
		}
		return local;
	}

	/**
	 * Starts the first full scan now, without waiting: `ps` then runs while the
	 * caller reads the database, and the first check() finds it done or shares it.
	 */
	prefetch(): void {
		if (this.lastScanAt === null) void this.scan();
	}

	/** One full scan; concurrent callers share it. */
	private scan(): Promise<void> {
		if (!this.inFlight) {
			this.inFlight = (async () => {
				try {
					const table = await this.readTable();
					this._table = table instanceof Map ? table : new Map<number, ProcessInfo>();
				} catch {
					this._table = new Map();
				} finally {
					this._scans += 1;
					this.lastScanAt = this.now();
					this.inFlight = null;
				}
			})();
		}
		return this.inFlight;
	}
}

/**
 * The rowid of the session whose PID is this process or its nearest ancestor, or null.
 * Only sessions on this host count. A session at that PID whose process started well
 * after it registered (PID reuse) is skipped. Among several sessions on one PID, the
 * latest registration wins.
 */
export function findAncestorSession(
	sessions: SessionIdentity[],
	host: HostIdentity,
	table: ProcessTable,
	selfPid: number = process.pid,
): number | null {
	const byPid = new Map<number, SessionIdentity[]>();
	for (const s of sessions) {
		if (!isCheckablePid(s.pid) || !isThisHost(s, host)) continue;
		const list = byPid.get(s.pid);
		if (list) list.push(s);
		else byPid.set(s.pid, [s]);
	}
	if (byPid.size === 0) return null;

	const seen = new Set<number>();
	let pid: number | undefined = selfPid;
	while (pid != null && isCheckablePid(pid) && !seen.has(pid)) {
		seen.add(pid);
		const info = table.get(pid);
		const candidates = byPid.get(pid);
		if (candidates) {
			const startedAt = info?.startedAt ?? null;
			let best: SessionIdentity | null = null;
			for (const s of candidates) {
				if (judge(s, host, {exists: true, startedAt}).state === 'reused') continue;
				if (
					best == null ||
					(s.registeredAtMs ?? -Infinity) > (best.registeredAtMs ?? -Infinity) ||
					((s.registeredAtMs ?? -Infinity) === (best.registeredAtMs ?? -Infinity) && s.rowid > best.rowid)
				) {
					best = s;
				}
			}
			if (best) return best.rowid;
		}
		// Without a table entry for ourselves, Node still knows our parent.
		pid = info ? info.ppid : pid === process.pid ? process.ppid : undefined;
	}
	return null;
}
