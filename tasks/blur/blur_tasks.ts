/**
 * BLUR meta-objectives as tasks over the `blur` genome: the query-set loss after U unrolled inner
 * steps, averaged over R synapse initialisations and over the training functions or episodes.
 * `evaluateBatch` scores a whole chunk of the population in one set of tensor ops; `fitness+grad`
 * differentiates the unrolled loop with respect to the search vector (for `metagrad`).
 */
import type * as tfjs from '@tensorflow/tfjs';
import { deriveSeed, Rng } from '../../src/core/rng.js';
import { UsageError } from '../../src/core/errors.js';
import { configNumber, rejectUnknownKeys } from '../../src/core/config_checks.js';
import type { Task, TaskContext, TaskResult } from '../../src/core/task.js';
import { getBooleanTaskFunction } from '../../src/data/boolean_functions.js';
import { loadImageDataset } from '../../src/data/registry.js';
import { withValidation, type ImageDataset, type ImageSplit } from '../../src/data/image_dataset.js';
import { booleanSampler, imageEpisodeSampler } from './blur_samplers.js';
import { flatBlurRule } from './flat_blur_rule.js';
import { booleanTrainingSetting, imageTrainingSetting } from './blur_training_setting.js';
import { domainName, parseDomain, transformDataset } from '../../src/data/mnist_domains.js';
import { blurGenome, type BlurGenome, type BlurGenomeConfig } from '../../genomes/blur_genome.js';
import { validateBlurNetworkOptions, type BlurNetworkOptions } from '../../src/models/blur/blur_options.js';
import type { BlurMetaLoss, BlurMetaOptions, BlurSampler } from '../../src/models/blur/meta_objective.js';
import { checkHorizons } from '../../src/models/blur/horizons.js';

/** Loaded on first use, so that listing tasks or scoring numeric ones never loads TensorFlow.js. */
type MetaObjective = typeof import('../../src/models/blur/meta_objective.js');

/** Settings every BLUR task shares. */
export interface BlurInnerLoopConfig {
  hidden: number[];
  unrollSteps: number;
  batchSize: number;
  queryBatchSize: number;
  replicas: number;
  /** Overrides of the genome's network options. */
  network: Partial<BlurNetworkOptions>;
  /**
   * What the fitness is: the query MSE (differentiable, what metagrad needs), the query error 1 − accuracy,
   * the number an evaluation reports, which a derivative-free strategy can optimise directly, or the query softmax
   * cross-entropy (differentiable, and unlike the MSE on ±1 one-hot targets it does not reward a constant output).
   */
  objective: BlurObjective;
  /** Unroll lengths at which the query is scored, the fitness their mean (`BlurMetaOptions.horizons`); absent = [unrollSteps]. */
  horizons?: number[];
}

export const BLUR_OBJECTIVES = ['mse', 'error', 'cross-entropy'] as const;
export type BlurObjective = (typeof BLUR_OBJECTIVES)[number];

export interface BlurBooleanConfig extends BlurInnerLoopConfig {
  /** Functions the fitness averages over. */
  train: string[];
  /** Functions only reported (metric heldOutAccuracy), never optimised. */
  heldOut: string[];
  /**
   * Episodes (independent data streams and synapse initialisations) per function and evaluation. More
   * episodes lower the fitness noise that limits a strategy's late progress, at a proportional cost.
   */
  episodes: number;
}

export interface BlurImageConfig extends BlurInnerLoopConfig {
  dataset: string;
  /** Class pool an episode draws from. */
  classes: number[];
  /** Classes per episode. */
  ways: number;
  downsample: number;
  /** Training examples loaded (the first ones of the train split) and how many of them become validation. */
  trainSamples: number;
  validation: number;
  /** Episodes averaged per evaluation. */
  episodes: number;
  /**
   * Input domains an episode draws from (MNIST-variant transforms such as 'inverted', 'rotate90', 'noise',
   * applied to this task's dataset; 'plain' = untransformed). More than one asks the rule to learn under
   * several input statistics, not one dataset's.
   */
  domains: string[];
}

const INNER_KEYS = ['hidden', 'unrollSteps', 'batchSize', 'queryBatchSize', 'replicas', 'network', 'objective', 'horizons'];

