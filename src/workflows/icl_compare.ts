/**
 * The comparison of "Transformers learn in-context by gradient descent" (von Oswald et al., ICML 2023): a linear
 * self-attention model meta-trained with `metagrad` on fresh regression tasks against K plain gradient-descent steps
 * with the learning rate the engine finds best (CMA-ES over log10 η on the `icl-gd` task), scored on a test set by
 * their losses, the difference of their predictions and the cosine of their sensitivities ∂ŷ/∂x_q, in distribution
 * and under the paper's shifts of the input range and the weight scale.
 *
 * Seeds: the meta-training tasks come from the metagrad runs' seeds (the engine derives one per evaluation), GD's
 * learning rate is fitted on one fixed meta-training batch, the training point is chosen on a meta-validation set
 * only, and the test sets are scored once; `checkDisjointSeeds` refuses a run whose sets share a seed.
 */
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type * as tfjs from '@tensorflow/tfjs';
import { UsageError } from '../core/errors.js';
import { deriveSeed } from '../core/rng.js';
import { writeGenomeFile } from '../core/genome_file.js';
import { iclTokens, sampleIclBatch, type IclBatch, type IclTaskOptions } from '../data/linear_regression_icl.js';
import { resolveRunConfig } from '../engine/run_config.js';
import type { BackendRequest } from '../runtime/backend_names.js';
import { getTf, initBackend } from '../runtime/backend.js';
import { lsaParamsFromFlat, lsaPredict, lsaQueryLoss, lsaQuerySensitivity } from '../models/lsa/lsa.js';
import { gdConstructionWeights } from '../models/lsa/gd_construction.js';
import { gdPredict, gdWeights, halfMeanSquaredError } from '../models/lsa/gradient_descent.js';
import type { LsaForm, LsaSpec } from '../models/lsa/lsa_spec.js';
import { lsaFlatWeights, lsaWeightsGenome, type LsaWeightsConfig, type LsaWeightsGenome } from '../../genomes/lsa_weights.js';
import { builtinRegistry } from '../plugins.js';
import { runPoint } from '../store/run_point.js';
import { resumeRun, runSearch } from '../search.js';

/** The model and task family compared. */
export interface IclModelSettings {
  nx: number;
  /** N: context pairs per task. */
  n: number;
  /** K: LSA layers, and GD steps. */
  layers: number;
  looped: boolean;
  form: LsaForm;
}

/** One metagrad run: Adam at `learningRate` for `generations` meta-steps. */
export interface IclTrainStage {
  generations: number;
  learningRate: number;
}

export interface IclTrainOptions {
  /** Run one after another, each from the previous stage's best meta-validation point (a step-down schedule). */
  stages: IclTrainStage[];
  /** Evaluations per meta-step (each its own fresh task batch). */
  metaBatch: number;
  /** Tasks per evaluation. */
  batchSize: number;
  /** Meta-validation after every this many meta-steps; the point with the lowest meta-validation loss is kept. */
  validateEvery: number;
  /** Root of the runs' seeds (each stage: deriveSeed(seed, 'lsa', K, stage)). */
  seed: number;
  /** Standard deviation of the random start. */
  initScale: number;
}

export interface IclGdSearchOptions {
  /** Seed of the fixed meta-training batch GD's learning rate is fitted on. */
  dataSeed: number;
  batchSize: number;
  generations: number;
  /** Run seed of the CMA-ES search. */
  seed: number;
}

/** A test distribution: inputs from U(−α, α), weights from N(0, s²I). */
export interface IclShift {
  label: string;
  inputRange: number;
  weightScale: number;
}

/** In distribution, then the paper's out-of-distribution scalings ×2 and ×4 of the input range and the weight scale. */
export const ICL_SHIFTS: readonly IclShift[] = [
  { label: 'in distribution', inputRange: 1, weightScale: 1 },
  { label: 'inputs ×2', inputRange: 2, weightScale: 1 },
  { label: 'inputs ×4', inputRange: 4, weightScale: 1 },
  { label: 'weights ×2', inputRange: 1, weightScale: 2 },
  { label: 'weights ×4', inputRange: 1, weightScale: 4 },
];

