/**
 * Module bank pretraining (issue 4 §2): multi-task training of the templates on MNIST source domains, each domain
 * with its own mixture logits, head and per-position batch-norm statistics (papers.md §3.3, multi-task). The bank
 * and its artifact directory are the model's (src/models/modular/module_bank.ts); drawing the domains' images and
 * the training schedule are this workflow's.
 *
 * Training. Every step draws one seeded batch per source domain and takes one Adam step on the mean of the
 * domains' cross-entropies, over the shared parameters (input adapter, templates, output adapter) and each
 * domain's logits and head. The mixtures are the paper's soft relaxation, softmax(logits / τ), with τ annealed
 * geometrically from `temperature[0]` to `temperature[1]` so they end close to one-hot; the last `hardSteps`
 * steps then freeze each domain's ordering at its argmax and train the templates and heads under those hard
 * orderings, because target domains use the modules hard-picked. Last, each domain's running statistics are
 * set to the moments of `statsSamples` training images under its hard ordering.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { UsageError } from '../core/errors.js';
import { deriveSeed, Rng } from '../core/rng.js';
import { resolveModularConfig } from '../models/modular/modular_config.js';
import { initHead, initMixtureLogits, initModuleBank, initNetworkStats } from '../models/modular/modular_params.js';
import { type Ordering } from '../models/modular/mixture.js';
import { modularForward, softmaxCrossEntropy, updateNetworkStats, type NetworkMoments } from '../models/modular/modular_resnet.js';
import { batchTensors } from '../models/modular/modular_training.js';
import { estimateStats, labelledAccuracy } from '../models/modular/bank_evaluation.js';
import {
  BANK_FORMAT, BANK_VERSION, type BankDomainRecord, type BankManifest, type BankTrainingOptions, type LoadedModuleBank, type SourceDomain,
} from '../models/modular/module_bank.js';
import { adoptAsVariables, disposeTree, mapTree, treeTensors, treeVariables } from '../models/nn/tensor_tree.js';
import { sampleBatch, takeRandom, withValidation } from '../data/image_dataset.js';
import { canonicalDomainName, DEFAULT_SOURCE_DOMAINS, loadDomainDataset } from '../data/mnist_domains.js';

type Tf = typeof tfjs;

export const BANK_TRAINING_DEFAULTS: Readonly<Omit<BankTrainingOptions, 'hardSteps'>> = Object.freeze({
  domains: [...DEFAULT_SOURCE_DOMAINS],
  steps: 1500,
  batchSize: 32,
  learningRate: 5e-3,
  temperature: [1, 0.1] as [number, number],
  trainSamples: 10000,
  validation: 1000,
  testSamples: 2000,
  statsSamples: 512,
  seed: 0,
  network: {},
});

/** Fills defaults and checks every option; errors name the option. */
export function resolveBankTrainingOptions(raw: Partial<BankTrainingOptions> = {}): BankTrainingOptions {
  const d = BANK_TRAINING_DEFAULTS;
  const int = (field: keyof BankTrainingOptions, v: unknown, lo: number, hi: number): number => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw new UsageError(`pretraining ${field} must be an integer from ${lo} to ${hi} (got ${JSON.stringify(v)})`);
    return v;
  };
  const steps = int('steps', raw.steps ?? d.steps, 1, 1e7);
  const domains = raw.domains ?? d.domains;
  if (!Array.isArray(domains) || domains.length === 0) throw new UsageError('pretraining needs at least one source domain');
  const canonical = domains.map((n) => {
    const c = canonicalDomainName(n);
    if (c === 'fashion-mnist') throw new UsageError("pretraining domains are MNIST variants; 'fashion-mnist' is a target domain");
    return c;
  });
  const dup = canonical.find((n, i) => canonical.indexOf(n) !== i);
  if (dup) throw new UsageError(`source domain '${dup}' is listed twice`);
  const lr = raw.learningRate ?? d.learningRate;
  if (typeof lr !== 'number' || !(lr > 0) || !Number.isFinite(lr)) throw new UsageError(`pretraining learningRate must be a positive number (got ${JSON.stringify(lr)})`);
  const temperature = raw.temperature ?? d.temperature;
  if (!Array.isArray(temperature) || temperature.length !== 2 || temperature.some((t) => typeof t !== 'number' || !(t > 0) || !Number.isFinite(t)))
    throw new UsageError(`pretraining temperature must be two positive numbers [start, end] (got ${JSON.stringify(temperature)})`);
  const trainSamples = int('trainSamples', raw.trainSamples ?? d.trainSamples, 2, 60000);
  const validation = int('validation', raw.validation ?? d.validation, 1, trainSamples - 1);
  const batchSize = int('batchSize', raw.batchSize ?? d.batchSize, 1, trainSamples - validation);
  const out: BankTrainingOptions = {
    domains: canonical,
    steps,
    hardSteps: int('hardSteps', raw.hardSteps ?? Math.round(steps / 5), 0, steps),
    batchSize,
    learningRate: lr,
    temperature: [temperature[0]!, temperature[1]!],
    trainSamples,
    validation,
    testSamples: int('testSamples', raw.testSamples ?? d.testSamples, 1, 10000),
    statsSamples: int('statsSamples', raw.statsSamples ?? d.statsSamples, 2, trainSamples - validation),
    seed: int('seed', raw.seed ?? d.seed, 0, 4294967295),
    network: { ...(raw.network ?? {}) },
  };
  resolveModularConfig(out.network); // fail early on bad sizes
  return out;
}