function objectiveSetting(raw: unknown): BlurObjective {
  const v = raw ?? 'mse';
  if (typeof v !== 'string' || !(BLUR_OBJECTIVES as readonly string[]).includes(v))
    throw new UsageError(`task config 'objective' must be one of ${BLUR_OBJECTIVES.join(', ')} (got ${JSON.stringify(v)})`);
  return v as BlurObjective;
}

/** The fitness of one scored genome under the task's objective; with 'error' the MSE stays in the metrics. */
function fitnessOf(c: BlurInnerLoopConfig, loss: number, accuracy: number, metrics: Record<string, number>): number {
  if (c.objective !== 'error') return loss;
  metrics['mse'] = loss;
  return 1 - accuracy;
}

function intList(raw: unknown, field: string, fallback: number[], check: (v: number) => boolean, what: string): number[] {
  const v = raw ?? fallback;
  if (!Array.isArray(v) || v.length === 0 || v.some((e) => typeof e !== 'number' || !Number.isInteger(e) || !check(e)))
    throw new UsageError(`task config '${field}' must be a non-empty list of ${what} (got ${JSON.stringify(v)})`);
  return v.slice() as number[];
}

function nameList(raw: unknown, field: string, fallback: string[]): string[] {
  const v = raw ?? fallback;
  if (!Array.isArray(v) || v.some((e) => typeof e !== 'string')) throw new UsageError(`task config '${field}' must be a list of function names (got ${JSON.stringify(v)})`);
  for (const name of v as string[]) getBooleanTaskFunction(name);
  return v.slice() as string[];
}

function innerConfig(raw: Record<string, unknown>, d: { hidden: number[]; unrollSteps: number; batchSize: number; queryBatchSize: number }): BlurInnerLoopConfig {
  const unrollSteps = configNumber(raw, 'unrollSteps', d.unrollSteps, { integer: true, min: 1, max: 100000 });
  const horizons = raw['horizons'];
  if (horizons !== undefined) checkHorizons(horizons as unknown[], unrollSteps, "task config 'horizons'");
  return {
    hidden: intList(raw['hidden'], 'hidden', d.hidden, (e) => e >= 1 && e <= 65536, 'layer sizes >= 1'),
    unrollSteps,
    batchSize: configNumber(raw, 'batchSize', d.batchSize, { integer: true, min: 1, max: 65536 }),
    queryBatchSize: configNumber(raw, 'queryBatchSize', d.queryBatchSize, { integer: true, min: 1, max: 65536 }),
    replicas: configNumber(raw, 'replicas', 1, { integer: true, min: 1, max: 1024 }),
    network: validateBlurNetworkOptions(raw['network'] ?? {}, "task config 'network'"),
    objective: objectiveSetting(raw['objective']),
    ...(horizons !== undefined ? { horizons: (horizons as number[]).slice() } : {}),
  };
}

/** The meta-objective's options for one episode under a task config (the bench's meta-validation uses them too). */
export function metaOptions(c: BlurInnerLoopConfig, inputs: number, outputs: number, seed: number): BlurMetaOptions {
  // Without overrides each genome's own `network` options apply (the backprop genome needs its own).
  const overrides = Object.keys(c.network).length > 0 ? { network: c.network } : {};
  return {
    sizes: [inputs, ...c.hidden, outputs], unrollSteps: c.unrollSteps, batchSize: c.batchSize, queryBatchSize: c.queryBatchSize, replicas: c.replicas, seed,
    loss: metaLossOf(c), ...overrides, ...(c.horizons ? { horizons: c.horizons } : {}),
  };
}

/** The differentiable query loss behind an objective ('error' reports the MSE beside the error). */
export function metaLossOf(c: Pick<BlurInnerLoopConfig, 'objective'>): BlurMetaLoss {
  return c.objective === 'cross-entropy' ? 'cross-entropy' : 'mse';
}

async function tfInstance(): Promise<typeof tfjs> {
  return (await import('../../src/runtime/backend.js')).getTf();
}

async function metaObjective(): Promise<MetaObjective> {
  return import('../../src/models/blur/meta_objective.js');
}

