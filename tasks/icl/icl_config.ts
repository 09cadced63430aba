/** Settings shared by the in-context regression tasks: the task distribution and how many tasks a score averages. */
import { configNumber, rejectUnknownKeys } from '../../src/core/config_checks.js';
import { ICL_TASK_DEFAULTS, type IclTaskOptions } from '../../src/data/linear_regression_icl.js';

export interface IclDataConfig {
  /** N: context pairs per task. */
  n: number;
  /** Tasks one evaluation averages the query loss over. */
  batchSize: number;
  /** α: x ~ U(−α, α); 1 in distribution. */
  inputRange: number;
  /** s: w ~ N(0, s²I); 1 in distribution. */
  weightScale: number;
  /**
   * Seed of one fixed batch of tasks that every evaluation scores (common random numbers, e.g. GD's learning
   * rate on a fixed meta-training set); null: fresh tasks from each evaluation's seed (meta-training on new tasks every step).
   */
  dataSeed: number | null;
}

export const ICL_DATA_KEYS = ['n', 'batchSize', 'inputRange', 'weightScale', 'dataSeed'] as const;

/** Reads the shared settings; `more` names the task's own keys, so an unknown key is reported with all valid ones. */
export function resolveIclDataConfig(raw: Record<string, unknown>, batchSize: number, more: readonly string[] = []): IclDataConfig {
  rejectUnknownKeys(raw, [...ICL_DATA_KEYS, ...more], 'task');
  const seed = raw['dataSeed'];
  return {
    n: configNumber(raw, 'n', ICL_TASK_DEFAULTS.n, { integer: true, min: 1, max: 4096 }),
    batchSize: configNumber(raw, 'batchSize', batchSize, { integer: true, min: 1, max: 1 << 20 }),
    inputRange: configNumber(raw, 'inputRange', ICL_TASK_DEFAULTS.inputRange, { min: 1e-6, max: 1e6 }),
    weightScale: configNumber(raw, 'weightScale', ICL_TASK_DEFAULTS.weightScale, { min: 1e-6, max: 1e6 }),
    dataSeed: seed === undefined || seed === null ? null : configNumber(raw, 'dataSeed', 0, { integer: true, min: 0, max: 2 ** 32 - 1 }),
  };
}

/** The data options of tasks of input width `nx` under these settings. */
export function iclTaskOptions(c: IclDataConfig, nx: number): IclTaskOptions {
  return { nx, n: c.n, inputRange: c.inputRange, weightScale: c.weightScale };
}

/** The seed of the tasks an evaluation scores. */
export const iclBatchSeed = (c: IclDataConfig, evaluationSeed: number): number => c.dataSeed ?? evaluationSeed;
