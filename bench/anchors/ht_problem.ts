/**
 * The HyperTransformer training problem that evometa hands its JAX anchor (bench/anchors/ht_jax.py), built from
 * evometa's own code: the parameters `initFewShotModel` draws, the synthetic episodes the HT benches train on, and
 * the Adam constants TensorFlow.js uses. Plain JSON, so another implementation can run exactly the same
 * computation; and evometa's own losses on it to compare that run with.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { UsageError } from '../../src/core/errors.js';
import type { HtConfig } from '../../src/models/ht/ht_config.js';
import { episodeLogits, episodeTensors, initFewShotModel, queryLoss, type FewShotEpisode, type FewShotModel } from '../../src/models/ht/few_shot_model.js';
import { trainFewShot } from '../../src/models/ht/ht_training.js';
import { disposeTree, flattenTree } from '../../src/models/nn/tensor_tree.js';
import { syntheticEpisodes } from '../synthetic_episodes.js';

type Tf = typeof tfjs;

export const HT_ANCHOR_FORMAT = 'evometa-ht-anchor-problem';

/** What the problem is made from: the model's settings, its initialisation seed and how many steps of episodes. */
export interface HtAnchorSetup {
  config: HtConfig;
  /** `initFewShotModel`'s seed. */
  seed: number;
  /** Training steps whose episodes the problem carries (each `config.episodesPerStep` episodes). */
  steps: number;
}

/** One parameter of evometa's tree: its dotted path (`flattenTree`), shape and row-major float32 values. */
export interface HtAnchorParam {
  name: string;
  shape: number[];
  values: number[];
}

/** The JSON the anchor reads. */
export interface HtAnchorProblem {
  format: typeof HT_ANCHOR_FORMAT;
  version: 1;
  kind: 'hypertransformer';
  config: HtConfig;
  seed: number;
  params: HtAnchorParam[];
  /** TensorFlow.js's Adam (`tf.train.adam(lr)`): its default betas and the backend's epsilon. */
  adam: { beta1: number; beta2: number; epsilon: number };
  /** Episode i of step s is `episodes[s · episodesPerStep + i]` (bench/synthetic_episodes.ts), images in [−1, 1). */
  episodes: { support: { x: number[]; labels: number[] }; query: { x: number[]; labels: number[] } }[];
}

/** evometa's own figures on a problem. */
export interface HtReference {
  /** Per step, the mean query loss of its episodes at the problem's parameters (no training). */
  losses: number[];
  /** `trainFewShot` over the problem's steps from its parameters: the loss each step reported (the first equals losses[0]). */
  trained: number[];
}

/** The problem's episodes as `trainFewShot` reads them. */
export function problemEpisodes(p: HtAnchorProblem): FewShotEpisode[] {
  return p.episodes.map((e) => ({
    support: { x: Float32Array.from(e.support.x), labels: e.support.labels },
    query: { x: Float32Array.from(e.query.x), labels: e.query.labels },
  }));
}

/** The HyperTransformer evometa initialises for the problem (a fresh one each call: training changes it in place). */
export const problemModel = (tf: Tf, p: HtAnchorProblem): FewShotModel => initFewShotModel(tf, 'hypertransformer', p.config, p.seed);

/** The problem for `setup`: the parameters read from `initFewShotModel`, the episodes of `syntheticEpisodes`. */
export function htAnchorProblem(tf: Tf, setup: HtAnchorSetup): HtAnchorProblem {
  if (!Number.isInteger(setup.steps) || setup.steps < 1) throw new UsageError(`an HT anchor problem needs steps ≥ 1 (got ${setup.steps})`);
  const model = initFewShotModel(tf, 'hypertransformer', setup.config, setup.seed);
  try {
    const params = flattenTree(tf, model.params).map(([name, t]) => ({ name, shape: t.shape.slice(), values: Array.from(t.dataSync()) }));
    const draw = syntheticEpisodes(setup.config);
    const episodes = Array.from({ length: setup.steps * setup.config.episodesPerStep }, (_, i) => {
      const e = draw(i);
      return { support: { x: Array.from(e.support.x), labels: Array.from(e.support.labels) }, query: { x: Array.from(e.query.x), labels: Array.from(e.query.labels) } };
    });
    return {
      format: HT_ANCHOR_FORMAT, version: 1, kind: 'hypertransformer', config: { ...setup.config }, seed: setup.seed, params,
      adam: { beta1: 0.9, beta2: 0.999, epsilon: tf.backend().epsilon() },
      episodes,
    };
  } finally {
    disposeTree(tf, model.params);
  }
}

/** evometa on the problem: each step's mean query loss at the initial parameters, then `trainFewShot` over its steps. */
export async function htEvometaReference(tf: Tf, p: HtAnchorProblem): Promise<HtReference> {
  const episodes = problemEpisodes(p);
  const per = p.config.episodesPerStep;
  const steps = episodes.length / per;
  const initial = problemModel(tf, p);
  const losses: number[] = [];
  try {
    for (let s = 0; s < steps; s++) {
      const loss = tf.tidy(() => {
        let total: tfjs.Scalar = tf.scalar(0);
        for (const e of episodes.slice(s * per, (s + 1) * per)) {
          const t = episodeTensors(tf, e, p.config.imageSize);
          total = tf.add(total, queryLoss(tf, episodeLogits(tf, initial, t), t.queryLabels, p.config.ways));
        }
        return tf.div(total, per) as tfjs.Scalar;
      });
      losses.push((await loss.data())[0]!);
      loss.dispose();
    }
  } finally {
    disposeTree(tf, initial.params);
  }
  const trainee = problemModel(tf, p);
  try {
    const history = await trainFewShot(tf, trainee, { steps, episode: (i) => episodes[i]! });
    return { losses, trained: history.map((h) => h.loss) };
  } finally {
    disposeTree(tf, trainee.params);
  }
}
