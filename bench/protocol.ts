/**
 * The evaluation protocol a benchmark run commits to before it starts: which data are meta-training, which are
 * meta-validation (the only numbers that may choose a point: a generation, a stage, a stopping time, a
 * hyperparameter) and which are test (scored once, on the chosen point). Each run writes it to `protocol.json` in
 * its folder, so a reader can check that no reported number was selected on the data it is reported on.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../src/core/json_file.js';

export interface SplitRecord {
  /** What the fitness (or training loss) reads. */
  metaTraining: unknown;
  /** What chooses among points; never trained on, never reported as the result. */
  metaValidation: unknown;
  /** Read once per chosen point, for the report only. */
  test: unknown;
}

export interface ProtocolRecord {
  bench: string;
  splits: SplitRecord;
  /** How the reported point is chosen, in words (e.g. "the stage-2 final point, fixed before the run"). */
  selection: string;
  /** Seeds of the reported trainings or evaluations. */
  seeds: number[];
  /** The command that reproduces the run. */
  command: string;
  /** Anything else the run fixed in advance (budgets, grids). */
  settings?: Record<string, unknown>;
}

/** Writes `<dir>/protocol.json` (atomically) with the date; returns its path. */
export function writeProtocol(dir: string, record: ProtocolRecord): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'protocol.json');
  writeJsonAtomic(path, { ...record, date: new Date().toISOString() });
  return path;
}

/** Two-sided 97.5 % quantiles of Student's t for 1…30 degrees of freedom (beyond: the normal 1.96). */
const T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

/**
 * Mean and the half-width of the 95 % confidence interval of the mean over independent seeds (Student's t, n − 1
 * degrees of freedom): with 3 seeds the normal 1.96 would understate the interval by a factor 2.2.
 */
export function seedInterval(values: readonly number[]): { mean: number; std: number; half: number; n: number } {
  const n = values.length;
  if (n === 0) throw new Error('seedInterval of an empty list');
  const mean = values.reduce((a, v) => a + v, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0;
  const t = n > 1 ? (T975[n - 2] ?? 1.96) : NaN;
  return { mean, std, half: n > 1 ? (t * std) / Math.sqrt(n) : NaN, n };
}
