/**
 * Files of a run folder, written by one process at a time (run_lock.ts). Every whole-file write is atomic (temp
 * file + rename), so a run killed at any instant leaves each file either old or new, never half written;
 * generations.jsonl and run.log are append-only. No write follows a symbolic link: a run file that is one is
 * refused with one line (appends) or replaced by a plain file (whole-file writes), never written through.
 */
import { closeSync, constants, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmdirSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { LOCK_FILE, RunLock } from './run_lock.js';

export { readJsonFile, readJsonl, writeJsonAtomic } from '../core/json_file.js';

export const RUN_FILES = {
  manifest: 'manifest.json',
  generations: 'generations.jsonl',
  best: 'best.json',
  checkpoint: 'checkpoint.json',
  summary: 'summary.json',
  log: 'run.log',
  lock: LOCK_FILE,
} as const;

/** What resume did to generations.jsonl: records it trims are re-run; lines it could not read stay as they were. */
export interface GenerationsTrim {
  /** Records dropped because the checkpoint does not cover them (they are run again). */
  trimmed: number;
  /** 1-based numbers (in the file as it was) of lines that are not generation records, kept verbatim. */
  unreadable: number[];
  /** A last line cut short by a kill mid-write (no newline, not JSON): the one thing dropped unread. */
  tornTail: boolean;
}

function errorCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException).code;
}

function symlinkError(path: string): UsageError {
  return new UsageError(`${path} is a symbolic link; evometa writes only plain files in a run folder: replace it with a copy of the file it points to (cp --remove-destination TARGET ${path}) or remove it`);
}

/** A folder that cannot be made or read (a path under a file, no permission): one line, not a stack trace. */
function cannotUse(dir: string, e: unknown): Error {
  if (e instanceof UsageError) return e;
  return new UsageError(`cannot use ${dir} as a run folder (${(e as Error).message.split('\n')[0]}); choose a folder you can write`);
}

/** Opens `path` for writing without following a symbolic link in its place. */
function openNoFollow(path: string, flags: number): number {
  try {
    return openSync(path, flags | constants.O_WRONLY | constants.O_NOFOLLOW, 0o644);
  } catch (e) {
    if (errorCode(e) === 'ELOOP') throw symlinkError(path);
    throw e;
  }
}

function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text, 'utf8');
  for (let at = 0; at < buf.length; ) at += writeSync(fd, buf, at, buf.length - at);
}

/** Appends `text` to `path` (created if absent), refusing a symbolic link. */
function appendNoFollow(path: string, text: string): void {
  const fd = openNoFollow(path, constants.O_APPEND | constants.O_CREAT);
  try {
    writeAll(fd, text);
  } finally {
    closeSync(fd);
  }
}

/** Writes `text` to a fresh temp file (never through a link left at its name) and renames it over `path`. */
export function writeTextNoFollow(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    unlinkSync(tmp);
  } catch {
    /* none left by an earlier process with this pid */
  }
  const fd = openNoFollow(tmp, constants.O_CREAT | constants.O_EXCL);
  try {
    writeAll(fd, text);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdir never returns where mkdir(2) says ENOENT under an existing
 * parent (e.g. under /proc). A folder made meanwhile by another process is fine.
 */
function makeFolder(dir: string): void {
  const parent = dirname(dir);
  if (parent !== dir && !existsSync(parent)) makeFolder(parent);
  try {
    mkdirSync(dir);
  } catch (e) {
    if (errorCode(e) !== 'EEXIST' || !statSync(dir).isDirectory()) throw e;
  }
}

/** A line of generations.jsonl that is a generation record (an object with a numeric `generation`). */
function generationOf(line: string): number | null {
  try {
    const v: unknown = JSON.parse(line);
    const g = typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as { generation?: unknown }).generation : undefined;
    return typeof g === 'number' && Number.isFinite(g) ? g : null;
  } catch {
    return null;
  }
}

export class RunStore {
  private lock: RunLock | null = null;

  constructor(readonly dir: string) {}

  path(file: keyof typeof RUN_FILES): string {
    return join(this.dir, RUN_FILES[file]);
  }

