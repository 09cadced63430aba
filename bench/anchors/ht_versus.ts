/**
 * The HyperTransformer section of `npm run bench -- versus`: evometa's training step (`trainFewShot` on
 * tfjs-wasm: the mean query loss over a step's episodes, its gradient, Adam) against the same step in JAX
 * (bench/anchors/ht_jax.py: jit of value_and_grad + the same Adam update), measured in one run.
 *
 * First the anchor's numpy run is checked against evometa on the very problem that is timed (same parameters,
 * same episodes), then, where the Python imports jax, the anchor trains the problem's steps from the same
 * parameters (its losses are compared with `trainFewShot`'s, which checks the gradient and Adam too) and times
 * training steps; evometa times `trainFewShot` after at least a second of untimed steps. The two timings
 * alternate over the repeats; medians are shown.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { getTf, initBackend } from '../../src/runtime/backend.js';
import { HT_DEFAULTS, type HtConfig } from '../../src/models/ht/ht_config.js';
import { trainFewShot } from '../../src/models/ht/ht_training.js';
import type { FewShotEpisode } from '../../src/models/ht/few_shot_model.js';
import { disposeTree } from '../../src/models/nn/tensor_tree.js';
import { cpuMs, median, type Rate } from '../stats.js';
import { htAnchorProblem, htEvometaReference, problemEpisodes, problemModel, type HtAnchorProblem } from './ht_problem.js';
import { checkHtAnchor, timeHtAnchor, type HtJaxTiming } from './ht_jax.js';
import { relativeDifference } from './blur_jax.js';
import { numpyPythonOrSkip, probePython } from './python.js';

type Tf = typeof tfjs;

export interface HtVersusOptions {
  /** The interpreter named with --python, else python3 is tried. */
  python: string | undefined;
  /** Default HT_DEFAULTS (5-way 1-shot 28×28, 8 channels, 4 episodes a step, Adam). */
  config?: HtConfig;
  /** Timed training steps per repeat on each side. */
  reps: number;
  /** Threads of XLA's CPU runtime (evometa's training step runs on one). */
  threads: number;
  /** Alternating repeats of both sides' timings (medians are shown). */
  repeats: number;
  /** Steps of episodes in the problem (both sides cycle through them while timing). Default 3. */
  steps?: number;
  /** Seconds of untimed steps before each timing. Default 1. */
  warmupS?: number;
}

/**
 * evometa's training steps/s on the active backend: `trainFewShot` one step at a time for at least `warmupS`
 * seconds (the JIT and the backend's kernels warm), then one call of `reps` steps, timed.
 */
export async function evometaHtRate(tf: Tf, problem: HtAnchorProblem, episodes: readonly FewShotEpisode[], reps: number, warmupS = 1): Promise<Rate> {
  const model = problemModel(tf, problem);
  const episode = (i: number): FewShotEpisode => episodes[i % episodes.length]!;
  try {
    const w0 = performance.now();
    do await trainFewShot(tf, model, { steps: 1, episode });
    while (performance.now() - w0 < 1000 * warmupS);
    const [t0, c0] = [performance.now(), cpuMs()];
    await trainFewShot(tf, model, { steps: reps, episode });
    const ms = performance.now() - t0;
    return { perS: (1000 * reps) / ms, cores: (cpuMs() - c0) / ms };
  } finally {
    disposeTree(tf, model.params);
  }
}

const fmt = (v: number, digits: number): string => (Number.isFinite(v) ? v.toFixed(digits) : 'skipped');
const e = (v: number): string => v.toExponential(1);

/** Checks the anchor's math on the timed problem, then times both sides `o.repeats` times, alternating. */
export async function htVersusJax(o: HtVersusOptions): Promise<void> {
  const config = o.config ?? HT_DEFAULTS;
  console.log('');
  console.log(`## HyperTransformer training step against JAX: ${config.ways}-way ${config.shots}-shot, ${config.imageSize}×${config.imageSize}, `
    + `${config.channels} channels, d ${config.embeddingDim}, ${config.transformerLayers} layers / ${config.heads} heads, ${config.episodesPerStep} episodes a step, ${config.optimizer}`);
  const numpy = numpyPythonOrSkip(o.python);
  if (numpy === null) return;
  const python = numpy.python;
  const info = await initBackend('wasm');
  const tf = getTf();
  const problem = htAnchorProblem(tf, { config, seed: 0, steps: o.steps ?? 3 });
  const episodes = problemEpisodes(problem);
  const reference = await htEvometaReference(tf, problem);
  const check = checkHtAnchor(python, problem, reference);
  console.log(`anchor math checked against evometa: per-step mean query loss at evometa's initial parameters, ${reference.losses.length} steps, `
    + `max relative difference ${e(check.float32)} (numpy ${numpy.version} float32, evometa on ${info.backend}); evometa against the anchor's float64 run: ${e(check.float64)}`);

  const jax = probePython(python, 'jax');
  if ('skipped' in jax) console.log(`JAX timing skipped: ${jax.skipped}; the figures below are evometa's alone`);
  const ours: Rate[] = [];
  const theirs: Rate[] = [];
  for (let r = 1; r <= o.repeats; r++) {
    const runOurs = async (): Promise<void> => void ours.push(await evometaHtRate(tf, problem, episodes, o.reps, o.warmupS));
    const runTheirs = (): void => {
      if ('skipped' in jax) return;
      const timing: HtJaxTiming = timeHtAnchor(python, problem, { reps: o.reps, threads: o.threads, ...(o.warmupS === undefined ? {} : { warmupS: o.warmupS }) });
      if (theirs.length === 0) {
        console.log(`jax ${timing.jax} on ${timing.backend} (${timing.devices.join(', ')}), XLA CPU threads ${o.threads}: its losses over ${timing.losses.length} training steps `
          + `from the same parameters against trainFewShot's, max relative difference ${e(relativeDifference(timing.losses, reference.trained))} (first step ${e(relativeDifference(timing.losses.slice(0, 1), reference.trained.slice(0, 1)))})`);
      }
      theirs.push({ perS: timing.steps_per_s, cores: timing.cores });
    };
    if (r % 2) { await runOurs(); runTheirs(); } else { runTheirs(); await runOurs(); }
    process.stderr.write(`ht repeat ${r}/${o.repeats} done\n`);
  }
  const med = (runs: Rate[], pick: (r: Rate) => number): number => (runs.length === 0 ? NaN : median(runs.map(pick)));
  const [a, b] = [med(ours, (r) => r.perS), med(theirs, (r) => r.perS)];
  console.log('');
  console.log(`median of ${ours.length} alternating repeat(s), ${o.reps} timed steps each`);
  console.log(`| measure | evometa (tfjs ${info.backend}) | JAX | evometa / JAX | cores busy, evometa / JAX |`);
  console.log('|---|---:|---:|---:|---:|');
  console.log(`| HT training steps/s | ${fmt(a, 2)} | ${fmt(b, 2)} | ${fmt(a / b, 2)} | ${fmt(med(ours, (r) => r.cores), 2)} / ${fmt(med(theirs, (r) => r.cores), 2)} |`);
  console.log(`per repeat (evometa / JAX): ${ours.map((r, i) => `${r.perS.toFixed(2)}/${theirs[i] ? theirs[i]!.perS.toFixed(2) : '–'}`).join('  ')}`);
}
