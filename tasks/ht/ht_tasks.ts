/**
 * `ht-fewshot`: fitness of a HyperTransformer (or ProtoNet) configuration = 1 − its held-out-class
 * few-shot accuracy after a fixed training budget. The genome (`ht-hparams`) holds the searched fields;
 * the task's `base` holds every other field, so a search varies only what the genome kind declares.
 * Every candidate is scored on the same held-out episodes (evalSeed), so differences between candidates
 * are not differences between episode draws.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { UsageError } from '../../src/core/errors.js';
import { deriveSeed } from '../../src/core/rng.js';
import { configNumber, rejectUnknownKeys } from '../../src/core/config_checks.js';
import type { Task } from '../../src/core/task.js';
import { resolveHtConfig, type HtConfig } from '../../src/models/ht/ht_config.js';
import { resolveFewShotData, type FewShotData } from '../../src/data/few_shot_data.js';
import { FEW_SHOT_KINDS, type FewShotKind } from '../../src/models/ht/few_shot_model.js';

/** Flat (dataset, omniglotRoot, split at the top level), so resolving a resolved config changes nothing. */
export interface HtTaskConfig extends FewShotData {
  model: FewShotKind;
  /** Fixed HtConfig fields; the genome's fields override them. */
  base: Partial<HtConfig>;
  /** Training budget per candidate, in optimiser steps. */
  trainSteps: number;
  /**
   * Independent trainings (own initial weights and episode stream) averaged per candidate: at short
   * budgets one training's held-out accuracy varies by several points with its seed, which swamps the
   * differences a search should see.
   */
  trainRepeats: number;
  evalEpisodes: number;
  /**
   * 'validation' (held-out classes, training-split images) keeps the test images for the final report. Those are the
   * split's held-out classes: for a search whose report must not read the classes it was tuned on, give the task
   * `searchData()` of src/data/few_shot_splits.ts, whose held-out side is a set of validation classes disjoint from
   * the final test classes.
   */
  evalSource: 'validation' | 'test';
  evalSeed: number;
}

const KEYS = ['model', 'base', 'dataset', 'omniglotRoot', 'split', 'trainSteps', 'trainRepeats', 'evalEpisodes', 'evalSource', 'evalSeed'];

async function tfInstance(): Promise<typeof tfjs> {
  return (await import('../../src/runtime/backend.js')).getTf();
}

/** Where the task's episodes come from. */
export function taskData(c: HtTaskConfig): FewShotData {
  return { dataset: c.dataset, ...(c.omniglotRoot !== undefined ? { omniglotRoot: c.omniglotRoot } : {}), split: c.split };
}

/** The genome's fields over the task's base, validated as one HtConfig. */
export function candidateConfig(genome: Record<string, unknown>, c: HtTaskConfig): HtConfig {
  return resolveHtConfig({ ...c.base, ...genome }, 'ht-fewshot candidate');
}

export const htFewShotTask: Task<Record<string, unknown>, HtTaskConfig> = {
  name: 'ht-fewshot',
  description: 'HyperTransformer (or ProtoNet) few-shot accuracy on held-out classes of MNIST + Fashion-MNIST (or Omniglot) after a fixed training budget',
  genomeKinds: ['ht-hparams'],
  usesTensorflow: true,
  resolveConfig(raw) {
    rejectUnknownKeys(raw, KEYS, 'task');
    const model = raw['model'] ?? 'hypertransformer';
    if (typeof model !== 'string' || !(FEW_SHOT_KINDS as readonly string[]).includes(model))
      throw new UsageError(`task config 'model' must be one of ${FEW_SHOT_KINDS.join(', ')} (got ${JSON.stringify(model)})`);
    const base = raw['base'] ?? {};
    if (typeof base !== 'object' || base === null || Array.isArray(base)) throw new UsageError(`task config 'base' must be an object of HyperTransformer settings (got ${JSON.stringify(base)})`);
    resolveHtConfig(base as Record<string, unknown>, "task config 'base'");
    const evalSource = raw['evalSource'] ?? 'validation';
    if (evalSource !== 'validation' && evalSource !== 'test') throw new UsageError(`task config 'evalSource' must be validation or test (got ${JSON.stringify(evalSource)})`);
    return {
      model: model as FewShotKind,
      base: { ...(base as Partial<HtConfig>) },
      ...resolveFewShotData(raw, 'task config'),
      trainSteps: configNumber(raw, 'trainSteps', 300, { integer: true, min: 1, max: 1e7 }),
      trainRepeats: configNumber(raw, 'trainRepeats', 1, { integer: true, min: 1, max: 1000 }),
      evalEpisodes: configNumber(raw, 'evalEpisodes', 100, { integer: true, min: 1, max: 1e6 }),
      evalSource,
      evalSeed: configNumber(raw, 'evalSeed', 0, { integer: true, min: 0, max: 4294967295 }),
    };
  },
  async evaluate(genome, c, ctx) {
    const tf = await tfInstance();
    const { trainAndScore } = await import('./few_shot_run.js');
    const { disposeTree } = await import('../../src/models/nn/tensor_tree.js');
    const config = candidateConfig(genome, c);
    const sum = { accuracy: 0, ci95: 0, heldOutLoss: 0, trainLoss: 0, trainSeconds: 0 };
    for (let k = 0; k < c.trainRepeats; k++) {
      // The first training keeps the candidate's own seed, so trainRepeats 1 is the plain single training.
      const seed = k === 0 ? ctx.seed : deriveSeed(ctx.seed, 'repeat', k);
      const r = await trainAndScore(tf, { kind: c.model, config, data: taskData(c), steps: c.trainSteps, seed, evalEpisodes: c.evalEpisodes, evalSource: c.evalSource, evalSeed: c.evalSeed });
      disposeTree(tf, r.model.params);
      const tail = r.history.slice(-Math.max(1, Math.floor(r.history.length / 10)));
      sum.accuracy += r.score.accuracy / c.trainRepeats;
      sum.ci95 += r.score.ci95 / c.trainRepeats;
      sum.heldOutLoss += r.score.loss / c.trainRepeats;
      sum.trainLoss += tail.reduce((a, p) => a + p.loss, 0) / tail.length / c.trainRepeats;
      sum.trainSeconds += r.trainSeconds;
    }
    return { fitness: 1 - sum.accuracy, metrics: { ...sum } };
  },
};
