import fs from 'node:fs';

/**
 * Which pages of a WAL database were committed since the last read, from the frames
 * of its write-ahead log (format: https://www.sqlite.org/fileformat2.html#walformat).
 * SQLite keeps no change counter per table: without this, knowing that 5,000 locks did
 * not change takes a scan of them. A commit writes every page it changes to the log,
 * so the pages of the commits since the last read, mapped to their tables, say which
 * tables may have changed; the rest are known not to have.
 *
 * A frame counts only as SQLite's own recovery counts it: its salts are the log
 * header's and its checksum continues the chain; and only up to a commit frame (an
 * unfinished or rolled back transaction counts for nothing).
 *
 * The snapshot a read transaction takes is not known from outside SQLite, so a read
 * scans twice. Before the snapshot: every commit found then but the last one was
 * published before it (SQLite writers commit one at a time, and publish a commit
 * before the next one writes), so the next read resumes at the start of that last
 * commit, reading it again. (The wal-index in the -shm file says what is published,
 * but this process must not open that file: closing any descriptor of it drops the
 * POSIX locks SQLite holds on it.) After the snapshot: every commit the snapshot holds
 * is in the file, so the pages from where the next read will start to the end then are
 * a superset of what it holds. A log that restarted (new salts) or was truncated, before
 * or during a scan, makes the answer unknown for that read, never wrong. More than
 * `maxBytes` of frames to read at once (64 MB: a huge transaction, a log no checkpoint
 * could restart, or at the first read a log that long) are not followed: unknown until
 * the log restarts.
 */

const MAGIC = 0x377f0682; // | 1: big-endian checksums
const VERSION = 3007000;
const HEADER_BYTES = 32;
const FRAME_HEADER_BYTES = 24;

/** Where a scan resumes: a frame of one log generation (its salts), and the checksum chain before it. */
export type WalPosition = {salt1: number; salt2: number; frame: number; s0: number; s1: number};

type Scan = {
	/** The scan went on from the position it was given (same generation). */
	continued: boolean;
	/** Pages of the complete commits read. */
	pages: Set<number>;
	/** After the last complete commit read. */
	end: WalPosition;
	/**
	 * Where the next read must start: `end` when valid frames of a later transaction
	 * follow the last commit read (they continue its checksums, so it was published
	 * before they were written); else its start.
	 */
	resume: WalPosition;
};

/**
 * The log SQLite keeps for the database at `dbPath`: beside the file the path leads to,
 * symbolic links followed (as SQLite's unix VFS does), not beside a link to it.
 */
export function walPathOf(dbPath: string): string {
	try {
		return `${fs.realpathSync(dbPath)}-wal`;
	} catch {
		return `${dbPath}-wal`;
	}
}

/** SQLite's WAL checksum of `words` 32-bit words of `view` from `offset`, continuing s0, s1. */
function checksum(view: DataView, offset: number, words: number, littleEndian: boolean, sums: [number, number]): void {
	let [s0, s1] = sums;
	for (let at = offset, end = offset + words * 4; at < end; at += 8) {
		s0 = (s0 + view.getUint32(at, littleEndian) + s1) >>> 0;
		s1 = (s1 + view.getUint32(at + 4, littleEndian) + s0) >>> 0;
	}
	sums[0] = s0;
	sums[1] = s1;
}

export class WalWatch {
	readonly walPath: string;
	/** More bytes of frames than this to read at once are not followed (each read would scan them again): unknown until the log restarts. */
	private readonly maxBytes: number;
	/** The salts of a generation found too long to follow. */
	private tooLong: {salt1: number; salt2: number} | null = null;
	/** Where the next read's first scan starts (null: unknown, start of the log). */
	private next: WalPosition | null = null;
	private first: Scan | null = null;
	private candidate: WalPosition | null = null;
	private buffer = new Uint8Array(0);
	/** The last commit frame a scan read, to tell the copies that pad it from a later transaction. */
	private commitFrame = new Uint8Array(0);

	constructor(walPath: string, options: {maxBytes?: number} = {}) {
		this.walPath = walPath;
		this.maxBytes = options.maxBytes ?? 64 << 20;
	}

	/** The first scan: call before the read transaction takes its snapshot. */
	beforeSnapshot(): void {
		this.first = this.scan(this.next);
		this.candidate = null;
	}

	/**
	 * The second scan, once the snapshot is taken: the pages committed since the last
	 * read (or more), or null when that is not known.
	 */
	afterSnapshot(): Set<number> | null {
		const first = this.first;
		this.first = null;
		// From where the next read would start, not from first.end: a last commit never published
		// may since have been overwritten, and the chain past it with it.
		const second = first && this.scan(first.resume);
		if (!first || !second?.continued) return null;
		this.candidate = first.resume;
		if (!first.continued) return null;
		for (const page of second.pages) first.pages.add(page);
		return first.pages;
	}

	/** The read succeeded: the next one goes on from here. */
	readDone(): void {
		this.next = this.candidate;
		this.candidate = null;
	}

	/** Forget the position (the next read's answer is unknown). */
	reset(): void {
		this.next = this.candidate = this.first = null;
	}

	private read(fd: number, bytes: number, position: number): DataView {
		if (this.buffer.length < bytes) this.buffer = new Uint8Array(bytes);
		const got = fs.readSync(fd, this.buffer, 0, bytes, position);
		return new DataView(this.buffer.buffer, 0, got);
	}

