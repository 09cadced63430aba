/**
 * One continual experiment: initialise a learner, meta-train it on sequences of meta-training classes, keep the
 * checkpoint that scores best on meta-validation sequences, score it once on test sequences. The task, the
 * `train-cht` command, the bench and replay all run this, so their numbers agree. Streams: training sequence i comes
 * from (seed, 'train', i); validation and test sequence i from (evalSeed, 'eval-<source>', i), so every learner scored
 * with the same evalSeed meets the same held-out sequences.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { deriveSeed } from '../../src/core/rng.js';
import type { HtConfig } from '../../src/models/ht/ht_config.js';
import type { FewShotData } from '../../src/data/few_shot_data.js';
import type { ContinualKind, ContinualSettings, Scenario } from '../../src/models/ht/continual/cht_config.js';
import { initContinualModel, type ContinualModel } from '../../src/models/ht/continual/continual_model.js';
import { evaluateContinual, trainContinual, type ContinualProgress, type ContinualScore, type ContinualTrainResult, type ValidationPoint } from '../../src/models/ht/continual/continual_training.js';
import { sequenceSampler, type ContinualSourceName } from './continual_data.js';

type Tf = typeof tfjs;

export interface HeldOutSpec {
  source: Exclude<ContinualSourceName, 'train'>;
  sequences: number;
  /** Tasks per held-out sequence (may exceed the training unroll: extrapolation). */
  tasks: number;
  scenario: Scenario;
  evalSeed: number;
}

/** Scores a (trained) learner on held-out sequences. */
export function scoreContinual(tf: Tf, m: ContinualModel, data: FewShotData, h: HeldOutSpec, onSequence?: (done: number) => void): ContinualScore {
  const sampler = sequenceSampler(data, h.source, m.config);
  return evaluateContinual(tf, m, (i) => sampler.sequenceAt(h.evalSeed, `eval-${h.source}`, i, h.tasks), h.sequences, h.scenario, onSequence);
}

export interface ContinualRunOptions {
  kind: ContinualKind;
  config: HtConfig;
  settings: ContinualSettings;
  data: FewShotData;
  steps: number;
  seed: number;
  /** Meta-validation every this many steps on `validationSequences` sequences (0 sequences: keep the last step). */
  validateEvery: number;
  validationSequences: number;
  /** The final score; null skips it (a search scores validation only). */
  test: HeldOutSpec | null;
  onStep?: (p: ContinualProgress) => void;
  onValidate?: (p: ValidationPoint) => void;
  onTest?: (done: number) => void;
}

export interface ContinualRunResult extends ContinualTrainResult {
  model: ContinualModel;
  /** The chosen checkpoint's meta-validation score (accuracy on all tasks seen after `settings.tasks` tasks), or NaN. */
  validationScore: number;
  test: ContinualScore | null;
  trainSeconds: number;
}

/** The meta-validation score: accuracy on all tasks seen, after as many tasks as training unrolls, in the training scenario. */
export function validationSpec(settings: ContinualSettings, sequences: number, evalSeed = 0): HeldOutSpec {
  return { source: 'validation', sequences, tasks: settings.tasks, scenario: settings.scenario, evalSeed };
}

export async function trainAndScoreContinual(tf: Tf, o: ContinualRunOptions): Promise<ContinualRunResult> {
  const train = sequenceSampler(o.data, 'train', o.config);
  const model = initContinualModel(tf, o.kind, o.config, o.settings, deriveSeed(o.seed, 'init'));
  const spec = validationSpec(o.settings, o.validationSequences);
  const t0 = performance.now();
  const trained = await trainContinual(tf, model, {
    steps: o.steps,
    sequence: (i) => train.sequenceAt(o.seed, 'train', i, o.settings.tasks),
    ...(o.validationSequences > 0 ? { validate: { every: o.validateEvery, score: (m: ContinualModel) => scoreContinual(tf, m, o.data, spec).seenSoFar.at(-1)! } } : {}),
    ...(o.onStep ? { onStep: o.onStep } : {}),
    ...(o.onValidate ? { onValidate: o.onValidate } : {}),
  });
  const trainSeconds = (performance.now() - t0) / 1000;
  const chosen = trained.validation.find((v) => v.step === trained.chosenStep);
  const test = o.test ? scoreContinual(tf, model, o.data, o.test, o.onTest) : null;
  return { ...trained, model, validationScore: chosen?.score ?? NaN, test, trainSeconds };
}