/** The genome's layer count must match the network's when it has one genome per layer. */
function checkGenomes(genomes: readonly BlurGenome[], c: BlurInnerLoopConfig): void {
  const layers = c.hidden.length + 1;
  for (const g of genomes)
    if (g.layers.length !== 1 && g.layers.length !== layers)
      throw new UsageError(`the blur genome has ${g.layers.length} layer genomes but the network has ${layers} synapse layers (hidden ${JSON.stringify(c.hidden)}); use genome-config {"perLayer": true, "numLayers": ${layers}} or a shared genome`);
}

/** The genome with the task's network overrides written into it, so a replay runs it as it was scored. */
function withNetwork(genome: BlurGenome, c: BlurInnerLoopConfig): BlurGenome {
  return Object.keys(c.network).length ? { ...genome, network: { ...(genome.network ?? {}), ...c.network } } : genome;
}

/** One scoring unit: a sampler and the seed of its data stream. */
interface Episode {
  label: string;
  sampler: BlurSampler;
  seed: number;
}

/** Mean loss and accuracy of each genome over the episodes; non-finite losses stay NaN (rank worst). */
async function scorePopulation(mo: MetaObjective, tf: typeof tfjs, genomes: BlurGenome[], c: BlurInnerLoopConfig, episodes: readonly Episode[]): Promise<{ loss: number[]; accuracy: number[]; per: number[][] }> {
  const loss = new Array<number>(genomes.length).fill(0);
  const accuracy = new Array<number>(genomes.length).fill(0);
  const per: number[][] = [];
  for (const e of episodes) {
    const r = await mo.evaluateBlurPopulation(tf, genomes, e.sampler, metaOptions(c, e.sampler.numInputs, e.sampler.numOutputs, e.seed));
    r.loss.forEach((v, i) => (loss[i]! += v / episodes.length));
    r.accuracy.forEach((v, i) => (accuracy[i]! += v / episodes.length));
    per.push(r.accuracy);
  }
  return { loss, accuracy, per };
}

/** Mean meta-loss and its gradient with respect to the search vector, over the episodes. */
async function lossAndGrad(mo: MetaObjective, tf: typeof tfjs, genome: BlurGenome, genomeConfig: BlurGenomeConfig, c: BlurInnerLoopConfig, episodes: readonly Episode[]): Promise<TaskResult> {
  // Gradients exist for the losses only; an error objective would silently give metagrad the MSE's.
  if (c.objective === 'error')
    throw new UsageError(`task config 'objective' "${c.objective}" has no gradient; use "mse" or "cross-entropy" with a gradient strategy such as metagrad (CMA-ES and es-grad can use "error")`);
  const flat = blurGenome.encode(genome, genomeConfig);
  const grad = new Array<number>(flat.length).fill(0);
  let loss = 0;
  let accuracy = 0;
  for (const e of episodes) {
    const r = await mo.metaLossAndGrad(tf, flat, flatBlurRule(genomeConfig), e.sampler, metaOptions(c, e.sampler.numInputs, e.sampler.numOutputs, e.seed));
    loss += r.loss / episodes.length;
    accuracy += r.accuracy / episodes.length;
    r.grad.forEach((g, i) => (grad[i]! += g / episodes.length));
  }
  return { fitness: loss, grad, metrics: { accuracy } };
}

/** Function-major: `episodes` consecutive episodes per name; the first keeps the single-episode seed. */
function booleanEpisodes(names: readonly string[], seed: number, episodes: number): Episode[] {
  return names.flatMap((name) =>
    Array.from({ length: episodes }, (_, e) => ({ label: name, sampler: booleanSampler(name), seed: e === 0 ? deriveSeed(seed, 'boolean', name) : deriveSeed(seed, 'boolean', name, e) })),
  );
}

/** Per-function accuracy: the mean over that function's consecutive episodes. */
function perFunction(per: number[][], k: number, episodes: number, i: number): number {
  let sum = 0;
  for (let e = 0; e < episodes; e++) sum += per[k * episodes + e]![i]!;
  return sum / episodes;
}