export interface IclCompareOptions {
  model: IclModelSettings;
  train: IclTrainOptions;
  gd: IclGdSearchOptions;
  validation: { seed: number; tasks: number };
  /** Each shift is scored on its own batch, from deriveSeed(seed, 'test', label). */
  test: { seed: number; tasks: number; shifts?: readonly IclShift[] };
  /** Run folders are written under it; it must not hold them already. */
  outDir: string;
  backend?: BackendRequest;
  log?: (line: string) => void;
}

/** How closely the trained model follows GD on one test distribution (means over the test tasks). */
export interface IclAlignment {
  label: string;
  inputRange: number;
  weightScale: number;
  lsaLoss: number;
  gdLoss: number;
  /** Loss of predicting 0, the scale of the task. */
  zeroLoss: number;
  /** Mean |ŷ_LSA − ŷ_GD|. */
  predictionDiff: number;
  /** Mean cosine of ∂ŷ_LSA/∂x_q and ∂ŷ_GD/∂x_q. */
  sensitivityCosine: number;
  /** Mean ‖∂ŷ_LSA/∂x_q − ∂ŷ_GD/∂x_q‖₂. */
  sensitivityDiff: number;
  /** max |ŷ − ŷ_GD| of the constructed LSA (the GD step weights at GD's η) on the same tasks: the construction's float error. */
  constructionMaxDiff: number;
}

export interface IclValidationPoint {
  stage: number;
  generation: number;
  valLoss: number;
}

/** A search the workflow ran, as command-line flags (kebab-case) and its folder. */
export interface IclRun {
  dir: string;
  flags: Record<string, unknown>;
  wallSeconds: number;
}

/**
 * One trained layer read against the construction, whose products are A = P W_V = (η/N)[[0, 0], [0, −1]] and
 * M = W_Kᵀ W_Q = [[I, 0], [0, 0]] up to a factor c on A and 1/c on M (the model depends only on their product).
 */
export interface IclLayerReading {
  layer: number;
  /** −N · A_yy · mean_k M_kk: the learning rate of the GD step the layer's main entries make. */
  etaEffective: number;
  /** Largest |A_ij| outside A_yy, relative to |A_yy|: A's x rows update the x entries (beyond GD). */
  aOther: number;
  /** Largest |M_ij| outside M's x diagonal, relative to mean_k |M_kk|. */
  mOther: number;
}

export interface IclCompareResult {
  model: IclModelSettings;
  /** The chosen model's layers against the construction. */
  layers: IclLayerReading[];
  eta: number;
  /** GD's loss on its fixed meta-training batch at η. */
  gdTrainLoss: number;
  chosen: IclValidationPoint;
  curve: IclValidationPoint[];
  /** The chosen genome's file. */
  genomeFile: string;
  test: IclAlignment[];
  runs: IclRun[];
  seeds: { trainRuns: number[]; gdData: number; gdRun: number; validation: number; test: number[] };
}

/** Plain summaries of predictions and sensitivities ([B, N_x] rows) of a model against GD's. */
export function alignmentMetrics(pred: ArrayLike<number>, sens: ArrayLike<number>, gdPred: ArrayLike<number>, gdSens: ArrayLike<number>, nx: number): { predictionDiff: number; sensitivityCosine: number; sensitivityDiff: number } {
  const b = pred.length;
  if (gdPred.length !== b || sens.length !== b * nx || gdSens.length !== b * nx) throw new Error('alignment: predictions and sensitivities disagree in size');
  let pd = 0;
  let cos = 0;
  let sd = 0;
  for (let i = 0; i < b; i++) {
    pd += Math.abs(pred[i]! - gdPred[i]!);
    let dot = 0;
    let na = 0;
    let ng = 0;
    let dd = 0;
    for (let k = 0; k < nx; k++) {
      const a = sens[i * nx + k]!;
      const g = gdSens[i * nx + k]!;
      dot += a * g;
      na += a * a;
      ng += g * g;
      dd += (a - g) ** 2;
    }
    cos += na > 0 && ng > 0 ? dot / Math.sqrt(na * ng) : 0;
    sd += Math.sqrt(dd);
  }
  return { predictionDiff: pd / b, sensitivityCosine: cos / b, sensitivityDiff: sd / b };
}

