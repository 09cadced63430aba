/**
 * The module bank (issue 4 §2): multi-task pretraining of the templates on MNIST source domains, each domain
 * with its own mixture logits, head and per-position batch-norm statistics (papers.md §3.3, multi-task), and
 * the bank as an artifact directory that later runs load by path.
 *
 * Training. Every step draws one seeded batch per source domain and takes one Adam step on the mean of the
 * domains' cross-entropies, over the shared parameters (input adapter, templates, output adapter) and each
 * domain's logits and head. The mixtures are the paper's soft relaxation, softmax(logits / τ), with τ annealed
 * geometrically from `temperature[0]` to `temperature[1]` so they end close to one-hot; the last `hardSteps`
 * steps then freeze each domain's ordering at its argmax and train the templates and heads under those hard
 * orderings, because target domains use the modules hard-picked. Last, each domain's running statistics are
 * set to the moments of `statsSamples` training images under its hard ordering.
 *
 * Artifact (a directory):
 *   bank.json    format 'evometa-module-bank', version 1: the network config, source domains with their
 *                orderings, mixture probabilities and final accuracies, the training settings and seeds, and a
 *                tfjs `weightsManifest` naming every tensor in weights.bin (with its byte count and SHA-256)
 *   weights.bin  float32 tensors, tfjs `io.encodeWeights` layout: bank.*, then domains.<name>.{logits,head,stats}.*
 */
import type * as tfjs from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { deriveSeed, Rng } from '../../core/rng.js';
import { resolveModularConfig, type ModularResNetConfig } from './modular_config.js';
import { initHead, initMixtureLogits, initModuleBank, initNetworkStats, type DomainHead, type ModuleBank, type NetworkStats } from './modular_params.js';
import { type Ordering } from './mixture.js';
import { modularForward, softmaxCrossEntropy, updateNetworkStats, type NetworkMoments } from './modular_resnet.js';
import { batchTensors } from './modular_training.js';
import { disposeTree, flattenTree, mapTree, toVariables, treeTensors, treeVariables } from '../nn/tensor_tree.js';
import { sampleBatch, takeRandom, withValidation, type ImageSplit } from '../../data/image_dataset.js';
import { canonicalDomainName, DEFAULT_SOURCE_DOMAINS, loadDomainDataset } from '../../data/mnist_domains.js';

type Tf = typeof tfjs;

export const BANK_FORMAT = 'evometa-module-bank';
export const BANK_VERSION = 1;
export const BANK_MANIFEST_FILE = 'bank.json';
export const BANK_WEIGHTS_FILE = 'weights.bin';

/** Settings of a pretraining run (all recorded in the manifest). */
export interface BankTrainingOptions {
  /** Source domain names (src/data/mnist_domains.ts). Default plain, inverted, rotate90, noise. */
  domains: string[];
  /** Optimiser steps in all (soft then hard). Default 1500. */
  steps: number;
  /** Of those, the last ones with hard (argmax) orderings. Default steps / 5, rounded. */
  hardSteps: number;
  /** Images per domain per step. Default 32. */
  batchSize: number;
  /** Adam learning rate. Default 5e-3. */
  learningRate: number;
  /** Mixture temperature τ: [start, end], geometric over the soft steps. Default [1, 0.1]. */
  temperature: [number, number];
  /** MNIST training images per domain (the first ones of the train file), validation included. Default 10000. */
  trainSamples: number;
  /** Of those, held out per domain for the final validation accuracy. Default 1000. */
  validation: number;
  /** Test images per domain for the final test accuracy (MNIST's t10k file). Default 2000. */
  testSamples: number;
  /** Images per domain whose moments become the saved running statistics. Default 512. */
  statsSamples: number;
  seed: number;
  /** Network sizes (modular_config.ts); unset fields take its defaults. */
  network: Partial<ModularResNetConfig>;
}

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

/** One source domain of a bank, in memory. */
export interface SourceDomain {
  name: string;
  /** [L, K] mixture logits as trained (before the temperature). */
  logits: tfjs.Tensor2D;
  head: DomainHead;
  /** Running statistics under the domain's hard ordering. */
  stats: NetworkStats;
  /** argmax of the logits per position: the domain's (source) ordering. */
  ordering: number[];
}

export interface BankDomainRecord {
  name: string;
  ordering: number[];
  /** softmax(logits / final τ) per position, rounded to 4 digits: how close to one-hot the mixture ended. */
  mixture: number[][];
  /** Hard ordering, saved statistics, the domain's head. */
  validationAccuracy: number;
  testAccuracy: number;
}

