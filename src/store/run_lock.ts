/**
 * One writer per run folder: `run.lock` names the process that writes the folder (pid, host, command, start), so a
 * second `search --out` or `resume` on it stops with one line naming that process instead of interleaving records.
 *
 * Why not a lock library (proper-lockfile): its lock is an empty directory judged stale by modification time alone,
 * refreshed by a timer on the event loop. It cannot say which process holds the folder, and an inline evaluation of
 * synchronous code (`--workers 0`) blocks that timer for minutes, after which a second process would take over a
 * live run. Here a lock on this host is stale only when its process is gone, so no timer can expire it.
 *
 * A stale lock (its process is gone from this host, or, for a lock from another host sharing the folder, its
 * heartbeat is older than LOCK_STALE_MS) is taken over with a line in run.log. The file appears whole (written
 * beside it, then hard-linked into place, which fails if a lock is there), and a take-over moves the stale file
 * aside first and checks it moved the one it judged, so two processes never both hold the folder.
 */
import { closeSync, constants, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UsageError } from '../core/errors.js';

export const LOCK_FILE = 'run.lock';
/** A lock held from another host is taken over once its heartbeat (the file's modification time) is this old. */
export const LOCK_STALE_MS = 30 * 60_000;
/** How often the holder refreshes its heartbeat, besides once per generation. */
export const LOCK_HEARTBEAT_MS = 60_000;

/** What run.lock holds. */
export interface LockOwner {
  pid: number;
  host: string;
  command: string;
  since: string;
  /** The process's start time on Linux (/proc/PID/stat), so a reused pid is not mistaken for the owner. */
  started: string | null;
  /** Unique per acquisition: tells this holder's file from a successor's. */
  token: string;
}

function errorCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException).code;
}

/** Field 22 of /proc/PID/stat (start time in clock ticks since boot); null off Linux or for a missing process. */
function processStart(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errorCode(e) === 'EPERM';
  }
}

function readOwner(path: string): LockOwner | null {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockOwner>;
    return typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.token === 'string' ? (v as LockOwner) : null;
  } catch {
    return null;
  }
}

function describe(o: LockOwner): string {
  return `pid ${o.pid} on ${o.host} (${o.command || 'evometa'}, since ${o.since})`;
}

/** Why a lock may be taken over, or null while its owner may still be running. */
function staleReason(o: LockOwner, path: string): string | null {
  if (o.host === hostname()) {
    if (!processAlive(o.pid)) return 'that process is no longer running';
    const now = processStart(o.pid);
    return o.started !== null && now !== null && now !== o.started ? 'that pid now belongs to another process' : null;
  }
  const age = Date.now() - statSync(path).mtimeMs;
  return age > LOCK_STALE_MS ? `no heartbeat for ${Math.round(age / 60_000)} min (limit ${LOCK_STALE_MS / 60_000} min)` : null;
}

/** Whether a live process holds run folder `dir` now (its run.lock is there and not stale): the run is being written. */
export function runLockHeld(dir: string): boolean {
  const path = join(dir, LOCK_FILE);
  const held = readOwner(path);
  if (held === null) return false;
  try {
    return staleReason(held, path) === null;
  } catch {
    return false;
  }
}

/** Locks this process holds: released at exit (also after process.exit), one listener for all. */
const heldLocks = new Set<RunLock>();
process.on('exit', () => {
  for (const lock of [...heldLocks]) lock.release();
});

export class RunLock {
  private released = false;
  private readonly timer: NodeJS.Timeout;

  private constructor(
    readonly path: string,
    readonly owner: LockOwner,
  ) {
    // A lost lock is reported by the next generation's heartbeat, not from this timer.
    this.timer = setInterval(() => this.held() && this.touch(), LOCK_HEARTBEAT_MS);
    this.timer.unref();
    heldLocks.add(this);
  }

  /**
   * Takes the lock of run folder `dir` (which must exist). A live holder is a UsageError naming it; a stale lock is
   * taken over and `log` gets one line saying whose and why.
   */
  static acquire(dir: string, command: string, log: (line: string) => void): RunLock {
    const path = join(dir, LOCK_FILE);
    const owner: LockOwner = { pid: process.pid, host: hostname(), command, since: new Date().toISOString(), started: processStart(process.pid), token: randomBytes(8).toString('hex') };
    for (let attempt = 0; attempt < 3; attempt++) {
      if (RunLock.tryCreate(path, owner)) return new RunLock(path, owner);
      const held = readOwner(path);
      if (held === null) {
        if (RunLock.gone(path)) continue;
        throw new UsageError(`${path} is unreadable, so it is unknown who writes ${dir}; if no evometa process uses that folder, delete ${path} and run again`);
      }
      const why = staleReason(held, path);
      if (why === null) throw new UsageError(`${dir} is in use by ${describe(held)}; wait for it to finish, or stop it and run again`);
      if (RunLock.takeOver(path, held)) log(`took over the run lock of ${describe(held)}: ${why}`);
    }
    throw new UsageError(`${dir}: another process took the run lock at the same time; run again`);
  }

  /** Writes the lock beside its place and links it in: it appears whole or not at all. */
  private static tryCreate(path: string, owner: LockOwner): boolean {
    const tmp = `${path}.${owner.token}`;
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
    try {
      writeSync(fd, JSON.stringify(owner) + '\n');
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(tmp, path);
      return true;
    } catch (e) {
      if (errorCode(e) !== 'EEXIST') throw e;
      return false;
    } finally {
      unlinkSync(tmp);
    }
  }

  private static gone(path: string): boolean {
    try {
      statSync(path);
      return false;
    } catch {
      return true;
    }
  }

  /** Moves the stale lock aside; if what moved is not the lock judged stale (a successor's), puts it back. */
  private static takeOver(path: string, judged: LockOwner): boolean {
    const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      renameSync(path, aside);
    } catch (e) {
      if (errorCode(e) === 'ENOENT') return false;
      throw e;
    }
    const moved = readOwner(aside);
    if (moved?.token !== judged.token) {
      try {
        linkSync(aside, path);
      } catch {
        /* a third process holds it now; its lock stands */
      }
      unlinkSync(aside);
      return false;
    }
    unlinkSync(aside);
    return true;
  }

  /** Whether run.lock still names this holder. */
  held(): boolean {
    return !this.released && readOwner(this.path)?.token === this.owner.token;
  }

  /**
   * Refreshes the heartbeat; a lock that another process took over (or that was deleted) is a UsageError, so this
   * process stops before it writes over a successor's records.
   */
  heartbeat(): void {
    if (this.released) return;
    if (!this.held()) {
      const now = readOwner(this.path);
      throw new UsageError(`${this.path} ${now ? `now names ${describe(now)}` : 'was removed'}; this process stopped writing the run folder, which only one process may write at a time`);
    }
    this.touch();
  }

  private touch(): void {
    const t = new Date();
    try {
      utimesSync(this.path, t, t);
    } catch {
      /* removed meanwhile: the next heartbeat says so */
    }
  }

  release(): void {
    if (this.released) return;
    clearInterval(this.timer);
    heldLocks.delete(this);
    try {
      if (this.held()) unlinkSync(this.path);
    } catch {
      /* already gone */
    }
    this.released = true;
  }
}