/** The test metrics of an LSA genome against `steps` GD steps at η on one batch of tasks. */
export function alignLsaWithGd(tf: typeof tfjs, genome: LsaWeightsGenome, eta: number, data: IclBatch, shift: IclShift): IclAlignment {
  const spec = genome.spec;
  const steps = spec.layers;
  const tokens = tf.tensor3d(iclTokens(data), [data.batch, data.n + 1, data.nx + 1]);
  try {
    const run = (flat: number[]) => tf.tidy(() => {
      const params = lsaParamsFromFlat(tf, tf.tensor1d(flat), spec);
      return { pred: lsaPredict(tf, params, tokens, spec).dataSync(), sens: lsaQuerySensitivity(tf, params, tokens, spec).dataSync() };
    });
    const lsa = run(lsaFlatWeights(genome));
    const constructed = run(gdConstructionWeights({ ...spec, attendToQuery: false }, eta, data.n)).pred;
    const gdSens = gdWeights(data, eta, steps).w;
    const gdPred = gdPredict(data, eta, steps);
    return {
      label: shift.label, inputRange: shift.inputRange, weightScale: shift.weightScale,
      lsaLoss: halfMeanSquaredError(lsa.pred, data.yq),
      gdLoss: halfMeanSquaredError(gdPred, data.yq),
      zeroLoss: halfMeanSquaredError(new Float64Array(data.batch), data.yq),
      ...alignmentMetrics(lsa.pred, lsa.sens, gdPred, gdSens, data.nx),
      constructionMaxDiff: gdPred.reduce((m, g, i) => Math.max(m, Math.abs(g - constructed[i]!)), 0),
    };
  } finally {
    tokens.dispose();
  }
}

/** Row-major D × D product. */
function matMul(a: readonly number[][], b: readonly number[][], transposeA = false): number[][] {
  const d = a.length;
  return Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => {
    let s = 0;
    for (let k = 0; k < d; k++) s += (transposeA ? a[k]![i]! : a[i]![k]!) * b[k]![j]!;
    return s;
  }));
}

/** Each stored layer of the genome against the GD construction (see IclLayerReading). */
export function readLayersAgainstConstruction(genome: LsaWeightsGenome, n: number): IclLayerReading[] {
  const nx = genome.spec.nx;
  return genome.layers.map((layer, l) => {
    const a = genome.spec.form === 'pq' ? layer['P']! : matMul(layer['P']!, layer['WV']!);
    const m = genome.spec.form === 'pq' ? layer['Q']! : matMul(layer['WK']!, layer['WQ']!, true);
    const ayy = a[nx]![nx]!;
    const mDiag = m.slice(0, nx).reduce((s, row, k) => s + row[k]!, 0) / nx;
    let aOther = 0;
    let mOther = 0;
    a.forEach((row, i) => row.forEach((v, j) => { if (i !== nx || j !== nx) aOther = Math.max(aOther, Math.abs(v)); }));
    m.forEach((row, i) => row.forEach((v, j) => { if (i !== j || i === nx) mOther = Math.max(mOther, Math.abs(v)); }));
    return { layer: l, etaEffective: -n * ayy * mDiag, aOther: aOther / Math.abs(ayy), mOther: mOther / Math.abs(mDiag) };
  });
}

/** Refuses sets that share a seed: every meta-training evaluation's seed, GD's batch, meta-validation, the tests. */
export function checkDisjointSeeds(trainEvaluationSeeds: ReadonlySet<number>, others: Readonly<Record<string, number>>): void {
  const seen = new Map<number, string>();
  for (const [name, seed] of Object.entries(others)) {
    if (trainEvaluationSeeds.has(seed)) throw new UsageError(`icl: the ${name} seed ${seed} is also a meta-training task seed; choose another root seed`);
    const other = seen.get(seed);
    if (other !== undefined) throw new UsageError(`icl: the ${name} and ${other} sets share the seed ${seed}; choose other root seeds`);
    seen.set(seed, name);
  }
}

function taskOptions(m: IclModelSettings, shift: Pick<IclShift, 'inputRange' | 'weightScale'>): IclTaskOptions {
  return { nx: m.nx, n: m.n, inputRange: shift.inputRange, weightScale: shift.weightScale };
}

