/**
 * The settings of a search run. One table defines every option, so the CLI flags, `--config` files
 * and the manifest speak the same names (kebab-case in files and flags, e.g. "max-evals").
 */
import { availableParallelism } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { parseRedisUrl } from '../evaluator/queue/redis_url.js';
import { BACKEND_REQUESTS, type BackendRequest } from '../runtime/backend_names.js';

export interface RunConfig {
  genome: string;
  dim: number;
  task: string;
  strategy: string;
  x0: number | number[];
  /** 'random' (the genome kind's seeded random genome) or a genome file; overrides x0 when set. */
  init: string | null;
  sigma0: number;
  popsize: number | null;
  target: number | null;
  maxEvals: number | null;
  maxGenerations: number | null;
  seed: number;
  workers: number;
  backend: BackendRequest;
  timeoutMs: number;
  /** Heap limit of each worker thread in MB; absent: derived from the machine's memory and the worker count. */
  workerHeapMb?: number;
  /**
   * A Redis URL (redis:// or rediss://, password allowed): the jobs go to `evometa worker` processes through a BullMQ
   * queue instead of this process's threads. The manifest keeps it without its password.
   */
  redis?: string;
  /** Genomes per job for tasks with a population axis. */
  evalBatch: number;
  genomeConfig: Record<string, unknown>;
  taskConfig: Record<string, unknown>;
  strategyParams: Record<string, unknown>;
  /**
   * Plug-in modules (paths or package names) whose tasks, genome kinds and strategies the run may name,
   * beside the built-ins. A run's manifest holds them resolved (absolute file URLs or package names).
   */
  plugins: string[];
}

export type OptionKind = 'string' | 'int' | 'number' | 'vector' | 'json' | 'enum' | 'list';

/** One option of a command: its flag, type, range and help; the CLI's parser and help are generated from these. */
export interface OptionSpec<K extends string = keyof RunConfig> {
  /** The flag / config-file name. */
  flag: string;
  key: K;
  kind: OptionKind;
  help: string;
  min?: number;
  max?: number;
  /** Excluded lower bound (e.g. sigma0 > 0). */
  above?: number;
  choices?: readonly string[];
  /** How the value shows in help (`--out DIR`); default from the kind (N, X, NAME, LIST, JSON, the choices). */
  value?: string;
}

export const RUN_OPTIONS: readonly OptionSpec[] = [
  { flag: 'genome', key: 'genome', kind: 'string', help: "genome kind (default 'vector')" },
  { flag: 'dim', key: 'dim', kind: 'int', min: 1, max: 100000, help: 'dimension of a vector genome (default 10)' },
  { flag: 'task', key: 'task', kind: 'string', help: 'task to minimise (required)' },
  { flag: 'strategy', key: 'strategy', kind: 'string', help: "search strategy (default 'cmaes')" },
  { flag: 'x0', key: 'x0', kind: 'vector', value: 'X|LIST', help: 'start point: one number for every coordinate, or a comma list (default 0)' },
  { flag: 'init', key: 'init', kind: 'string', value: 'random|default|FILE', help: "start from 'random' (a seeded random genome of the kind), 'default' (the kind's default, e.g. ht-hparams) or a genome FILE; overrides --x0" },
  { flag: 'sigma0', key: 'sigma0', kind: 'number', value: 'S', above: 0, max: 1e30, help: 'initial step size (default 1)' },
  { flag: 'popsize', key: 'popsize', kind: 'int', min: 2, max: 1000000, help: "population size (default: the strategy's)" },
  { flag: 'target', key: 'target', kind: 'number', value: 'F', help: 'stop once the best fitness is <= this' },
  { flag: 'max-evals', key: 'maxEvals', kind: 'int', min: 1, max: 1e12, help: 'stop after this many evaluations' },
  { flag: 'max-generations', key: 'maxGenerations', kind: 'int', min: 1, max: 1e9, help: 'stop after this many generations' },
  { flag: 'seed', key: 'seed', kind: 'int', min: 0, max: 4294967295, help: 'run seed (default: drawn, then recorded)' },
  { flag: 'workers', key: 'workers', kind: 'int', min: 0, max: 256, help: 'worker threads; 0 evaluates inline (default: number of cores)' },
  { flag: 'backend', key: 'backend', kind: 'enum', choices: BACKEND_REQUESTS, value: 'NAME', help: 'TensorFlow.js backend (default auto)' },
  { flag: 'timeout-ms', key: 'timeoutMs', kind: 'number', value: 'MS', above: 0, max: 1e9, help: 'time limit per evaluation in ms (default 600000)' },
  { flag: 'worker-heap-mb', key: 'workerHeapMb', kind: 'int', value: 'MB', min: 16, max: 1048576, help: 'heap limit of each worker thread in MB, so a runaway evaluation fails alone (default: half the memory shared by the workers, 256 to 4096)' },
  { flag: 'redis', key: 'redis', kind: 'string', value: 'URL', help: 'evaluate on `evometa worker` processes through Redis at URL (redis://[:password@]host:port, rediss:// for TLS) instead of local threads' },
  { flag: 'eval-batch', key: 'evalBatch', kind: 'int', min: 1, max: 4096, help: 'genomes per job for tasks with a population axis (default 8)' },
  { flag: 'genome-config', key: 'genomeConfig', kind: 'json', help: 'genome kind settings as a JSON object' },
  { flag: 'task-config', key: 'taskConfig', kind: 'json', help: 'task settings as a JSON object, e.g. {"rotate":true}' },
  { flag: 'strategy-params', key: 'strategyParams', kind: 'json', help: 'strategy parameter overrides as a JSON object' },
  { flag: 'plugin', key: 'plugins', kind: 'list', help: 'a module (path or package name) adding tasks, genome kinds or strategies; repeatable (config file: "plugins": [...])' },
];