export const blurBooleanTask: Task<BlurGenome, BlurBooleanConfig> = {
  name: 'blur-boolean',
  description: "BLUR meta-objective on Boolean functions (train: xor, or; held out: and, nxor; also the 2-input projections and constants and the 3-input majority3, parity3, random3), the paper's notebook setting",
  genomeKinds: ['blur'],
  usesTensorflow: true,
  resolveConfig(raw) {
    rejectUnknownKeys(raw, ['train', 'heldOut', 'episodes', ...INNER_KEYS], 'task');
    return {
      ...innerConfig(raw, { hidden: [20], unrollSteps: 5, batchSize: 512, queryBatchSize: 512 }),
      train: nameList(raw['train'], 'train', ['xor', 'or']),
      heldOut: nameList(raw['heldOut'], 'heldOut', ['and', 'nxor']),
      episodes: configNumber(raw, 'episodes', 1, { integer: true, min: 1, max: 1000 }),
    };
  },
  async evaluate(genome, c, ctx) {
    if (ctx.wants === 'fitness+grad') {
      checkGenomes([genome], c);
      return lossAndGrad(await metaObjective(), await tfInstance(), genome, ctx.genomeConfig as BlurGenomeConfig, c, booleanEpisodes(c.train, ctx.seed, c.episodes));
    }
    return (await this.evaluateBatch!([genome], c, ctx))[0]!;
  },
  annotate: withNetwork,
  trainingSetting: (c) => ({ ...booleanTrainingSetting(c) }),
  async evaluateBatch(genomes, c, ctx) {
    checkGenomes(genomes, c);
    const tf = await tfInstance();
    const mo = await metaObjective();
    const train = await scorePopulation(mo, tf, genomes, c, booleanEpisodes(c.train, ctx.seed, c.episodes));
    const held = c.heldOut.length ? await scorePopulation(mo, tf, genomes, c, booleanEpisodes(c.heldOut, ctx.seed, c.episodes)) : null;
    return genomes.map((_, i) => {
      const metrics: Record<string, number> = { accuracy: train.accuracy[i]! };
      c.train.forEach((name, k) => (metrics[`accuracy_${name}`] = perFunction(train.per, k, c.episodes, i)));
      if (held) {
        metrics['heldOutAccuracy'] = held.accuracy[i]!;
        c.heldOut.forEach((name, k) => (metrics[`accuracy_${name}`] = perFunction(held.per, k, c.episodes, i)));
      }
      return { fitness: fitnessOf(c, train.loss[i]!, train.accuracy[i]!, metrics), metrics };
    });
  },
};

const datasets = new Map<string, ImageDataset & { validation: ImageSplit }>();

/**
 * The dataset an image task meta-trains on: train split only, with validation carved out (seeded, fixed; the same
 * examples for every domain), in the given input domain (default 'plain').
 */
export function metaTrainingData(c: Pick<BlurImageConfig, 'dataset' | 'downsample' | 'trainSamples' | 'validation'>, domain = 'plain'): ImageDataset & { validation: ImageSplit } {
  const key = JSON.stringify([c.dataset, c.downsample, c.trainSamples, c.validation, domain]);
  let ds = datasets.get(key);
  if (!ds) {
    if (domain !== 'plain') {
      const plain = metaTrainingData(c);
      ds = transformDataset(plain, parseDomain(domain), `${plain.name}-${domain}`) as ImageDataset & { validation: ImageSplit };
    } else {
      const base = loadImageDataset(c.dataset, { train: c.trainSamples, test: 1, downsample: c.downsample });
      ds = withValidation(base, c.validation, new Rng(deriveSeed(0, 'validation-split', c.dataset)));
    }
    datasets.set(key, ds);
  }
  return ds;
}

/** Episode e's domain: drawn from its own seed, so it does not shift the classes or data of a one-domain task. */
function episodeDomain(c: BlurImageConfig, seed: number, e: number): string {
  return c.domains.length === 1 ? c.domains[0]! : c.domains[new Rng(deriveSeed(seed, 'domain', e)).int(c.domains.length)]!;
}

function imageEpisodes(c: BlurImageConfig, seed: number): Episode[] {
  return Array.from({ length: c.episodes }, (_, e) => {
    const domain = episodeDomain(c, seed, e);
    const sampler = imageEpisodeSampler(metaTrainingData(c, domain), { classPool: c.classes, ways: c.ways }, deriveSeed(seed, 'episode', e));
    return { label: `${domain}:${sampler.classes.join('-')}`, sampler, seed: deriveSeed(seed, 'data', e) };
  });
}