/** Runs one search through the composition root (inline: the runs here score one small batch per candidate). */
async function search(flags: Record<string, unknown>, dir: string, backend: BackendRequest): Promise<number> {
  const t0 = performance.now();
  await runSearch(resolveRunConfig({ ...flags, workers: 0, backend }, () => 0), dir);
  return (performance.now() - t0) / 1000;
}

/** GD's learning rate for `steps` steps: CMA-ES over log10 η on the fixed meta-training batch. */
export async function findGdLearningRate(m: IclModelSettings, o: IclGdSearchOptions, dir: string, backend: BackendRequest = 'auto'): Promise<{ eta: number; trainLoss: number; run: IclRun }> {
  const flags = {
    genome: 'vector', dim: 1, task: 'icl-gd', strategy: 'cmaes', x0: 0, sigma0: 0.5, 'max-generations': o.generations, seed: o.seed,
    'task-config': { nx: m.nx, n: m.n, steps: m.layers, batchSize: o.batchSize, dataSeed: o.dataSeed },
  };
  const wallSeconds = await search(flags, dir, backend);
  const registry = builtinRegistry();
  const { x, config } = runPoint(dir, 'mean', registry);
  const task = registry.tasks['icl-gd']!;
  const r = await task.evaluate(x, task.resolveConfig(config.taskConfig), { seed: 0, wants: 'fitness', genomeKind: 'vector', genomeConfig: { dim: 1 } });
  return { eta: 10 ** x[0]!, trainLoss: r.fitness, run: { dir, flags, wallSeconds } };
}

/** The lsa-weights settings of the model. */
export function lsaKindConfig(m: IclModelSettings, initScale: number): LsaWeightsConfig {
  return lsaWeightsGenome.resolveConfig({ nx: m.nx, layers: m.layers, looped: m.looped, form: m.form, attendToQuery: false, initScale });
}

/**
 * Meta-trains the LSA with metagrad in `stages`, validating every `validateEvery` meta-steps (the run is resumed
 * with a larger budget between validations, so Adam's state carries on), and keeps the point with the lowest
 * meta-validation loss. Returns it with the validation curve and the runs.
 */
export async function trainLsa(m: IclModelSettings, o: IclTrainOptions, validation: IclBatch, outDir: string, backend: BackendRequest = 'auto', log: (line: string) => void = () => {}): Promise<{ genome: LsaWeightsGenome; chosen: IclValidationPoint; curve: IclValidationPoint[]; runs: IclRun[]; genomeFile: string }> {
  const tf = getTf();
  const kindConfig = lsaKindConfig(m, o.initScale);
  const spec: LsaSpec = kindConfig;
  const registry = builtinRegistry();
  const tokens = tf.tensor3d(iclTokens(validation), [validation.batch, validation.n + 1, validation.nx + 1]);
  const targets = tf.tensor1d(Float32Array.from(validation.yq));
  const valLoss = (x: number[]): number => tf.tidy(() => lsaQueryLoss(tf, lsaParamsFromFlat(tf, tf.tensor1d(x), spec), tokens, targets, spec).dataSync()[0]!);
  const curve: IclValidationPoint[] = [];
  const runs: IclRun[] = [];
  let best: (IclValidationPoint & { x: number[] }) | null = null;
  let init = 'random';
  const genomeFile = join(outDir, `lsa-K${m.layers}${m.looped ? '-looped' : ''}.best-val.json`);
  try {
    for (const [i, stage] of o.stages.entries()) {
      const dir = join(outDir, `lsa-K${m.layers}${m.looped ? '-looped' : ''}-stage${i + 1}`);
      const flags = {
        genome: 'lsa-weights', task: 'icl-linear-regression', strategy: 'metagrad', init, sigma0: stage.learningRate,
        'strategy-params': { metaBatch: o.metaBatch }, 'genome-config': { ...kindConfig }, 'task-config': { n: m.n, batchSize: o.batchSize },
        'max-generations': stage.generations, seed: deriveSeed(o.seed, 'lsa', m.layers, i),
      };
      const first = Math.min(o.validateEvery, stage.generations);
      let wallSeconds = await search({ ...flags, 'max-generations': first }, dir, backend);
      for (let g = first; ; g = Math.min(g + o.validateEvery, stage.generations)) {
        if (g > first) {
          const t0 = performance.now();
          await resumeRun(dir, { overrides: { maxGenerations: g } });
          wallSeconds += (performance.now() - t0) / 1000;
        }
        const { x } = runPoint(dir, 'mean', registry);
        const point = { stage: i + 1, generation: g, valLoss: valLoss(x) };
        curve.push(point);
        if (!best || point.valLoss < best.valLoss) best = { ...point, x };
        log(`  K=${m.layers} stage ${i + 1} (lr ${stage.learningRate}) meta-step ${g}: meta-validation loss ${point.valLoss.toFixed(4)}`);
        if (g >= stage.generations) break;
      }
      runs.push({ dir, flags, wallSeconds });
      // The next stage starts from the best point so far, chosen on meta-validation only.
      writeGenomeFile(genomeFile, lsaWeightsGenome, lsaWeightsGenome.decode(best!.x, kindConfig), kindConfig, {
        run: dir, fitness: best!.valLoss, task: 'icl-linear-regression', taskConfig: { n: m.n }, strategy: 'metagrad',
        notes: `meta-validation loss at stage ${best!.stage}, meta-step ${best!.generation}`,
      });
      init = genomeFile;
    }
  } finally {
    tokens.dispose();
    targets.dispose();
  }
  const { x, ...chosen } = best!;
  return { genome: lsaWeightsGenome.decode(x, kindConfig), chosen, curve, runs, genomeFile };
}

