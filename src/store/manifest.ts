/** manifest.json: what a run was (resolved config, seed, versions, backend, code commit), for replay and audit. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { UsageError } from '../core/errors.js';
import { readJsonFile } from '../core/json_file.js';
import { dirname, join } from 'node:path';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { RunConfig } from '../engine/run_config.js';

/** A budget raised by `resume`, kept in the manifest so the run's files say how it was run. */
export interface BudgetExtension {
  /** Generation at which the run was continued. */
  generation: number;
  maxGenerations: number | null;
  maxEvals: number | null;
  at: string;
}

export interface RunManifest {
  format: 'evometa-run';
  runId: string;
  createdAt: string;
  command: string;
  config: RunConfig;
  seed: number;
  versions: Record<string, string | null>;
  /** `used` is filled in by the first evaluation that loads TensorFlow.js; it stays null for tasks that need none. */
  /** `adapter`: the GPU that ran the webgpu backend. */
  backend: { requested: string; used: string | null; adapter?: string };
  git: { commit: string | null; dirty: boolean | null };
  host: { platform: string; arch: string; cpus: number };
  /** The resolved start vector (from --x0 or --init). */
  x0?: number[];
  /** Budgets raised by `resume`, in order. */
  extensions?: BudgetExtension[];
}

/** The manifest of the run in `dir`; a missing or damaged one is a UsageError naming the file. */
export function readManifest(dir: string): RunManifest {
  const path = join(dir, 'manifest.json');
  const m = readJsonFile(path, 'manifest') as RunManifest | null;
  if (typeof m !== 'object' || m === null || Array.isArray(m) || typeof m.config !== 'object' || m.config === null || Array.isArray(m.config))
    throw new UsageError(`manifest is damaged ('config' missing): ${path}`);
  // A manifest of another format (or a later version of this one) is refused; one without a format is read as this one.
  if (m.format !== undefined && m.format !== 'evometa-run')
    throw new UsageError(`manifest is not an evometa run manifest (format ${JSON.stringify(m.format)}, expected "evometa-run"): ${path}`);
  return m;
}

/**
 * The plug-ins a run was started with (resolved specifiers, in load order): what `resume` loads again.
 * Runs from before plug-ins existed record none.
 */
export function manifestPlugins(m: RunManifest): string[] {
  const p = (m.config as Partial<RunConfig>).plugins;
  if (p === undefined) return [];
  if (!Array.isArray(p) || p.some((s) => typeof s !== 'string'))
    throw new UsageError(`manifest is damaged ('config.plugins' is not a list of module specifiers): ${m.runId}`);
  return p;
}

/** The project root (where package.json lives), from dist/src/ or src/. */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

function packageVersion(name: string): string | null {
  const root = projectRoot();
  const file = name === 'evometa' ? join(root, 'package.json') : join(root, 'node_modules', name, 'package.json');
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { version?: string }).version ?? null;
  } catch {
    return null;
  }
}

const TRACKED_PACKAGES = ['evometa', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-backend-webgpu', 'webgpu', 'bullmq', 'piscina', 'seedrandom', 'mathjs', 'ml-matrix'];

function gitState(): RunManifest['git'] {
  const cwd = projectRoot();
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() !== '';
    return { commit, dirty };
  } catch {
    return { commit: null, dirty: null };
  }
}

export function buildManifest(config: RunConfig, runDir: string, command: string): RunManifest {
  const versions: Record<string, string | null> = { node: process.version };
  for (const p of TRACKED_PACKAGES) versions[p] = packageVersion(p);
  return {
    format: 'evometa-run',
    runId: runDir.split(/[\\/]/).filter(Boolean).pop() ?? runDir,
    createdAt: new Date().toISOString(),
    command,
    config,
    seed: config.seed,
    versions,
    backend: { requested: config.backend, used: null },
    git: gitState(),
    host: { platform: process.platform, arch: process.arch, cpus: availableParallelism() },
  };
}
