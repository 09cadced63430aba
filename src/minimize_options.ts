/**
 * The options of `minimize` and their checks in one place: a wrong argument is a TypeError that names it and
 * says what it takes; an unknown option is refused (a typo must not silently drop a budget).
 */
import type { Strategy } from './core/strategy.js';
import type { Bounds } from './core/types.js';
import type { GenerationRecord } from './store/run_records.js';
import type { BackendRequest } from './runtime/backend_names.js';
import { describeValue } from '../strategies/tell_input.js';

/** What `onGeneration` sees after each generation: the fields of the run's generations.jsonl line. */
export type GenerationInfo = Pick<GenerationRecord, 'generation' | 'evaluations' | 'bestFitness' | 'medianFitness' | 'bestSoFar' | 'sigma' | 'popsize' | 'failures' | 'elapsedMs'>;

export interface MinimizeOptions {
  /** A strategy name (built-in, or from `plugins`) or a strategy object (a function `f` only); default 'cmaes'. */
  strategy?: string | Strategy<any>;
  /** Run seed (an integer from 0 to 2³²−1); drawn when absent and returned in the result. */
  seed?: number;
  popsize?: number;
  /** Box bounds, one lower and one upper value per coordinate (±Infinity where free). */
  bounds?: Bounds;
  /** Strategy parameters (as `--strategy-params`), checked by the strategy. */
  params?: Record<string, unknown>;
  /** Stop after the generation in which some evaluation reaches f ≤ target. */
  target?: number;
  /** Stop once this many evaluations are spent (checked between generations, as the engine does). */
  maxEvals?: number;
  maxGenerations?: number;
  /** Stop after the generation during which this many milliseconds since the start have passed. */
  maxTime?: number;
  /** Called after each generation; returning false or 'stop' ends the run with stopReason {callback: 1}. */
  onGeneration?: (info: GenerationInfo) => boolean | 'stop' | void;
  /** Plug-in modules (paths, package names, file URLs) whose tasks and strategies may be named. */
  plugins?: readonly string[];
  /** Worker threads evaluating a task (default 0: inline); a function `f` cannot cross to a worker. */
  workers?: number;
  /** A task's run folder (default: a new folder under the system's temp folder). */
  runDir?: string;
  /** A task's genome kind (default 'vector') and its settings. */
  genome?: string;
  genomeConfig?: Record<string, unknown>;
  /** A task's settings (as `--task-config`). */
  taskConfig?: Record<string, unknown>;
  /** TensorFlow.js backend of the workers, for tasks that use it (default 'auto'). */
  backend?: BackendRequest;
  /** Time limit of one evaluation of a task, in ms. */
  timeoutMs?: number;
}

export const MINIMIZE_OPTION_KEYS: readonly (keyof MinimizeOptions)[] = [
  'strategy', 'seed', 'popsize', 'bounds', 'params', 'target', 'maxEvals', 'maxGenerations', 'maxTime', 'onGeneration',
  'plugins', 'workers', 'runDir', 'genome', 'genomeConfig', 'taskConfig', 'backend', 'timeoutMs',
];

/** Options that only a task (run by the engine in a run folder) takes. */
const TASK_ONLY: readonly (keyof MinimizeOptions)[] = ['runDir', 'genome', 'genomeConfig', 'taskConfig', 'backend', 'timeoutMs'];

function fail(what: string, needs: string, v: unknown): never {
  throw new TypeError(`minimize: ${what} must be ${needs} (got ${describeValue(v)})`);
}

const isInteger = (v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): boolean => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const isPlainObject = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumberArray = (v: unknown, n: number): boolean => Array.isArray(v) && v.length === n && v.every((e) => typeof e === 'number' && !Number.isNaN(e));

