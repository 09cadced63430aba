/**
 * `cht-continual`: fitness of a continual learner's settings = 1 − its accuracy on all tasks seen after `evalTasks`
 * held-out tasks, after a fixed meta-training budget. The genome (`ht-hparams`) holds the searched HyperTransformer
 * fields; the task's `base` holds every other HT field and `continual` the learner's own settings (embedding width,
 * scenario, unrolled tasks). Every candidate meets the same held-out sequences (evalSeed), on meta-validation classes
 * by default, so a search never reads the test classes.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { UsageError } from '../../src/core/errors.js';
import { configNumber, isObject, rejectUnknownKeys } from '../../src/core/config_checks.js';
import type { Task } from '../../src/core/task.js';
import { resolveHtConfig, type HtConfig } from '../../src/models/ht/ht_config.js';
import { resolveFewShotData, type FewShotData } from '../../src/data/few_shot_data.js';
import { CONTINUAL_KINDS, isContinualKind, resolveContinualSettings, type ContinualKind, type ContinualSettings } from '../../src/models/ht/continual/cht_config.js';

export interface ChtTaskConfig {
  model: ContinualKind;
  /** Fixed HtConfig fields; the genome's fields override them. */
  base: Partial<HtConfig>;
  continual: ContinualSettings;
  dataset: FewShotData['dataset'];
  omniglotRoot?: string;
  /** Meta-training budget per candidate, in optimiser steps. */
  trainSteps: number;
  evalSequences: number;
  /** Tasks per held-out sequence; the score is the accuracy on all of them after the last. */
  evalTasks: number;
  evalSource: 'validation' | 'test';
  evalSeed: number;
}

const KEYS = ['model', 'base', 'continual', 'dataset', 'omniglotRoot', 'trainSteps', 'evalSequences', 'evalTasks', 'evalSource', 'evalSeed'];

/** Where the task's sequences come from. */
export function chtTaskData(c: ChtTaskConfig): FewShotData {
  return resolveFewShotData({ dataset: c.dataset, omniglotRoot: c.omniglotRoot }, 'task config');
}

/** The genome's fields over the task's base, validated as one HtConfig. */
export function chtCandidateConfig(genome: Record<string, unknown>, c: ChtTaskConfig): HtConfig {
  return resolveHtConfig({ ...c.base, ...genome }, 'cht-continual candidate');
}

export const chtContinualTask: Task<Record<string, unknown>, ChtTaskConfig> = {
  name: 'cht-continual',
  description: 'Continual HyperTransformer (or the HT without memory, or ProtoNet): accuracy on all tasks seen after a sequence of held-out few-shot tasks, after a fixed meta-training budget',
  genomeKinds: ['ht-hparams'],
  usesTensorflow: true,
  resolveConfig(raw) {
    rejectUnknownKeys(raw, KEYS, 'task');
    const model = raw['model'] ?? 'cht';
    if (!isContinualKind(model)) throw new UsageError(`task config 'model' must be one of ${CONTINUAL_KINDS.join(', ')} (got ${JSON.stringify(model)})`);
    const base = raw['base'] ?? {};
    if (!isObject(base)) throw new UsageError(`task config 'base' must be an object of HyperTransformer settings (got ${JSON.stringify(base)})`);
    resolveHtConfig(base, "task config 'base'");
    const continual = raw['continual'] ?? {};
    if (!isObject(continual)) throw new UsageError(`task config 'continual' must be an object {embedding, scenario, tasks} (got ${JSON.stringify(continual)})`);
    const data = resolveFewShotData({ dataset: raw['dataset'], omniglotRoot: raw['omniglotRoot'] }, 'task config');
    const evalSource = raw['evalSource'] ?? 'validation';
    if (evalSource !== 'validation' && evalSource !== 'test') throw new UsageError(`task config 'evalSource' must be validation or test (got ${JSON.stringify(evalSource)})`);
    return {
      model,
      base: { ...(base as Partial<HtConfig>) },
      continual: resolveContinualSettings(continual, "task config 'continual'"),
      dataset: data.dataset,
      ...(data.omniglotRoot !== undefined ? { omniglotRoot: data.omniglotRoot } : {}),
      trainSteps: configNumber(raw, 'trainSteps', 200, { integer: true, min: 1, max: 1e7 }),
      evalSequences: configNumber(raw, 'evalSequences', 50, { integer: true, min: 1, max: 1e6 }),
      evalTasks: configNumber(raw, 'evalTasks', 5, { integer: true, min: 1, max: 64 }),
      evalSource,
      evalSeed: configNumber(raw, 'evalSeed', 0, { integer: true, min: 0, max: 4294967295 }),
    };
  },
  async evaluate(genome, c, ctx) {
    const tf: typeof tfjs = (await import('../../src/runtime/backend.js')).getTf();
    const { trainAndScoreContinual } = await import('./continual_run.js');
    const { disposeTree } = await import('../../src/models/nn/tensor_tree.js');
    const r = await trainAndScoreContinual(tf, {
      kind: c.model, config: chtCandidateConfig(genome, c), settings: c.continual, data: chtTaskData(c), steps: c.trainSteps, seed: ctx.seed,
      validateEvery: c.trainSteps, validationSequences: 0,
      test: { source: c.evalSource, sequences: c.evalSequences, tasks: c.evalTasks, scenario: c.continual.scenario, evalSeed: c.evalSeed },
    });
    disposeTree(tf, r.model.params);
    const score = r.test!;
    const accuracy = score.seenSoFar.at(-1)!;
    const tail = r.history.slice(-Math.max(1, Math.floor(r.history.length / 10)));
    return {
      fitness: 1 - accuracy,
      metrics: {
        accuracy, ci95: score.ci95.at(-1)!, firstTaskAccuracy: score.seenSoFar[0]!, backwardTransfer: score.backwardTransfer,
        trainLoss: tail.reduce((a, p) => a + p.loss, 0) / tail.length, trainSeconds: r.trainSeconds,
      },
    };
  },
};
