/**
 * Baselines of the orderings bench that get the searches' budget (the protocol of BENCHMARKS.md "orderings"):
 * - the source-ordering baseline tries every source domain's ordering and keeps the best by validation accuracy;
 * - the paper's gradient adaptation of the mixture logits (papers.md §3.3) gets its learning rate and number of steps
 *   tuned on validation, with as much compute as a search spends on its evaluations.
 * Compute is counted in image forward passes: one ordering evaluation (a head fit) passes `statsSamples` + train +
 * validation images forward once (its head steps run on cached features); one gradient step passes a batch forward
 * and backward, counted as 3 forward passes per image.
 */
import type * as tfjs from '@tensorflow/tfjs';
import type { LoadedModuleBank } from '../src/models/modular/module_bank.js';
import { evaluateTransfer, fitMixtureLogits, type TransferData, type TransferResult, type TransferSettings } from '../tasks/ordering/transfer.js';

type Tf = typeof tfjs;

export interface TransferCost {
  /** Images one ordering evaluation passes forward: statsSamples + train + validation. */
  evaluationImages: number;
  /** Images of one gradient step's batch. */
  batchSize: number;
}

/** Evaluation equivalents of `steps` gradient steps (forward + backward ≈ 3 forward passes per image). */
export function stepCost(steps: number, c: TransferCost): number {
  return (steps * 3 * c.batchSize) / c.evaluationImages;
}

export interface MixtureTuningPlan {
  learningRates: number[];
  /** Step budgets tried; one fit per learning rate runs to the last and is scored at each. */
  checkpoints: number[];
  /** Evaluation equivalents the plan spends: the fits' steps plus two scorings (mixture, argmax) per checkpoint. */
  cost: number;
}

export const MIXTURE_LEARNING_RATES = [0.01, 0.03, 0.1, 0.3];
export const MIXTURE_CHECKPOINTS = [25, 50, 100, 200, 400, 800, 1600];

/**
 * The largest prefix of `checkpoints` whose plan (every learning rate fitted to the last checkpoint, both forms scored
 * at each) costs at most `budget` evaluation equivalents. Throws when not even the first checkpoint fits.
 */
export function planMixtureTuning(budget: number, c: TransferCost, learningRates = MIXTURE_LEARNING_RATES, checkpoints = MIXTURE_CHECKPOINTS): MixtureTuningPlan {
  const costOf = (ks: number[]): number => learningRates.length * (stepCost(ks[ks.length - 1]!, c) + 2 * ks.length);
  let n = 0;
  while (n < checkpoints.length && costOf(checkpoints.slice(0, n + 1)) <= budget) n++;
  if (n === 0) throw new Error(`a budget of ${budget} evaluations cannot pay for ${learningRates.length} learning rates × ${checkpoints[0]} steps (${costOf(checkpoints.slice(0, 1)).toFixed(1)}); raise --evals`);
  const ks = checkpoints.slice(0, n);
  return { learningRates: learningRates.slice(), checkpoints: ks, cost: costOf(ks) };
}

export interface TunedMixture {
  learningRate: number;
  steps: number;
  /** Scored as the soft mixture itself or as its argmax ordering. */
  form: 'mixture' | 'argmax';
  ordering: number[];
  validationAccuracy: number;
  /** The chosen logits (the caller owns them); null for the argmax form. */
  logits: tfjs.Tensor2D | null;
  /** Every (learning rate, steps, form) tried with its validation accuracy, in order. */
  tried: { learningRate: number; steps: number; form: 'mixture' | 'argmax'; validationAccuracy: number }[];
}

/**
 * Runs the plan on validation data only (`data.test` must be null: the test split is read once, by the caller, on
 * the returned choice) and returns the best (learning rate, steps, form) by validation accuracy; ties keep the
 * cheaper, earlier candidate.
 */
export async function tuneMixtureFit(tf: Tf, b: LoadedModuleBank, data: TransferData, plan: MixtureTuningPlan, fit: TransferSettings, init: tfjs.Tensor2D, temperature: number): Promise<TunedMixture> {
  if (data.test !== null) throw new Error('tuneMixtureFit reads validation only: pass the target data with test: null');
  const tried: TunedMixture['tried'] = [];
  let best: TunedMixture | null = null;
  const consider = (cand: Omit<TunedMixture, 'tried'>): void => {
    tried.push({ learningRate: cand.learningRate, steps: cand.steps, form: cand.form, validationAccuracy: cand.validationAccuracy });
    if (best === null || cand.validationAccuracy > best.validationAccuracy) {
      best?.logits?.dispose();
      best = { ...cand, tried };
    } else cand.logits?.dispose();
  };
  const last = plan.checkpoints[plan.checkpoints.length - 1]!;
  for (const lr of plan.learningRates) {
    const r = fitMixtureLogits(tf, b.config, b.bank, data, { steps: last, batchSize: fit.batchSize, learningRate: lr, init, temperature, seed: fit.seed, checkpoints: plan.checkpoints });
    r.logits.dispose();
    for (const s of r.snapshots) {
      const soft: TransferResult = await evaluateTransfer(tf, b.config, b.bank, { logits: s.logits }, data, fit);
      const hard: TransferResult = await evaluateTransfer(tf, b.config, b.bank, { modules: s.ordering }, data, fit);
      consider({ learningRate: lr, steps: s.step, form: 'mixture', ordering: s.ordering, validationAccuracy: soft.validationAccuracy, logits: s.logits });
      consider({ learningRate: lr, steps: s.step, form: 'argmax', ordering: s.ordering, validationAccuracy: hard.validationAccuracy, logits: null });
    }
  }
  return best!;
}

/** Every source domain's ordering scored on validation; the best (first on ties) and how many were tried. */
export async function bestSourceOrdering(b: LoadedModuleBank, scoreValidation: (order: number[]) => Promise<TransferResult>): Promise<{ name: string; ordering: number[]; validationAccuracy: number; tried: number }> {
  let best: { name: string; ordering: number[]; validationAccuracy: number } | null = null;
  for (const d of b.domains) {
    const r = await scoreValidation(d.ordering);
    if (best === null || r.validationAccuracy > best.validationAccuracy) best = { name: d.name, ordering: d.ordering, validationAccuracy: r.validationAccuracy };
  }
  if (best === null) throw new Error('the bank has no source domains');
  return { ...best, tried: b.domains.length };
}
