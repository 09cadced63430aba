/**
 * `ordering-transfer` (issue 4 §4): how well a pretrained module bank, its modules frozen and applied in the
 * genome's order, serves a domain it never saw. Fitness = 1 − validation accuracy after fitting only the head
 * (optionally batch norm too) for a fixed budget; the test accuracy on a held-out split that no search reads is
 * reported as a metric. The fit is `evaluateTransfer` (tasks/ordering/transfer.ts), shared with `evometa replay` and
 * the orderings bench.
 *
 * Config: {bank: DIR (required), domain ('fashion-mnist'; or an MNIST variant, src/data/mnist_domains.ts),
 * headSteps 100, batchSize 32, learningRate 0.01, fitBatchNorm false, trainSamples 2000, validation 1000,
 * testSamples 2000, statsSamples 256, seed 0 (or "evaluation"), imageOffset (MNIST variants: default the bank's
 * trainSamples, so the target's images are ones the bank never trained on)}.
 *
 * With a fixed `seed` every ordering gets the same head init and batches (common random numbers), so the fitness
 * is a deterministic function of the ordering; seed "evaluation" draws them from each evaluation's seed instead.
 * The bank, the data and their tensors are loaded once per worker thread; TensorFlow.js loads lazily.
 */
import type * as tfjs from '@tensorflow/tfjs';
import { UsageError } from '../../src/core/errors.js';
import { deriveSeed, Rng } from '../../src/core/rng.js';
import { configNumber, rejectUnknownKeys } from '../../src/core/config_checks.js';
import type { Task, TaskResult } from '../../src/core/task.js';
import { gather, splitValidation, type ImageSplit } from '../../src/data/image_dataset.js';
import { canonicalDomainName, loadDomainDataset } from '../../src/data/mnist_domains.js';
import { readBankManifest, type BankManifest, type LoadedModuleBank } from '../../src/models/modular/module_bank.js';
import type { TransferData, TransferResult, TransferSettings } from './transfer.js';
import type { OrderingGenome } from '../../genomes/ordering_genome.js';

export interface OrderingTransferConfig {
  bank: string;
  domain: string;
  headSteps: number;
  batchSize: number;
  learningRate: number;
  fitBatchNorm: boolean;
  trainSamples: number;
  validation: number;
  testSamples: number;
  statsSamples: number;
  /** Seed of the fit, or 'evaluation' for each evaluation's own seed. */
  seed: number | 'evaluation';
  /** First MNIST training image the target uses (null: the bank's trainSamples; 0 for fashion-mnist). */
  imageOffset: number | null;
}

const KEYS = ['bank', 'domain', 'headSteps', 'batchSize', 'learningRate', 'fitBatchNorm', 'trainSamples', 'validation', 'testSamples', 'statsSamples', 'seed', 'imageOffset'];

export const ORDERING_TRANSFER_DEFAULTS: Readonly<Omit<OrderingTransferConfig, 'bank'>> = Object.freeze({
  domain: 'fashion-mnist',
  headSteps: 100,
  batchSize: 32,
  learningRate: 1e-2,
  fitBatchNorm: false,
  trainSamples: 2000,
  validation: 1000,
  testSamples: 2000,
  statsSamples: 256,
  seed: 0,
  imageOffset: null,
});

/** Checks a raw config; reads the bank's manifest (not its weights) so a missing or damaged bank fails here. */
export function resolveOrderingTransferConfig(raw: Record<string, unknown>): OrderingTransferConfig {
  rejectUnknownKeys(raw, KEYS, 'task');
  const d = ORDERING_TRANSFER_DEFAULTS;
  const bank = raw['bank'];
  if (typeof bank !== 'string' || bank === '')
    throw new UsageError(`task 'ordering-transfer' needs config 'bank': the directory of a pretrained module bank, e.g. --task-config '{"bank": "results/bank"}' (pretrain one with evometa pretrain-bank)`);
  const domain = raw['domain'] ?? d.domain;
  if (typeof domain !== 'string') throw new UsageError(`task config 'domain' must be a domain name (got ${JSON.stringify(domain)})`);
  const fitBatchNorm = raw['fitBatchNorm'] ?? d.fitBatchNorm;
  if (typeof fitBatchNorm !== 'boolean') throw new UsageError(`task config 'fitBatchNorm' must be true or false (got ${JSON.stringify(fitBatchNorm)})`);
  const seedRaw = raw['seed'] ?? d.seed;
  const seed = seedRaw === 'evaluation' ? 'evaluation' : configNumber(raw, 'seed', 0, { integer: true, min: 0, max: 4294967295 });
  const trainSamples = configNumber(raw, 'trainSamples', d.trainSamples, { integer: true, min: 1, max: 60000 });
  const c: OrderingTransferConfig = {
    bank,
    domain: canonicalDomainName(domain),
    headSteps: configNumber(raw, 'headSteps', d.headSteps, { integer: true, min: 1, max: 1e6 }),
    batchSize: configNumber(raw, 'batchSize', d.batchSize, { integer: true, min: 1, max: 65536 }),
    learningRate: configNumber(raw, 'learningRate', d.learningRate, { min: 1e-12, max: 100 }),
    fitBatchNorm,
    trainSamples,
    validation: configNumber(raw, 'validation', d.validation, { integer: true, min: 1, max: 60000 }),
    testSamples: configNumber(raw, 'testSamples', d.testSamples, { integer: true, min: 0, max: 10000 }),
    statsSamples: configNumber(raw, 'statsSamples', d.statsSamples, { integer: true, min: 2, max: 60000 }),
    seed,
    imageOffset: raw['imageOffset'] === undefined || raw['imageOffset'] === null ? null : configNumber(raw, 'imageOffset', 0, { integer: true, min: 0, max: 60000 }),
  };
  const manifest = readBankManifest(bank);
  const offset = imageOffset(c, manifest);
  const pool = 60000; // training images of MNIST, and of Fashion-MNIST after its held-out 1000 per class
  if (offset + c.trainSamples + c.validation > pool)
    throw new UsageError(`task config: imageOffset ${offset} + trainSamples ${c.trainSamples} + validation ${c.validation} exceeds the ${pool} training images of ${c.domain}`);
  return c;
}