export function defaultRunConfig(): Omit<RunConfig, 'task' | 'seed'> {
  return {
    genome: 'vector',
    dim: 10,
    strategy: 'cmaes',
    x0: 0,
    init: null,
    sigma0: 1,
    popsize: null,
    target: null,
    maxEvals: null,
    maxGenerations: null,
    workers: availableParallelism(),
    backend: 'auto',
    timeoutMs: 600000,
    evalBatch: 8,
    genomeConfig: {},
    taskConfig: {},
    strategyParams: {},
    plugins: [],
  };
}

function rangeText(o: OptionSpec<string>): string {
  const parts: string[] = [];
  if (o.above !== undefined) parts.push(`> ${o.above}`);
  if (o.min !== undefined) parts.push(`>= ${o.min}`);
  if (o.max !== undefined) parts.push(`<= ${o.max}`);
  return parts.join(' and ');
}

function badValue(o: OptionSpec<string>, value: unknown, what: string): UsageError {
  const range = rangeText(o);
  return new UsageError(`--${o.flag} must be ${what}${range ? ` ${range}` : ''} (got ${JSON.stringify(value)})`);
}

/** A number written in decimal (sign, digits, fraction, exponent), as a flag or config file gives it. */
const DECIMAL = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function parseNumber(o: OptionSpec<string>, v: unknown, integer: boolean): number {
  const what = integer ? 'an integer' : 'a finite number';
  // Decimal text only: Number() would also read '0x10' as 16 and '1_0' as an error but '  7 ' as 7.
  if (typeof v === 'string' && !DECIMAL.test(v)) throw badValue(o, v, what);
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isFinite(n) || (integer && !Number.isInteger(n))) throw badValue(o, v, what);
  if ((o.min !== undefined && n < o.min) || (o.max !== undefined && n > o.max) || (o.above !== undefined && !(n > o.above)))
    throw badValue(o, v, what);
  return n;
}