export interface BankManifest {
  format: typeof BANK_FORMAT;
  version: typeof BANK_VERSION;
  createdAt: string;
  config: ModularResNetConfig;
  sourceDomains: string[];
  domains: BankDomainRecord[];
  training: BankTrainingOptions & { finalLoss: number; wallSeconds: number; backend: string };
  /** tfjs layout: one group whose paths name weights.bin. */
  weightsManifest: { paths: string[]; weights: tfjs.io.WeightsManifestEntry[] }[];
  weightsBytes: number;
  weightsSha256: string;
}

/** A bank in memory: trained here or loaded from a directory. The tensors belong to it (`disposeModuleBank`). */
export interface LoadedModuleBank {
  config: ModularResNetConfig;
  bank: ModuleBank;
  domains: SourceDomain[];
  manifest: BankManifest;
  /** The directory it was loaded from, absolute. */
  dir?: string;
}

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

/** The tree as trainable variables, the given tensors disposed (`toVariables` leaves them to the caller). */
export function adoptAsVariables<T>(tf: Tf, tree: T): T {
  const v = toVariables(tf, tree);
  disposeTree(tf, tree);
  return v;
}

/** Moments of one training-mode pass as running statistics; a skipped position keeps mean 0, variance 1. */
export function momentsAsStats(tf: Tf, c: ModularResNetConfig, moments: NetworkMoments): NetworkStats {
  const init = initNetworkStats(tf, c);
  const out: NetworkStats = {
    input: { mean: tf.clone(moments.input.mean), variance: tf.clone(moments.input.variance) },
    blocks: init.blocks.map((b, l) => {
      const m = moments.blocks[l];
      if (!m) return { bn1: { mean: tf.clone(b.bn1.mean), variance: tf.clone(b.bn1.variance) }, bn2: { mean: tf.clone(b.bn2.mean), variance: tf.clone(b.bn2.variance) }, bn3: { mean: tf.clone(b.bn3.mean), variance: tf.clone(b.bn3.variance) } };
      return mapTree(tf, m, (t) => tf.clone(t));
    }),
  };
  disposeTree(tf, init);
  return out;
}

/** Running statistics set to the batch moments of `images` (one training-mode pass, nothing trained). */
export function estimateStats(tf: Tf, c: ModularResNetConfig, bank: ModuleBank, ordering: Ordering, images: Float32Array, head?: DomainHead): NetworkStats {
  const n = images.length / (c.inputHeight * c.inputWidth * c.inputChannels);
  return tf.tidy(() => {
    const x = tf.tensor4d(images, [n, c.inputHeight, c.inputWidth, c.inputChannels]);
    const h = head ?? { kernel: tf.zeros([c.features, 1]) as tfjs.Tensor2D, bias: tf.zeros([1]) as tfjs.Tensor1D };
    const r = modularForward(tf, c, bank, ordering, h, x, { training: true });
    return momentsAsStats(tf, c, r.moments!);
  });
}

/** Index of the largest entry of each row (first wins ties). */
export function argmaxRows(rows: number[][]): number[] {
  return rows.map((r) => r.reduce((best, v, k) => (v > r[best]! ? k : best), 0));
}