/** Where the target's training images start: MNIST variants skip the images the bank was pretrained on. */
export function imageOffset(c: Pick<OrderingTransferConfig, 'domain' | 'imageOffset'>, manifest: Pick<BankManifest, 'training'>): number {
  if (c.imageOffset !== null) return c.imageOffset;
  return c.domain === 'fashion-mnist' ? 0 : manifest.training.trainSamples;
}

/** The fit settings of a config (what `evaluateTransfer` takes), for a given seed. */
export function transferSettings(c: OrderingTransferConfig, seed: number): TransferSettings {
  return { fit: c.fitBatchNorm ? 'batchnorm' : 'head', headSteps: c.headSteps, batchSize: c.batchSize, learningRate: c.learningRate, statsSamples: c.statsSamples, seed };
}

const dataCache = new Map<string, TransferData>();

/**
 * The target domain's splits: `trainSamples + validation` training images from `offset` on (validation carved out
 * by a fixed seed), and the first `testSamples` of its held-out test split. Cached per thread.
 */
export function loadTransferData(domain: string, sizes: { trainSamples: number; validation: number; testSamples: number; offset: number }): TransferData {
  const name = canonicalDomainName(domain);
  const key = JSON.stringify([name, sizes.trainSamples, sizes.validation, sizes.testSamples, sizes.offset]);
  const hit = dataCache.get(key);
  if (hit) return hit;
  const n = sizes.trainSamples + sizes.validation;
  const ds = loadDomainDataset(name, { train: sizes.offset + n, test: Math.max(1, sizes.testSamples) });
  const have = ds.train.labels.length - sizes.offset;
  if (have < n) throw new UsageError(`domain ${name} has ${have} training images from offset ${sizes.offset}; ${n} are needed (trainSamples + validation)`);
  const pool: ImageSplit = gather(ds.train, Uint32Array.from({ length: n }, (_, i) => sizes.offset + i));
  const split = splitValidation(pool, sizes.validation, new Rng(deriveSeed(0, 'ordering-transfer-validation', name)));
  const data: TransferData = { numClasses: ds.numClasses, train: split.train, validation: split.validation, test: sizes.testSamples > 0 ? ds.test : null };
  dataCache.set(key, data);
  return data;
}

type Tf = typeof tfjs;
const bankCache = new Map<string, LoadedModuleBank>();

/** The bank at `dir`, loaded once per thread (its tensors live as long as the thread). */
export async function cachedBank(tf: Tf, dir: string): Promise<LoadedModuleBank> {
  const { resolve } = await import('node:path');
  const key = resolve(dir);
  let b = bankCache.get(key);
  if (!b) {
    const { loadModuleBank } = await import('../../src/models/modular/module_bank.js');
    b = loadModuleBank(tf, dir);
    bankCache.set(key, b);
  }
  return b;
}

/** Checks the genome fits the bank: N modules, L positions. */
export function checkOrderingForBank(g: Pick<OrderingGenome, 'modules' | 'order' | 'allowSkip'>, b: Pick<LoadedModuleBank, 'config' | 'dir'>): void {
  const c = b.config;
  if (g.modules !== c.templates || g.order.length !== c.blocks)
    throw new UsageError(`the ordering has ${g.order.length} positions over ${g.modules} modules but the bank${b.dir ? ` ${b.dir}` : ''} has ${c.blocks} positions and ${c.templates} modules; use --genome-config '{"length": ${c.blocks}, "modules": ${c.templates}}'`);
}

/** Fits and scores an ordering on the configured target (what the task and `evometa replay` run). */
export async function scoreOrdering(genome: Pick<OrderingGenome, 'modules' | 'order' | 'allowSkip'>, c: OrderingTransferConfig, seed: number): Promise<TransferResult> {
  const tf = (await import('../../src/runtime/backend.js')).getTf();
  const { evaluateTransfer } = await import('./transfer.js');
  const b = await cachedBank(tf, c.bank);
  checkOrderingForBank(genome, b);
  const data = loadTransferData(c.domain, { trainSamples: c.trainSamples, validation: c.validation, testSamples: c.testSamples, offset: imageOffset(c, b.manifest) });
  const config = { ...b.config, allowSkip: genome.allowSkip };
  return evaluateTransfer(tf, config, b.bank, { modules: genome.order }, data, transferSettings(c, seed));
}

function toResult(r: TransferResult): TaskResult {
  const metrics: Record<string, number> = { validationAccuracy: r.validationAccuracy, validationLoss: r.validationLoss, trainLoss: r.trainLoss };
  if (!Number.isNaN(r.testAccuracy)) metrics['testAccuracy'] = r.testAccuracy;
  return { fitness: 1 - r.validationAccuracy, metrics };
}

export const orderingTransferTask: Task<OrderingGenome, OrderingTransferConfig> = {
  name: 'ordering-transfer',
  description: 'a pretrained module bank applied in the genome\'s order to a new domain (default fashion-mnist): 1 − validation accuracy after fitting only the head; test accuracy as a metric',
  genomeKinds: ['ordering'],
  usesTensorflow: true,
  resolveConfig: resolveOrderingTransferConfig,
  async evaluate(genome, c, ctx) {
    return toResult(await scoreOrdering(genome, c, c.seed === 'evaluation' ? ctx.seed : c.seed));
  },
};
