/**
 * Training and replaying a continual learner as a saved artifact: `evometa train-cht`, the `cht` bench and
 * `evometa replay` of a continual model folder all go through here, so a folder's recorded test figure and its replay
 * are computed by the same code on the same held-out sequences.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../core/json_file.js';
import { DEFAULT_FEW_SHOT_DATA, type FewShotData } from '../data/few_shot_data.js';
import { SCENARIOS, type Scenario } from '../models/ht/continual/cht_config.js';
import { loadContinualModel, saveContinualModel } from '../models/ht/continual/continual_io.js';
import type { ContinualModel } from '../models/ht/continual/continual_model.js';
import type { ContinualProgress, ContinualScore, ValidationPoint } from '../models/ht/continual/continual_training.js';
import { disposeTree } from '../models/nn/tensor_tree.js';
import { scoreContinual, trainAndScoreContinual, type ContinualRunOptions, type HeldOutSpec } from '../../tasks/cht/continual_run.js';

type Tf = typeof tfjs;

/** A run's settings (as trainAndScoreContinual's) and the test it is scored on once. */
export interface ContinualTrainSettings extends Pick<ContinualRunOptions, 'kind' | 'config' | 'settings' | 'data' | 'steps' | 'seed' | 'validateEvery' | 'validationSequences'> {
  /** Held-out test sequences and their length (accuracy after each of tasks 1 … evalTasks is reported). */
  evalSequences: number;
  evalTasks: number;
}

/** The held-out test of a saved learner: both scenarios, evalSeed 0, on the test classes. */
export interface ContinualTestRecord {
  sequences: number;
  tasks: number;
  evalSeed: number;
  /** By scenario: accuracy on all tasks seen after each task, its 95 % half-width, backward transfer. */
  scenarios: Record<Scenario, { seenSoFar: number[]; ci95: number[]; backwardTransfer: number; backwardTransferCi95: number }>;
}

export interface ContinualProgressHooks {
  onStep?: (p: ContinualProgress) => void;
  onValidate?: (p: ValidationPoint) => void;
  onTest?: (scenario: Scenario, done: number) => void;
}

function record(s: ContinualScore): ContinualTestRecord['scenarios'][Scenario] {
  return { seenSoFar: s.seenSoFar, ci95: s.ci95, backwardTransfer: s.backwardTransfer, backwardTransferCi95: s.backwardTransferCi95 };
}

/** Scores a learner on the test classes in both scenarios (the training scenario is whichever it was trained with). */
export function testContinual(tf: Tf, m: ContinualModel, data: FewShotData, sequences: number, tasks: number, evalSeed: number, onTest?: ContinualProgressHooks['onTest']): ContinualTestRecord {
  const scenarios = {} as ContinualTestRecord['scenarios'];
  for (const scenario of SCENARIOS) {
    const spec: HeldOutSpec = { source: 'test', sequences, tasks, scenario, evalSeed };
    scenarios[scenario] = record(scoreContinual(tf, m, data, spec, onTest ? (n) => onTest(scenario, n) : undefined));
  }
  return { sequences, tasks, evalSeed, scenarios };
}

/**
 * Meta-trains with checkpoint selection on meta-validation, scores the chosen checkpoint once on the test classes,
 * saves it to `out` (model.json with the whole record as metadata, weights.bin, history.json) and returns the record.
 */
export async function trainSaveContinual(tf: Tf, s: ContinualTrainSettings, out: string, backend: string, hooks: ContinualProgressHooks = {}): Promise<Record<string, unknown>> {
  const r = await trainAndScoreContinual(tf, {
    kind: s.kind, config: s.config, settings: s.settings, data: s.data, steps: s.steps, seed: s.seed,
    validateEvery: s.validateEvery, validationSequences: s.validationSequences, test: null,
    ...(hooks.onStep ? { onStep: hooks.onStep } : {}),
    ...(hooks.onValidate ? { onValidate: hooks.onValidate } : {}),
  });
  const test = testContinual(tf, r.model, s.data, s.evalSequences, s.evalTasks, 0, hooks.onTest);
  const summary = {
    model: s.kind, config: s.config, settings: s.settings, data: s.data, steps: s.steps, seed: s.seed,
    validateEvery: s.validateEvery, validationSequences: s.validationSequences, chosenStep: r.chosenStep, validationScore: r.validationScore,
    validation: r.validation, trainSeconds: r.trainSeconds, test, backend, date: new Date().toISOString(),
  };
  await saveContinualModel(tf, out, r.model, summary);
  writeJsonAtomic(join(out, 'history.json'), r.history);
  disposeTree(tf, r.model.params);
  return summary;
}

/** What a replay reports of the learner it loaded (its tensors are released once scored). */
export type ReplayedLearner = Omit<ContinualModel, 'params'>;

/** Loads a saved learner and scores it again on the test classes; the record it was saved with comes back beside. */
export function replayContinual(
  tf: Tf, dir: string, o: { sequences: number; tasks: number; evalSeed: number; data?: FewShotData; onTest?: ContinualProgressHooks['onTest'] },
): { model: ReplayedLearner; saved: Record<string, unknown>; replay: ContinualTestRecord } {
  const { model, metadata } = loadContinualModel(tf, dir);
  try {
    const data = o.data ?? (metadata['data'] as FewShotData | undefined) ?? DEFAULT_FEW_SHOT_DATA;
    const replay = testContinual(tf, model, data, o.sequences, o.tasks, o.evalSeed, o.onTest);
    return { model: { kind: model.kind, config: model.config, settings: model.settings }, saved: metadata, replay };
  } finally {
    disposeTree(tf, model.params);
  }
}