/** Accuracy of a network on a split in inference mode, in chunks. */
export function splitAccuracy(tf: Tf, c: ModularResNetConfig, bank: ModuleBank, ordering: Ordering, head: DomainHead, stats: NetworkStats, split: ImageSplit, chunk = 250): number {
  const n = split.labels.length;
  const p = c.inputHeight * c.inputWidth * c.inputChannels;
  let correct = 0;
  for (let at = 0; at < n; at += chunk) {
    const m = Math.min(chunk, n - at);
    correct += tf.tidy(() => {
      const x = tf.tensor4d(split.images.subarray(at * p, (at + m) * p), [m, c.inputHeight, c.inputWidth, c.inputChannels]);
      const r = modularForward(tf, c, bank, ordering, head, x, { training: false, stats });
      const pred = tf.argMax(r.logits, 1).dataSync();
      let k = 0;
      for (let i = 0; i < m; i++) if (pred[i] === split.labels[at + i]) k++;
      return k;
    });
  }
  return n === 0 ? NaN : correct / n;
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
      validationAccuracy: round4(splitAccuracy(tf, c, frozenBank, { modules: ordering }, head, stats, data[k]!.validation)),
      testAccuracy: round4(splitAccuracy(tf, c, frozenBank, { modules: ordering }, head, stats, data[k]!.test)),
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

/** The tensors of a bank as saved: bank.*, domains.<name>.{logits, head.*, stats.*}. */
function savedTree(b: Pick<LoadedModuleBank, 'bank' | 'domains'>): Record<string, unknown> {
  return {
    bank: b.bank,
    domains: Object.fromEntries(b.domains.map((d) => [d.name, { logits: d.logits, head: d.head, stats: d.stats }])),
  };
}

/** Writes DIR/weights.bin and DIR/bank.json (the manifest last, each through a temporary file). Returns the manifest written. */
export async function saveModuleBank(tf: Tf, dir: string, b: LoadedModuleBank): Promise<BankManifest> {
  const named = flattenTree(tf, savedTree(b)).map(([name, tensor]) => ({ name, tensor }));
  const { data, specs } = await tf.io.encodeWeights(named);
  const bytes = Buffer.from(data as ArrayBuffer);
  mkdirSync(dir, { recursive: true });
  const manifest: BankManifest = {
    ...b.manifest,
    weightsManifest: [{ paths: [BANK_WEIGHTS_FILE], weights: specs }],
    weightsBytes: bytes.byteLength,
    weightsSha256: createHash('sha256').update(bytes).digest('hex'),
  };
  const wTmp = join(dir, `${BANK_WEIGHTS_FILE}.tmp-${process.pid}`);
  writeFileSync(wTmp, bytes);
  renameSync(wTmp, join(dir, BANK_WEIGHTS_FILE));
  const mTmp = join(dir, `${BANK_MANIFEST_FILE}.tmp-${process.pid}`);
  // one line per list of numbers (orderings, mixture rows, shapes)
  const text = JSON.stringify(manifest, null, 1).replace(/\[\s*(-?[\d.e+-]+(?:,\s*-?[\d.e+-]+)*)\s*\]/g, (_, inner: string) => `[${inner.replace(/\s+/g, ' ')}]`);
  writeFileSync(mTmp, text + '\n');
  renameSync(mTmp, join(dir, BANK_MANIFEST_FILE));
  b.manifest = manifest;
  return manifest;
}

function damaged(dir: string, what: string): UsageError {
  return new UsageError(`module bank ${dir} is damaged: ${what}; pretrain it again with evometa pretrain-bank --out ${dir}`);
}

/** Reads and checks DIR/bank.json (no tensors): for listing a bank or checking it before loading. */
export function readBankManifest(dir: string): BankManifest {
  if (!existsSync(dir)) throw new UsageError(`module bank not found: ${dir} (pretrain one with evometa pretrain-bank --out ${dir})`);
  if (!statSync(dir).isDirectory()) throw new UsageError(`module bank must be a directory holding ${BANK_MANIFEST_FILE} and ${BANK_WEIGHTS_FILE}: ${dir}`);
  const path = join(dir, BANK_MANIFEST_FILE);
  if (!existsSync(path)) throw new UsageError(`${dir} is not a module bank (no ${BANK_MANIFEST_FILE}); pretrain one with evometa pretrain-bank --out ${dir}`);
  let m: unknown;
  try {
    m = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw damaged(dir, `${BANK_MANIFEST_FILE} is not valid JSON (${(e as Error).message})`);
  }
  if (typeof m !== 'object' || m === null || Array.isArray(m)) throw damaged(dir, `${BANK_MANIFEST_FILE} is not a JSON object`);
  const o = m as Record<string, unknown>;
  if (o['format'] !== BANK_FORMAT) throw new UsageError(`${path}: format must be "${BANK_FORMAT}" (got ${JSON.stringify(o['format'])}); is ${dir} a module bank?`);
  if (o['version'] !== BANK_VERSION) throw new UsageError(`${path}: unsupported module bank version ${JSON.stringify(o['version'])}; this build reads version ${BANK_VERSION}`);
  let config: ModularResNetConfig;
  try {
    config = resolveModularConfig((o['config'] ?? {}) as Record<string, unknown>);
  } catch (e) {
    throw damaged(dir, `its network config is invalid (${(e as Error).message})`);
  }
  const domains = o['domains'];
  if (!Array.isArray(domains) || domains.length === 0 || domains.some((d) => typeof d !== 'object' || d === null || typeof (d as BankDomainRecord).name !== 'string' || !Array.isArray((d as BankDomainRecord).ordering)))
    throw damaged(dir, 'its domains list is missing or malformed');
  const training = o['training'] as Record<string, unknown> | undefined;
  if (typeof training !== 'object' || training === null || typeof training['trainSamples'] !== 'number' || !Array.isArray(training['temperature']))
    throw damaged(dir, 'its training record (trainSamples, temperature) is missing');
  const wm = o['weightsManifest'];
  if (!Array.isArray(wm) || wm.length !== 1 || !Array.isArray((wm[0] as { weights?: unknown }).weights)) throw damaged(dir, 'its weightsManifest is missing or malformed');
  if (typeof o['weightsBytes'] !== 'number' || typeof o['weightsSha256'] !== 'string') throw damaged(dir, 'weightsBytes / weightsSha256 are missing');
  return { ...(o as unknown as BankManifest), config };
}

/**
 * Loads a bank saved by `saveModuleBank`: checks the manifest, the weights' size and SHA-256, and that every tensor
 * the network needs is there with its shape. Errors say what is wrong and how to fix it (UsageError).
 */
export function loadModuleBank(tf: Tf, dir: string): LoadedModuleBank {
  const manifest = readBankManifest(dir);
  const c = manifest.config;
  const wPath = join(dir, BANK_WEIGHTS_FILE);
  if (!existsSync(wPath)) throw damaged(dir, `${BANK_WEIGHTS_FILE} is missing`);
  const bytes = readFileSync(wPath);
  if (bytes.byteLength !== manifest.weightsBytes) throw damaged(dir, `${BANK_WEIGHTS_FILE} has ${bytes.byteLength} bytes, the manifest says ${manifest.weightsBytes} (truncated or replaced)`);
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== manifest.weightsSha256) throw damaged(dir, `${BANK_WEIGHTS_FILE} does not match the manifest's SHA-256 (corrupted or replaced)`);
  const specs = manifest.weightsManifest[0]!.weights;
  let named: tfjs.NamedTensorMap;
  try {
    named = tf.io.decodeWeights(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, specs);
  } catch (e) {
    throw damaged(dir, `its weights do not decode (${(e as Error).message})`);
  }
  // The expected tree (shapes from the config), each leaf replaced by the saved tensor of the same name.
  const skeletonRng = new Rng(0);
  const skeleton = {
    bank: initModuleBank(tf, c, skeletonRng),
    domains: Object.fromEntries(manifest.domains.map((d) => {
      const head = named[`domains.${d.name}.head.kernel`];
      const classes = head && head.rank === 2 ? head.shape[1]! : 1;
      return [d.name, { logits: initMixtureLogits(tf, c, skeletonRng), head: initHead(tf, c, classes, skeletonRng), stats: initNetworkStats(tf, c) }];
    })),
  };
  const used = new Set<string>();
  let tree: typeof skeleton;
  try {
    tree = mapTree(tf, skeleton, (t, path) => {
      const saved = named[path];
      if (!saved) throw damaged(dir, `tensor ${path} is missing from ${BANK_WEIGHTS_FILE}`);
      if (saved.shape.join(',') !== t.shape.join(',')) throw damaged(dir, `tensor ${path} has shape [${saved.shape.join(', ')}], the config needs [${t.shape.join(', ')}]`);
      used.add(path);
      return saved;
    });
  } catch (e) {
    disposeTree(tf, named);
    throw e;
  } finally {
    disposeTree(tf, skeleton);
  }
  for (const [name, t] of Object.entries(named)) if (!used.has(name)) t.dispose();
  const domains: SourceDomain[] = manifest.domains.map((d) => {
    const s = tree.domains[d.name]!;
    return { name: d.name, logits: s.logits as tfjs.Tensor2D, head: s.head, stats: s.stats, ordering: d.ordering.slice() };
  });
  return { config: c, bank: tree.bank, domains, manifest, dir: resolve(dir) };
}

/** The named source domain of a bank (default: the first, i.e. the bank's "source ordering"). */
export function sourceDomain(b: LoadedModuleBank, name?: string): SourceDomain {
  if (name === undefined) return b.domains[0]!;
  const c = canonicalDomainName(name);
  const d = b.domains.find((x) => x.name === c);
  if (!d) throw new UsageError(`the module bank has no source domain '${name}'; it has ${b.domains.map((x) => x.name).join(', ')}`);
  return d;
}

export function disposeModuleBank(tf: Tf, b: LoadedModuleBank): void {
  disposeTree(tf, b.bank);
  for (const d of b.domains) disposeTree(tf, [d.logits, d.head, d.stats]);
}