/** Converts one raw value (a flag's text or a config file's JSON value) to the option's type. */
export function parseOptionValue(o: OptionSpec<string>, v: unknown): unknown {
  switch (o.kind) {
    case 'string':
      if (typeof v !== 'string' || v === '') throw new UsageError(`--${o.flag} needs a name (got ${JSON.stringify(v)})`);
      return v;
    case 'int':
      return parseNumber(o, v, true);
    case 'number':
      return parseNumber(o, v, false);
    case 'enum':
      if (typeof v !== 'string' || !o.choices!.includes(v))
        throw new UsageError(`--${o.flag} must be one of ${o.choices!.join(', ')} (got ${JSON.stringify(v)})`);
      return v;
    case 'vector': {
      const items = typeof v === 'string' ? v.split(',') : Array.isArray(v) ? v : [v];
      const nums = items.map((e) => (typeof e === 'string' && DECIMAL.test(e.trim()) ? Number(e) : e));
      if (nums.length === 0 || nums.some((e) => typeof e !== 'number' || !Number.isFinite(e)))
        throw new UsageError(`--${o.flag} must be a finite number or a comma-separated list of them (got ${JSON.stringify(v)})`);
      return nums.length === 1 ? nums[0] : nums;
    }
    case 'list': {
      const items = typeof v === 'string' ? [v] : v;
      if (!Array.isArray(items) || items.some((e) => typeof e !== 'string' || e.trim() === ''))
        throw new UsageError(`--${o.flag} must name a module (a path or a package name); in a config file "${o.key}" is an array of them (got ${JSON.stringify(v)})`);
      return items.slice();
    }
    case 'json': {
      let obj = v;
      if (typeof v === 'string') {
        try {
          obj = JSON.parse(v);
        } catch {
          throw new UsageError(`--${o.flag} must be a JSON object, e.g. '{"key": 1}' (got ${v})`);
        }
      }
      if (typeof obj !== 'object' || obj === null || Array.isArray(obj))
        throw new UsageError(`--${o.flag} must be a JSON object (got ${JSON.stringify(v)})`);
      return obj;
    }
  }
}

export function optionByFlag(flag: string): OptionSpec | undefined {
  const camel = flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  return RUN_OPTIONS.find((o) => o.flag === flag || o.key === camel);
}

/** Raw settings (flag or config-file names) to a full, checked RunConfig. */
export function resolveRunConfig(raw: Record<string, unknown>, drawSeed: () => number): RunConfig {
  const cfg: Record<string, unknown> = { ...defaultRunConfig() };
  for (const [name, value] of Object.entries(raw)) {
    const o = optionByFlag(name);
    if (!o) throw new UsageError(`unknown option '${name}'; valid options: ${RUN_OPTIONS.map((x) => x.flag).join(', ')}`);
    if (value === null && (o.key === 'target' || o.key === 'maxEvals' || o.key === 'maxGenerations' || o.key === 'popsize' || o.key === 'init')) {
      cfg[o.key] = null;
      continue;
    }
    cfg[o.key] = parseOptionValue(o, value);
  }
  if (cfg['task'] === undefined) throw new UsageError('--task is required (see `evometa list` for the tasks)');
  if (cfg['seed'] === undefined) cfg['seed'] = drawSeed();
  const c = cfg as unknown as RunConfig;
  if (Array.isArray(c.x0) && c.genome === 'vector' && c.x0.length !== c.dim)
    throw new UsageError(`--x0 has ${c.x0.length} numbers but --dim is ${c.dim}; give one number or ${c.dim}`);
  if (c.redis !== undefined) parseRedisUrl(c.redis);
  return c;
}

/** `init` values that name no file. */
const INIT_WORDS = ['random', 'default'];

/**
 * A config file's settings with its relative paths (`init`, `out`, and plug-ins given as ./ or ../ paths) taken
 * relative to the file's folder `dir`, so that a config file (final.warm.json, whose `init` is "final.json") works
 * from any current folder and moves with its folder.
 */
export function configFilePaths(raw: Record<string, unknown>, dir: string): Record<string, unknown> {
  const out = { ...raw };
  const file = (v: unknown): unknown => (typeof v === 'string' && v !== '' && !isAbsolute(v) ? join(dir, v) : v);
  if (typeof out['init'] === 'string' && !INIT_WORDS.includes(out['init'])) out['init'] = file(out['init']);
  if (out['out'] !== undefined) out['out'] = file(out['out']);
  for (const k of ['plugins', 'plugin'])
    if (Array.isArray(out[k])) out[k] = (out[k] as unknown[]).map((s) => (typeof s === 'string' && /^\.\.?[\\/]/.test(s) ? resolve(dir, s) : s));
  return out;
}