/** Every meta-training evaluation seed of the stages (deriveSeed(run seed, 'eval', generation, index), as the engine draws them). */
export function trainEvaluationSeeds(m: IclModelSettings, o: IclTrainOptions): Set<number> {
  const seeds = new Set<number>();
  o.stages.forEach((stage, i) => {
    const run = deriveSeed(o.seed, 'lsa', m.layers, i);
    for (let g = 0; g < stage.generations; g++) for (let c = 0; c < o.metaBatch; c++) seeds.add(deriveSeed(run, 'eval', g, c));
  });
  return seeds;
}

/** The whole comparison for one K: GD's learning rate, the meta-trained LSA, and the test metrics per shift. */
export async function compareLsaWithGd(o: IclCompareOptions): Promise<IclCompareResult> {
  const log = o.log ?? (() => {});
  const backend = o.backend ?? 'auto';
  await initBackend(backend);
  const shifts = o.test.shifts ?? ICL_SHIFTS;
  const testSeeds = shifts.map((s) => deriveSeed(o.test.seed, 'test', s.label));
  checkDisjointSeeds(trainEvaluationSeeds(o.model, o.train), {
    'GD meta-training': o.gd.dataSeed, 'meta-validation': o.validation.seed, ...Object.fromEntries(shifts.map((s, i) => [`test (${s.label})`, testSeeds[i]!])),
  });
  mkdirSync(o.outDir, { recursive: true });
  const tag = `K${o.model.layers}${o.model.looped ? '-looped' : ''}`;
  const gd = await findGdLearningRate(o.model, o.gd, join(o.outDir, `gd-${tag}`), backend);
  log(`  K=${o.model.layers}: GD's learning rate η = ${gd.eta.toFixed(4)} (meta-training loss ${gd.trainLoss.toFixed(4)})`);
  const validation = sampleIclBatch(o.validation.tasks, taskOptions(o.model, ICL_SHIFTS[0]!), o.validation.seed);
  const trained = await trainLsa(o.model, o.train, validation, o.outDir, backend, log);
  const tf = getTf();
  const test = shifts.map((s, i) => alignLsaWithGd(tf, trained.genome, gd.eta, sampleIclBatch(o.test.tasks, taskOptions(o.model, s), testSeeds[i]!), s));
  return {
    model: o.model, layers: readLayersAgainstConstruction(trained.genome, o.model.n), eta: gd.eta, gdTrainLoss: gd.trainLoss, chosen: trained.chosen, curve: trained.curve, genomeFile: trained.genomeFile, test,
    runs: [gd.run, ...trained.runs],
    seeds: { trainRuns: o.train.stages.map((_, i) => deriveSeed(o.train.seed, 'lsa', o.model.layers, i)), gdData: o.gd.dataSeed, gdRun: o.gd.seed, validation: o.validation.seed, test: testSeeds },
  };
}
