/**
 * The module bank as an artifact directory that later runs load by path (issue 4 §2): the templates shared by every
 * source domain, and per source domain its mixture logits, head and per-position batch-norm statistics (papers.md
 * §3.3, multi-task). Pretraining, which draws the domains' images, is a workflow (src/workflows/pretrain_bank.ts).
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
import { Rng } from '../../core/rng.js';
import { resolveModularConfig, type ModularResNetConfig } from './modular_config.js';
import { initHead, initMixtureLogits, initModuleBank, initNetworkStats, type DomainHead, type ModuleBank, type NetworkStats } from './modular_params.js';
import { disposeTree, flattenTree, mapTree } from '../nn/tensor_tree.js';

type Tf = typeof tfjs;

export const BANK_FORMAT = 'evometa-module-bank';
export const BANK_VERSION = 1;
export const BANK_MANIFEST_FILE = 'bank.json';
export const BANK_WEIGHTS_FILE = 'weights.bin';

/** Settings of the pretraining run that made a bank, as its manifest records them. */
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

/**
 * The named source domain of a bank (default: the first, i.e. the bank's "source ordering"). Banks record canonical
 * domain names (src/data/mnist_domains.ts `canonicalDomainName`); a caller holding a user's spelling canonicalises it.
 */
export function sourceDomain(b: LoadedModuleBank, name?: string): SourceDomain {
  if (name === undefined) return b.domains[0]!;
  const d = b.domains.find((x) => x.name === name);
  if (!d) throw new UsageError(`the module bank has no source domain '${name}'; it has ${b.domains.map((x) => x.name).join(', ')}`);
  return d;
}

export function disposeModuleBank(tf: Tf, b: LoadedModuleBank): void {
  disposeTree(tf, b.bank);
  for (const d of b.domains) disposeTree(tf, [d.logits, d.head, d.stats]);
}
