/**
 * One few-shot experiment: initialise a model, train it on training-class episodes, score it on held-out
 * episodes. The task, the `train-ht` command, the bench and replay all run this, so their numbers agree.
 * Streams: training episode i comes from (seed, 'train', i), evaluation episode i from (evalSeed,
 * 'eval-<source>', i) — every model scored with the same evalSeed sees the same held-out episodes.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { deriveSeed } from '../../src/core/rng.js';
import type { HtConfig } from '../../src/models/ht/ht_config.js';
import type { FewShotSourceName } from '../../src/data/fewshot_episodes.js';
import { episodeSampler, type FewShotData } from '../../src/data/few_shot_data.js';
import { initFewShotModel, type FewShotKind, type FewShotModel } from '../../src/models/ht/few_shot_model.js';
import { evaluateFewShot, trainFewShot, type FewShotScore, type TrainProgress } from '../../src/models/ht/ht_training.js';

type Tf = typeof tfjs;

export interface FewShotRunOptions {
  kind: FewShotKind;
  config: HtConfig;
  data: FewShotData;
  steps: number;
  seed: number;
  evalEpisodes: number;
  evalSource: Exclude<FewShotSourceName, 'train'>;
  evalSeed: number;
  onStep?: (p: TrainProgress) => void;
  onEval?: (done: number) => void;
}

export interface FewShotRunResult {
  model: FewShotModel;
  history: TrainProgress[];
  score: FewShotScore;
  trainSeconds: number;
}

/** Scores a (trained) model on held-out episodes from the given source and seed. */
export function scoreFewShot(tf: Tf, m: FewShotModel, data: FewShotData, source: Exclude<FewShotSourceName, 'train'>, episodes: number, evalSeed: number, onEval?: (done: number) => void): Promise<FewShotScore> {
  const sampler = episodeSampler(data, source, m.config);
  return evaluateFewShot(tf, m, (i) => sampler.episodeAt(evalSeed, `eval-${source}`, i), episodes, onEval);
}

export async function trainAndScore(tf: Tf, o: FewShotRunOptions): Promise<FewShotRunResult> {
  const train = episodeSampler(o.data, 'train', o.config);
  const model = initFewShotModel(tf, o.kind, o.config, deriveSeed(o.seed, 'init'));
  const t0 = performance.now();
  const history = await trainFewShot(tf, model, { steps: o.steps, episode: (i) => train.episodeAt(o.seed, 'train', i), ...(o.onStep ? { onStep: o.onStep } : {}) });
  const trainSeconds = (performance.now() - t0) / 1000;
  const score = await scoreFewShot(tf, model, o.data, o.evalSource, o.evalEpisodes, o.evalSeed, o.onEval);
  return { model, history, score, trainSeconds };
}