/** Throws a TypeError naming the first argument or option that is wrong. */
export function checkMinimizeArgs(f: unknown, x0: unknown, sigma0: unknown, o: unknown): asserts o is MinimizeOptions {
  if (typeof f !== 'function' && (typeof f !== 'string' || f === '')) fail('f', 'a function of a number array, or the name of a task', f);
  if (!Array.isArray(x0) || x0.length === 0 || !x0.every((v) => typeof v === 'number' && Number.isFinite(v))) fail('x0', 'a non-empty array of finite numbers', x0);
  if (typeof sigma0 !== 'number' || !Number.isFinite(sigma0) || sigma0 <= 0) fail('sigma0', 'a positive finite number', sigma0);
  if (!isPlainObject(o)) fail('options', 'an object', o);
  const opts = o as Record<string, unknown>;
  const unknown = Object.keys(opts).filter((k) => !(MINIMIZE_OPTION_KEYS as readonly string[]).includes(k));
  if (unknown.length > 0) throw new TypeError(`minimize: unknown option ${unknown.join(', ')}; valid options: ${MINIMIZE_OPTION_KEYS.join(', ')}`);
  const has = (k: keyof MinimizeOptions): boolean => opts[k] !== undefined;
  const n = x0.length;
  const s = opts['strategy'];
  if (has('strategy') && typeof s !== 'string' && !(isPlainObject(s) && ['init', 'ask', 'tell', 'stop'].every((m) => typeof (s as Record<string, unknown>)[m] === 'function')))
    fail('options.strategy', 'a strategy name or a strategy object (init, ask, tell, stop)', s);
  if (has('seed') && !isInteger(opts['seed'], 0, 2 ** 32 - 1)) fail('options.seed', 'an integer from 0 to 4294967295', opts['seed']);
  if (has('popsize') && !isInteger(opts['popsize'], 2)) fail('options.popsize', 'an integer ≥ 2', opts['popsize']);
  const b = opts['bounds'] as Record<string, unknown> | undefined;
  if (has('bounds') && !(isPlainObject(b) && isNumberArray(b!['lower'], n) && isNumberArray(b!['upper'], n)))
    fail('options.bounds', `{lower, upper}, each ${n} numbers (±Infinity where a coordinate is free)`, b);
  for (const k of ['params', 'genomeConfig', 'taskConfig'] as const) if (has(k) && !isPlainObject(opts[k])) fail(`options.${k}`, 'an object', opts[k]);
  if (has('target') && (typeof opts['target'] !== 'number' || Number.isNaN(opts['target']))) fail('options.target', 'a number', opts['target']);
  for (const k of ['maxEvals', 'maxGenerations'] as const) if (has(k) && !isInteger(opts[k], 1)) fail(`options.${k}`, 'a positive integer', opts[k]);
  for (const k of ['maxTime', 'timeoutMs'] as const)
    if (has(k) && !(typeof opts[k] === 'number' && Number.isFinite(opts[k]) && (opts[k] as number) > 0)) fail(`options.${k}`, 'a positive number of milliseconds', opts[k]);
  if (has('onGeneration') && typeof opts['onGeneration'] !== 'function') fail('options.onGeneration', 'a function', opts['onGeneration']);
  const plugins = opts['plugins'];
  if (has('plugins') && !(Array.isArray(plugins) && plugins.every((p) => typeof p === 'string' && p !== '')))
    fail('options.plugins', 'an array of module specifiers (paths, package names or file URLs)', plugins);
  if (has('workers') && !isInteger(opts['workers'], 0, 256)) fail('options.workers', 'an integer from 0 to 256', opts['workers']);
  for (const k of ['runDir', 'genome', 'backend'] as const) if (has(k) && (typeof opts[k] !== 'string' || opts[k] === '')) fail(`options.${k}`, 'a non-empty string', opts[k]);
  if (typeof f === 'function') {
    if (((opts['workers'] as number | undefined) ?? 0) > 0)
      throw new TypeError(
        "minimize: options.workers needs a task: a function cannot cross to a worker thread. Export it as a task from a plug-in module and pass its name, e.g. minimize('my-task', x0, sigma0, { plugins: ['./my_task.mjs'], workers: 4 })",
      );
    const taskOnly = TASK_ONLY.filter(has);
    if (taskOnly.length > 0) throw new TypeError(`minimize: option ${taskOnly.join(', ')} applies to a task run in a run folder; f here is a function (pass a task's name as f)`);
  } else if (has('strategy') && typeof s !== 'string') {
    throw new TypeError("minimize: a task's run folder records its strategy by name; export the strategy from a plug-in module and name it (options.plugins, options.strategy: 'its-name')");
  }
}