  /**
   * Takes a new or empty folder for a new run, and its lock. A path that is a file, a folder holding a run, and a
   * folder holding anything else are refused (UsageError) without changing what is there.
   */
  createNew(): void {
    let created = false;
    try {
      if (!statSync(this.dir).isDirectory()) throw new UsageError(`--out ${this.dir} is a file, not a folder; choose a new or empty folder for the run`);
    } catch (e) {
      if (errorCode(e) !== 'ENOENT') throw cannotUse(this.dir, e);
      try {
        makeFolder(this.dir);
      } catch (m) {
        throw cannotUse(this.dir, m);
      }
      created = true;
    }
    this.takeLock();
    const found = readdirSync(this.dir).filter((f) => f !== LOCK_FILE);
    if (found.length === 0) return;
    this.release();
    if (created) rmdirSync(this.dir);
    if (found.includes(RUN_FILES.manifest))
      throw new UsageError(`${this.dir} already holds a run; continue it with \`evometa resume ${this.dir}\` or choose another --out`);
    const shown = found.sort().slice(0, 5).join(', ') + (found.length > 5 ? `, … (${found.length} entries)` : '');
    throw new UsageError(`${this.dir} is not empty and holds no evometa run (it has ${shown}); choose a new or empty folder for --out, so nothing in it is overwritten`);
  }

  /**
   * Takes the lock of the existing run folder before a resume writes it, and refuses run files that are symbolic
   * links (which a write would follow out of the folder or silently replace).
   */
  openExisting(): void {
    for (const file of Object.keys(RUN_FILES) as (keyof typeof RUN_FILES)[]) {
      try {
        if (lstatSync(this.path(file)).isSymbolicLink()) throw symlinkError(this.path(file));
      } catch (e) {
        if (errorCode(e) !== 'ENOENT') throw e;
      }
    }
    this.takeLock();
  }

  private takeLock(): void {
    this.lock = RunLock.acquire(this.dir, process.argv.slice(1).join(' '), (line) => this.log(line));
  }

  /** Gives the folder up to the next process (also done at process exit). */
  release(): void {
    this.lock?.release();
    this.lock = null;
  }

  write(file: 'manifest' | 'best' | 'checkpoint' | 'summary', value: unknown): void {
    writeTextNoFollow(this.path(file), JSON.stringify(value, null, 1) + '\n');
  }

  /** Appends one record; first checks that this process still holds the folder (and refreshes its heartbeat). */
  appendGeneration(record: object): void {
    this.lock?.heartbeat();
    appendNoFollow(this.path('generations'), JSON.stringify(record) + '\n');
  }

  /**
   * Drops the generation records the checkpoint does not cover (`generation` and later: they are run again), and a
   * torn last line. Every other line stays as it was, in place, including lines that cannot be read: resume never
   * deletes what it cannot read (the report skips such lines; a person may repair them). The file is rewritten
   * atomically, and only if something changes.
   */
  trimGenerations(generation: number): GenerationsTrim {
    const path = this.path('generations');
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      if (errorCode(e) === 'ENOENT') return { trimmed: 0, unreadable: [], tornTail: false };
      throw e;
    }
    const lines = text.split('\n');
    const last = lines.pop()!; // '' when the file ends with a newline
    const tornTail = last.trim() !== '' && generationOf(last) === null;
    if (!tornTail && last.trim() !== '') lines.push(last);
    const kept: string[] = [];
    const unreadable: number[] = [];
    let trimmed = 0;
    lines.forEach((line, i) => {
      const g = generationOf(line);
      if (g !== null && g >= generation) trimmed++;
      else {
        if (g === null && line.trim() !== '') unreadable.push(i + 1);
        kept.push(line);
      }
    });
    const next = kept.map((l) => l + '\n').join('');
    if (next !== text) writeTextNoFollow(path, next);
    return { trimmed, unreadable, tornTail };
  }

  log(message: string): void {
    appendNoFollow(this.path('log'), `${new Date().toISOString()} ${message}\n`);
  }
}