	private scan(from: WalPosition | null): Scan | null {
		let fd: number;
		try {
			fd = fs.openSync(this.walPath, 'r');
		} catch {
			return null;
		}
		try {
			return this.scanFile(fd, from);
		} catch {
			return null;
		} finally {
			fs.closeSync(fd);
		}
	}

	private scanFile(fd: number, from: WalPosition | null): Scan | null {
		const header = this.read(fd, HEADER_BYTES, 0);
		if (header.byteLength < HEADER_BYTES) return null;
		const magic = header.getUint32(0);
		const pageSize = header.getUint32(8);
		if (
			(magic | 1) !== (MAGIC | 1) ||
			header.getUint32(4) !== VERSION ||
			pageSize < 512 ||
			pageSize > 65536 ||
			(pageSize & (pageSize - 1)) !== 0
		)
			return null;
		const littleEndian = (magic & 1) === 0;
		const sums: [number, number] = [0, 0];
		checksum(header, 0, 6, littleEndian, sums);
		if (sums[0] !== header.getUint32(24) || sums[1] !== header.getUint32(28)) return null;
		const salt1 = header.getUint32(16);
		const salt2 = header.getUint32(20);
		const continued = from !== null && from.salt1 === salt1 && from.salt2 === salt2;
		const start: WalPosition = continued ? from : {salt1, salt2, frame: 0, s0: sums[0], s1: sums[1]};
		sums[0] = start.s0;
		sums[1] = start.s1;

		if (this.tooLong?.salt1 === salt1 && this.tooLong.salt2 === salt2) return null;
		const headerBytes = new Uint8Array(header.buffer, 0, HEADER_BYTES).slice();

		const frameBytes = FRAME_HEADER_BYTES + pageSize;
		if (this.commitFrame.length !== frameBytes) this.commitFrame = new Uint8Array(frameBytes);
		/** The frame this scan last read a commit frame (or its copy) at: null before the first. */
		let commitFrameAt: number | null = null;
		const pages = new Set<number>();
		let commitPages: number[] = [];
		let end = start;
		let lastCommit = start;
		const chunk = Math.max(1, Math.floor((1 << 20) / frameBytes));
		const scanned = (): Scan | null => {
			// A log restarted or truncated while it was read ends the scan early: unknown, not "nothing".
			const again = this.read(fd, HEADER_BYTES, 0);
			if (again.byteLength < HEADER_BYTES || Buffer.compare(new Uint8Array(again.buffer, 0, HEADER_BYTES), headerBytes) !== 0) return null;
			return {continued, pages, end, resume: commitPages.length > 0 ? end : lastCommit};
		};
		for (let frame = start.frame; ;) {
			const view = this.read(fd, chunk * frameBytes, HEADER_BYTES + frame * frameBytes);
			const bytes = new Uint8Array(view.buffer, 0, view.byteLength);
			const whole = Math.floor(view.byteLength / frameBytes);
			for (let index = 0; index < whole; index++, frame++) {
				if ((frame - start.frame + 1) * frameBytes > this.maxBytes) {
					this.tooLong = {salt1, salt2};
					return null;
				}
				const at = index * frameBytes;
				if (view.getUint32(at + 8) !== salt1 || view.getUint32(at + 12) !== salt2) return scanned();
				checksum(view, at, 2, littleEndian, sums);
				checksum(view, at + FRAME_HEADER_BYTES, pageSize / 4, littleEndian, sums);
				if (sums[0] !== view.getUint32(at + 16) || sums[1] !== view.getUint32(at + 20)) return scanned();
				// A commit frame holds the database size after the commit; other frames 0.
				if (view.getUint32(at + 4) === 0) {
					commitPages.push(view.getUint32(at));
					continue;
				}
				const afterCommit = {salt1, salt2, frame: frame + 1, s0: sums[0], s1: sums[1]};
				// A synced commit with powersafe overwrite off is padded to the sector with copies of
				// its commit frame, published with it: part of that commit, not a later transaction
				// (which would prove it published). A real one-page copy only makes the next read start earlier.
				if (commitPages.length === 0 && commitFrameAt === frame - 1 && sameFrame(bytes, at, this.commitFrame, pageSize)) {
					end = afterCommit;
					commitFrameAt = frame;
					continue;
				}
				commitPages.push(view.getUint32(at));
				for (const page of commitPages) pages.add(page);
				commitPages = [];
				lastCommit = end;
				end = afterCommit;
				this.commitFrame.set(bytes.subarray(at, at + frameBytes));
				commitFrameAt = frame;
			}
			if (whole < chunk) return scanned();
		}
	}
}

/** Whether the frame at `at` in `bytes` has the page number, database size and page of `frame` (checksums and salts aside). */
function sameFrame(bytes: Uint8Array, at: number, frame: Uint8Array, pageSize: number): boolean {
	const page = FRAME_HEADER_BYTES;
	return (
		Buffer.compare(bytes.subarray(at, at + 8), frame.subarray(0, 8)) === 0 &&
		Buffer.compare(bytes.subarray(at + page, at + page + pageSize), frame.subarray(page, page + pageSize)) === 0
	);
}