/** Index of the largest entry of each row (first wins ties). */
export function argmaxRows(rows: number[][]): number[] {
  return rows.map((r) => r.reduce((best, v, k) => (v > r[best]! ? k : best), 0));
}

export interface PretrainProgress {
  step: number;
  steps: number;
  /** Mean cross-entropy over the domains at this step (before the update). */
  loss: number;
  temperature: number;
  phase: 'soft' | 'hard';
}

export interface PretrainResult {
  bank: LoadedModuleBank;
  /** The mean loss of every step. */
  losses: number[];
}

/** τ at soft step s of S: geometric from start to end. */
export function temperatureAt(t: [number, number], s: number, softSteps: number): number {
  if (softSteps <= 1) return t[1];
  return t[0] * Math.pow(t[1] / t[0], s / (softSteps - 1));
}

function round4(v: number): number {
  return Math.round(v * 1e4) / 1e4;
}

/**
 * Pretrains a bank from scratch (module doc). The backend must be initialised (wasm recommended). Deterministic
 * for a seed on a given backend.
 */
export async function pretrainModuleBank(tf: Tf, raw: Partial<BankTrainingOptions> = {}, onProgress?: (p: PretrainProgress) => void): Promise<PretrainResult> {
  const o = resolveBankTrainingOptions(raw);
  const c = resolveModularConfig(o.network);
  const t0 = performance.now();
  const data = o.domains.map((name) => {
    const ds = loadDomainDataset(name, { train: o.trainSamples, test: o.testSamples });
    if (ds.train.labels.length < o.trainSamples) throw new UsageError(`domain ${name} has only ${ds.train.labels.length} training images (asked ${o.trainSamples})`);
    const split = withValidation(ds, o.validation, new Rng(deriveSeed(o.seed, 'bank-validation', name)));
    return { name, numClasses: ds.numClasses, train: split.train, validation: split.validation, test: split.test };
  });
  const rng = new Rng(deriveSeed(o.seed, 'bank-init'));
  const bank = adoptAsVariables(tf, initModuleBank(tf, c, rng));
  const domains = data.map((d) => ({
    name: d.name,
    logits: adoptAsVariables(tf, initMixtureLogits(tf, c, rng)) as unknown as tfjs.Variable<tfjs.Rank.R2>,
    head: adoptAsVariables(tf, initHead(tf, c, d.numClasses, rng)),
    stats: initNetworkStats(tf, c),
  }));
  const optimizer = tf.train.adam(o.learningRate);
  const softSteps = o.steps - o.hardSteps;
  const losses: number[] = [];
  let hardOrders: number[][] | null = null;
  const pixels = c.inputHeight * c.inputWidth * c.inputChannels;
  try {
    for (let step = 0; step < o.steps; step++) {
      const soft = step < softSteps;
      const tau = soft ? temperatureAt(o.temperature, step, softSteps) : o.temperature[1];
      if (!soft && hardOrders === null) hardOrders = domains.map((d) => argmaxRows(d.logits.arraySync()));
      const batches = data.map((d) => {
        const b = sampleBatch(d.train, o.batchSize, new Rng(deriveSeed(o.seed, 'bank-batch', d.name, step)));
        if (b.x.length !== o.batchSize * pixels) throw new Error('pretraining batch has the wrong size');
        return batchTensors(tf, c, b.x, b.labels);
      });
      // Logits last: tfjs's Adam keys its moments by position in the gradient list, which must not shift when they leave it.
      const vars = [...treeVariables(tf, bank), ...domains.flatMap((d) => treeVariables(tf, d.head)), ...(soft ? domains.map((d) => d.logits) : [])];
      const moments: NetworkMoments[] = [];
      const cost = optimizer.minimize(() => {
        let total: tfjs.Scalar = tf.scalar(0);
        domains.forEach((d, k) => {
          const ordering: Ordering = soft ? { logits: tf.div(d.logits, tau) as tfjs.Tensor2D } : { modules: hardOrders![k]! };
          const r = modularForward(tf, c, bank, ordering, d.head, batches[k]!.x, { training: true });
          for (const t of treeTensors(tf, r.moments)) tf.keep(t);
          moments.push(r.moments!);
          total = tf.add(total, tf.div(softmaxCrossEntropy(tf, r.logits, batches[k]!.y), domains.length));
        });
        return total;
      }, true, vars);
      const loss = cost!.dataSync()[0]!;
      cost!.dispose();
      domains.forEach((d, k) => {
        const next = updateNetworkStats(tf, c, d.stats, moments[k]!);
        disposeTree(tf, d.stats);
        d.stats = next;
      });
      disposeTree(tf, moments);
      disposeTree(tf, batches);
      if (!Number.isFinite(loss)) throw new Error(`pretraining diverged at step ${step} (loss ${loss}); lower the learning rate`);
      losses.push(loss);
      onProgress?.({ step, steps: o.steps, loss, temperature: tau, phase: soft ? 'soft' : 'hard' });
      if (step % 20 === 19) await new Promise((r) => setImmediate(r)); // let a progress bar or signal through
    }
  } finally {
    optimizer.dispose();
  }
  // Freeze: plain tensors, final statistics under the hard orderings, accuracies.
  const frozenBank = mapTree(tf, bank, (t) => tf.clone(t));
  disposeTree(tf, bank);
  const finalTau = o.temperature[1];
  const sources: SourceDomain[] = [];
  const records: BankDomainRecord[] = [];
  domains.forEach((d, k) => {
    const ordering = hardOrders?.[k] ?? argmaxRows(d.logits.arraySync());
    const logits = tf.clone(d.logits) as tfjs.Tensor2D;
    const head = mapTree(tf, d.head, (t) => tf.clone(t));
    const mixture = tf.tidy(() => tf.softmax(tf.div(logits, finalTau)).arraySync() as number[][]);
    const statsImages = takeRandom(data[k]!.train, o.statsSamples, new Rng(deriveSeed(o.seed, 'bank-stats', d.name))).images;
    const stats = estimateStats(tf, c, frozenBank, { modules: ordering }, statsImages);
    disposeTree(tf, [d.logits, d.head, d.stats]);
    sources.push({ name: d.name, logits, head, stats, ordering });
    records.push({
      name: d.name,
      ordering,
      mixture: mixture.map((r) => r.map(round4)),
      validationAccuracy: round4(labelledAccuracy(tf, c, frozenBank, { modules: ordering }, head, stats, data[k]!.validation)),
      testAccuracy: round4(labelledAccuracy(tf, c, frozenBank, { modules: ordering }, head, stats, data[k]!.test)),
    });
  });
  const manifest: BankManifest = {
    format: BANK_FORMAT,
    version: BANK_VERSION,
    createdAt: new Date().toISOString(),
    config: c,
    sourceDomains: o.domains,
    domains: records,
    training: { ...o, finalLoss: losses.at(-1)!, wallSeconds: Math.round((performance.now() - t0) / 100) / 10, backend: tf.getBackend() },
    weightsManifest: [],
    weightsBytes: 0,
    weightsSha256: '',
  };
  return { bank: { config: c, bank: frozenBank, domains: sources, manifest }, losses };
}