/** Canonical domain names; the target dataset itself can never be one (only transforms of this task's data). */
function domainList(raw: unknown): string[] {
  const v = raw ?? ['plain'];
  if (!Array.isArray(v) || v.length === 0 || v.some((d) => typeof d !== 'string'))
    throw new UsageError(`task config 'domains' must be a non-empty list of domain names such as ["plain", "inverted", "rotate90", "noise"] (got ${JSON.stringify(v)})`);
  return (v as string[]).map((d) => {
    if (d === 'plain') return d;
    if (d === 'mnist' || d === 'fashion-mnist')
      throw new UsageError(`task config 'domains' lists input transforms of the task's own dataset ("plain", "inverted", "rotate90", "noise", …); '${d}' is a dataset: choose it with the task (blur-${d})`);
    try {
      return domainName(parseDomain(d));
    } catch (e) {
      throw new UsageError(`task config 'domains': ${(e as Error).message}`);
    }
  });
}

function imageTask(name: string, dataset: string): Task<BlurGenome, BlurImageConfig> {
  return {
    name,
    description: `BLUR meta-objective on ${dataset} episodes: random class subsets (ways of classes), relabelled, downsampled`,
    genomeKinds: ['blur'],
    usesTensorflow: true,
    resolveConfig(raw) {
      // 'dataset' appears in a resolved config, which the worker threads resolve again; it must be this task's
      const { dataset: given, ...rest } = raw;
      if (given !== undefined && given !== dataset) throw new UsageError(`task '${name}' trains on ${dataset}, not ${JSON.stringify(given)}`);
      raw = rest;
      rejectUnknownKeys(raw, ['classes', 'ways', 'downsample', 'trainSamples', 'validation', 'episodes', 'domains', ...INNER_KEYS], 'task');
      const c: BlurImageConfig = {
        ...innerConfig(raw, { hidden: [64], unrollSteps: 20, batchSize: 32, queryBatchSize: 256 }),
        dataset,
        classes: intList(raw['classes'], 'classes', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], (e) => e >= 0 && e <= 9, 'class indices 0 to 9'),
        ways: configNumber(raw, 'ways', 5, { integer: true, min: 2, max: 10 }),
        downsample: configNumber(raw, 'downsample', 2, { integer: true, min: 1, max: 28 }),
        trainSamples: configNumber(raw, 'trainSamples', 12000, { integer: true, min: 100, max: 60000 }),
        validation: configNumber(raw, 'validation', 2000, { integer: true, min: 10, max: 59000 }),
        episodes: configNumber(raw, 'episodes', 1, { integer: true, min: 1, max: 1000 }),
        domains: domainList(raw['domains']),
      };
      if (c.ways > c.classes.length) throw new UsageError(`task config 'ways' (${c.ways}) exceeds the ${c.classes.length} classes of 'classes'`);
      return c;
    },
    async evaluate(genome, c, ctx) {
      if (ctx.wants === 'fitness+grad') {
        checkGenomes([genome], c);
        return lossAndGrad(await metaObjective(), await tfInstance(), genome, ctx.genomeConfig as BlurGenomeConfig, c, imageEpisodes(c, ctx.seed));
      }
      return (await this.evaluateBatch!([genome], c, ctx))[0]!;
    },
    annotate: withNetwork,
    trainingSetting: (c) => ({ ...imageTrainingSetting(c) }),
    async evaluateBatch(genomes, c, ctx: TaskContext) {
      checkGenomes(genomes, c);
      const r = await scorePopulation(await metaObjective(), await tfInstance(), genomes, c, imageEpisodes(c, ctx.seed));
      return genomes.map((_, i) => {
        const metrics: Record<string, number> = { accuracy: r.accuracy[i]! };
        return { fitness: fitnessOf(c, r.loss[i]!, r.accuracy[i]!, metrics), metrics };
      });
    },
  };
}

export const blurMnistTask = imageTask('blur-mnist', 'mnist');
export const blurFashionMnistTask = imageTask('blur-fashion-mnist', 'fashion-mnist');

