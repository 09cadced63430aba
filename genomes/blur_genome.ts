/**
 * The BLUR genome (papers.md §1.7): per neuron-state count k, the forward and backward state mixes ν, μ,
 * the Hebbian pre/post transforms α, β and a few scalars, shared by all synapse layers or one per layer.
 * It is a genome kind (flat vector ↔ JSON genome), the payload of a genome file (src/core/genome_file.ts), and
 * the source of the reference genomes (random, §1.7; backprop, §1.8).
 */
import type * as tfjs from '@tensorflow/tfjs';
import { UsageError } from '../src/core/errors.js';
import { readGenomeFile, version1Fields, writeGenomeFile, type GenomeFileMeta } from '../src/core/genome_file.js';
import type { Rng } from '../src/core/rng.js';
import { validateBlurNetworkOptions, type BlurNetworkOptions } from '../src/models/blur/blur_options.js';
import { MOMENT_DECAY_DEFAULTS, UPDATE_DECAY_DEFAULT, type BlurLayerRule, type BlurLayerTensors, type BlurRuleTensors } from '../src/models/blur/blur_rule.js';
import type { GenomeKind } from '../src/core/genome_kind.js';
import { isObject } from '../src/core/config_checks.js';

type Tf = typeof tfjs;

/** The rule of one synapse layer, as the network consumes it. */
export type BlurLayerGenome = BlurLayerRule;

/** The `format` of a version-1 blur genome file, which held the genome's fields beside format and version. */
export const BLUR_VERSION1_FORMAT = 'evometa-blur-genome';

/** The genome, and a genome file's `genome` payload as is. */
export interface BlurGenome {
  k: number;
  /** One entry: shared by all synapse layers; otherwise one per synapse layer. */
  layers: BlurLayerGenome[];
  /** Network options this genome is meant to run with (e.g. the backprop genome's). */
  network?: Partial<BlurNetworkOptions>;
}

export const BLUR_EXTRAS = ['saturation', 'rescaleTo', 'ojaMultiplier', 'momentum', 'rmsDecay', 'updateDecay'] as const;
export type BlurExtra = (typeof BLUR_EXTRAS)[number];

export interface BlurGenomeConfig {
  /** Neuron and synapse states, ≥ 2. Default 2. */
  k: number;
  /** One genome per synapse layer. Default false. */
  perLayer: boolean;
  /** Synapse layers (sizes.length − 1); the number of layer genomes when perLayer. Default 1. */
  numLayers: number;
  /** Optional scalars that are searched, in canonical order; the others stay at their defaults (`EXTRA_DEFAULTS`). */
  extras: BlurExtra[];
}

/** Extras a genome always holds (1 unless searched). */
const HELD_EXTRA_DEFAULTS = { saturation: 1, rescaleTo: 1, ojaMultiplier: 1 } as const;
/**
 * Every extra's default: 1, Adam's decays for the moment buffers' extras and no decay of η_w. A genome holds those
 * three only when it names or searches them, so genome files from before them read and write unchanged.
 */
export const EXTRA_DEFAULTS: Readonly<Record<BlurExtra, number>> = { ...HELD_EXTRA_DEFAULTS, ...MOMENT_DECAY_DEFAULTS, updateDecay: UPDATE_DECAY_DEFAULT };
const held = (e: BlurExtra): boolean => e in HELD_EXTRA_DEFAULTS;
const MAX_K = 16;

/** Layer genomes the flat vector holds. */
export function blurLayerCount(config: BlurGenomeConfig): number {
  return config.perLayer ? config.numLayers : 1;
}

/**
 * The flat vector holds η_w divided by this (≈ 1e-3, a power of two so that encode and decode round-trip
 * exactly), so that every coordinate of a search starts on one scale: a random genome's η_w = −1e-3 is
 * −1.024 there. Without it a step size suited to ν, μ, α, β changes η_w by
 * hundreds of times its size, the Hebbian updates explode, outputs saturate and the fitness goes flat.
 */
export const SYNAPSE_UPDATE_SCALE = 2 ** -10;

/** Length of one layer's block in the flat vector: ν, μ, α, β, κ_n, η_n, κ_w, η_w / SYNAPSE_UPDATE_SCALE, extras. */
export function blurLayerDim(config: Pick<BlurGenomeConfig, 'k' | 'extras'>): number {
  return 4 * config.k * config.k + 4 + config.extras.length;
}

function configInt(raw: Record<string, unknown>, field: string, fallback: number, min: number, max: number): number {
  const v = raw[field] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw new UsageError(`genome 'blur' ${field} must be an integer from ${min} to ${max} (got ${JSON.stringify(v)})`);
  return v;
}

function resolveBlurConfig(raw: Record<string, unknown>): BlurGenomeConfig {
  // 'dim' is passed by the engine to every kind; the blur kind derives its own.
  const valid = ['k', 'perLayer', 'numLayers', 'extras', 'dim'];
  const bad = Object.keys(raw).filter((key) => !valid.includes(key) && raw[key] !== undefined);
  if (bad.length > 0)
    throw new UsageError(`unknown genome 'blur' config key${bad.length > 1 ? 's' : ''} ${bad.join(', ')}; valid keys: k, perLayer, numLayers, extras`);
  const k = configInt(raw, 'k', 2, 2, MAX_K);
  const perLayer = raw['perLayer'] ?? false;
  if (typeof perLayer !== 'boolean') throw new UsageError(`genome 'blur' perLayer must be true or false (got ${JSON.stringify(perLayer)})`);
  const numLayers = configInt(raw, 'numLayers', 1, 1, 64);
  const extrasRaw = raw['extras'] ?? [];
  if (!Array.isArray(extrasRaw) || extrasRaw.some((e) => !(BLUR_EXTRAS as readonly unknown[]).includes(e)))
    throw new UsageError(`genome 'blur' extras must be a list drawn from ${BLUR_EXTRAS.join(', ')} (got ${JSON.stringify(extrasRaw)})`);
  const extras = BLUR_EXTRAS.filter((e) => (extrasRaw as unknown[]).includes(e));
  return { k, perLayer, numLayers, extras };
}

function flatLayer(layer: BlurLayerGenome, config: BlurGenomeConfig, out: number[]): void {
  for (const m of [layer.neuron.nu, layer.neuron.mu, layer.synapse.pre, layer.synapse.post]) for (const row of m) out.push(...row);
  out.push(layer.neuron.keep, layer.neuron.update, layer.synapse.keep, layer.synapse.update / SYNAPSE_UPDATE_SCALE);
  for (const e of config.extras) out.push(layer.synapse[e] ?? EXTRA_DEFAULTS[e]);
}

function unflatLayer(x: readonly number[], at: number, config: BlurGenomeConfig): BlurLayerGenome {
  const k = config.k;
  let p = at;
  const matrix = (): number[][] => {
    const m: number[][] = [];
    for (let r = 0; r < k; r++) {
      m.push(Array.from(x.slice(p, p + k)));
      p += k;
    }
    return m;
  };
  const nu = matrix();
  const mu = matrix();
  const pre = matrix();
  const post = matrix();
  const [nk, nup, sk, sup] = [x[p]!, x[p + 1]!, x[p + 2]!, x[p + 3]!];
  p += 4;
  const extras: Partial<Record<BlurExtra, number>> = { ...HELD_EXTRA_DEFAULTS };
  for (const e of config.extras) extras[e] = x[p++]!;
  return {
    neuron: { nu, mu, keep: nk, update: nup },
    synapse: { pre, post, keep: sk, update: sup * SYNAPSE_UPDATE_SCALE, ...HELD_EXTRA_DEFAULTS, ...extras },
  };
}

/**
 * Per-coordinate box of one layer block; keeps in [0, 1], saturation ≥ 0, rescaleTo in [1e-3, 10], moment decays in
 * [0, 0.9999], the η_w decay in [0, 1] (δ = 1 is already η_w / t).
 */
function layerBounds(config: BlurGenomeConfig): { lower: number[]; upper: number[] } {
  const lower: number[] = new Array<number>(4 * config.k * config.k).fill(-Infinity);
  const upper: number[] = new Array<number>(4 * config.k * config.k).fill(Infinity);
  lower.push(0, -Infinity, 0, -Infinity);
  upper.push(1, Infinity, 1, Infinity);
  const box: Record<BlurExtra, [number, number]> = {
    saturation: [0, Infinity], rescaleTo: [1e-3, 10], ojaMultiplier: [-Infinity, Infinity], momentum: [0, 0.9999], rmsDecay: [0, 0.9999], updateDecay: [0, 1],
  };
  for (const e of config.extras) {
    lower.push(box[e][0]);
    upper.push(box[e][1]);
  }
  return { lower, upper };
}

export const blurGenome: GenomeKind<BlurGenome, BlurGenomeConfig> = {
  name: 'blur',
  description: 'BLUR bidirectional learned update rule: state mixes ν, μ, Hebbian α, β and scalars per k-state layer genome',
  resolveConfig: resolveBlurConfig,
  dim: (c) => blurLayerCount(c) * blurLayerDim(c),
  bounds(c) {
    const one = layerBounds(c);
    const lower: number[] = [];
    const upper: number[] = [];
    for (let l = 0; l < blurLayerCount(c); l++) {
      lower.push(...one.lower);
      upper.push(...one.upper);
    }
    return { lower, upper };
  },
  decode(x, c) {
    const d = blurLayerDim(c);
    const n = blurLayerCount(c);
    if (x.length !== n * d) throw new UsageError(`blur genome vector must have ${n * d} numbers for this config (got ${x.length})`);
    const layers: BlurLayerGenome[] = [];
    for (let l = 0; l < n; l++) layers.push(unflatLayer(x, l * d, c));
    return { k: c.k, layers };
  },
  encode(g, c) {
    if (g.k !== c.k) throw new UsageError(`blur genome has k = ${g.k} but the config wants k = ${c.k}; set genome config k to ${g.k}`);
    const n = blurLayerCount(c);
    let layers = g.layers;
    // A shared genome is a per-layer genome whose layers are equal.
    if (layers.length === 1 && n > 1) layers = new Array<BlurLayerGenome>(n).fill(layers[0]!);
    if (layers.length !== n)
      throw new UsageError(`blur genome has ${g.layers.length} layer genomes but the config wants ${n} (perLayer ${c.perLayer}, numLayers ${c.numLayers})`);
    const out: number[] = [];
    for (const layer of layers) flatLayer(layer, c, out);
    return out;
  },
  random: (c, rng) => randomBlurGenome(c.k, rng, { layers: blurLayerCount(c) }),
  toFile: (g) => ({ ...validateBlurGenome(g) }),
  fromFile(payload, c, where) {
    const g = validateBlurGenome(payload, where);
    if (g.k !== c.k) throw new UsageError(`${where}: k = ${g.k} but the file's config has k = ${c.k}; make them agree`);
    const n = blurLayerCount(c);
    if (g.layers.length !== 1 && g.layers.length !== n)
      throw new UsageError(`${where}: layers holds ${g.layers.length} layer genomes but the file's config wants 1 or ${n} (perLayer ${c.perLayer}, numLayers ${c.numLayers})`);
    return g;
  },
  /** A version-1 file `{format: "evometa-blur-genome", version: 1, k, layers, network?}`, or with `claimed` a bare genome. */
  fromVersion1(json, where, claimed) {
    const fields = version1Fields(json, where, BLUR_VERSION1_FORMAT, claimed);
    if (!fields) return undefined;
    const g = validateBlurGenome(fields, where);
    return { config: { ...blurConfigOf(g) }, genome: { ...g } };
  },
};

/**
 * The settings a genome fits as is: its k, one layer genome per synapse layer when it holds several, and as
 * searched extras those that differ from their default somewhere, since only a searched extra moves.
 */
export function blurConfigOf(g: BlurGenome): BlurGenomeConfig {
  const extras = BLUR_EXTRAS.filter((e) => g.layers.some((l) => (l.synapse[e] ?? EXTRA_DEFAULTS[e]) !== EXTRA_DEFAULTS[e]));
  return { k: g.k, perLayer: g.layers.length > 1, numLayers: g.layers.length, extras };
}

export type { BlurLayerTensors };
export type BlurGenomeTensors = BlurRuleTensors;

/**
 * The genome as slices of the flat vector x (same order as `blurGenome.encode`), so `tf.grads` with respect
 * to x yields the gradient in flat order. Unsearched extras are constants. The caller owns the tensors.
 */
export function blurGenomeFromFlat(tf: Tf, x: tfjs.Tensor1D, config: BlurGenomeConfig): BlurGenomeTensors {
  const k = config.k;
  const d = blurLayerDim(config);
  const n = blurLayerCount(config);
  if (x.shape[0] !== n * d) throw new UsageError(`blur genome vector must have ${n * d} numbers for this config (got ${x.shape[0]})`);
  const layers: BlurLayerTensors[] = [];
  for (let l = 0; l < n; l++) {
    let p = l * d;
    const matrix = (): tfjs.Tensor2D => {
      const m = tf.reshape(tf.slice(x, [p], [k * k]), [k, k]) as tfjs.Tensor2D;
      p += k * k;
      return m;
    };
    const scalar = (): tfjs.Scalar => tf.reshape(tf.slice(x, [p++], [1]), []) as tfjs.Scalar;
    const nu = matrix();
    const mu = matrix();
    const pre = matrix();
    const post = matrix();
    const neuronKeep = scalar();
    const neuronUpdate = scalar();
    const synapseKeep = scalar();
    const synapseUpdate = tf.mul(scalar(), SYNAPSE_UPDATE_SCALE) as tfjs.Scalar;
    const extras = {} as Record<BlurExtra, tfjs.Scalar>;
    for (const e of BLUR_EXTRAS) if (!config.extras.includes(e)) extras[e] = tf.scalar(EXTRA_DEFAULTS[e]);
    for (const e of config.extras) extras[e] = scalar(); // canonical order, as in encode
    layers.push({ nu, mu, pre, post, neuronKeep, neuronUpdate, synapseKeep, synapseUpdate, ...extras });
  }
  return { k, layers };
}

// ---------------------------------------------------------------------------------------------------
// File format


function rejectUnknown(o: Record<string, unknown>, valid: readonly string[], path: string): void {
  const bad = Object.keys(o).filter((key) => !valid.includes(key));
  if (bad.length > 0) throw new UsageError(`${path} has unknown key${bad.length > 1 ? 's' : ''} ${bad.join(', ')}; valid keys: ${valid.join(', ')}`);
}

function finiteNumber(v: unknown, path: string, fallback?: number): number {
  if (v === undefined && fallback !== undefined) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v))
    throw new UsageError(`${path} must be a finite number (got ${v === undefined ? 'nothing' : JSON.stringify(v)}); write a plain JSON number`);
  return v;
}

function matrixK(v: unknown, k: number, path: string): number[][] {
  const shape = (m: unknown): string => {
    if (!Array.isArray(m)) return typeof m;
    const cols = m.map((r) => (Array.isArray(r) ? r.length : NaN));
    return cols.every((c) => c === cols[0]) && !Number.isNaN(cols[0]) ? `${m.length}×${cols[0] ?? 0}` : `${m.length} rows of lengths ${cols.map((c) => (Number.isNaN(c) ? 'non-list' : c)).join(', ')}`;
  };
  if (!Array.isArray(v) || v.length !== k || v.some((r) => !Array.isArray(r) || r.length !== k))
    throw new UsageError(`${path} must be ${k}×${k} (k = ${k}), got ${v === undefined ? 'nothing' : shape(v)}`);
  return (v as unknown[][]).map((row, r) => row.map((e, c) => finiteNumber(e, `${path}[${r}][${c}]`)));
}

function validateLayer(v: unknown, k: number, path: string): BlurLayerGenome {
  if (!isObject(v)) throw new UsageError(`${path} must be an object {neuron: {...}, synapse: {...}}`);
  rejectUnknown(v, ['neuron', 'synapse'], path);
  const n = v['neuron'];
  const s = v['synapse'];
  if (!isObject(n)) throw new UsageError(`${path}.neuron must be an object {nu, mu, keep, update}`);
  if (!isObject(s)) throw new UsageError(`${path}.synapse must be an object {pre, post, keep, update, ${BLUR_EXTRAS.join(', ')}}`);
  rejectUnknown(n, ['nu', 'mu', 'keep', 'update'], `${path}.neuron`);
  rejectUnknown(s, ['pre', 'post', 'keep', 'update', ...BLUR_EXTRAS], `${path}.synapse`);
  return {
    neuron: {
      nu: matrixK(n['nu'], k, `${path}.neuron.nu`),
      mu: matrixK(n['mu'], k, `${path}.neuron.mu`),
      keep: finiteNumber(n['keep'], `${path}.neuron.keep`),
      update: finiteNumber(n['update'], `${path}.neuron.update`),
    },
    synapse: {
      pre: matrixK(s['pre'], k, `${path}.synapse.pre`),
      post: matrixK(s['post'], k, `${path}.synapse.post`),
      keep: finiteNumber(s['keep'], `${path}.synapse.keep`),
      update: finiteNumber(s['update'], `${path}.synapse.update`),
      ...extrasOf(s, path),
    },
  };
}

/** The extras of a layer's synapse JSON: each held one, at its default when missing, and the moment decays it names. */
function extrasOf(s: Record<string, unknown>, path: string): Partial<Record<BlurExtra, number>> & typeof HELD_EXTRA_DEFAULTS {
  const out: Partial<Record<BlurExtra, number>> = {};
  for (const e of BLUR_EXTRAS) if (held(e) || s[e] !== undefined) out[e] = finiteNumber(s[e], `${path}.synapse.${e}`, EXTRA_DEFAULTS[e]);
  return out as Partial<Record<BlurExtra, number>> & typeof HELD_EXTRA_DEFAULTS;
}

/**
 * Checks a genome's JSON (`{k, layers, network?}`, a genome file's payload) and returns a clean copy (missing
 * extras take their defaults, `EXTRA_DEFAULTS`). Errors name the field path and the fix; `where`
 * prefixes them (e.g. a file name).
 */
export function validateBlurGenome(json: unknown, where = 'blur genome'): BlurGenome {
  if (!isObject(json)) throw new UsageError(`${where} must be a JSON object {k, layers, network?} (got ${Array.isArray(json) ? 'a list' : JSON.stringify(json)})`);
  rejectUnknown(json, ['k', 'layers', 'network'], where);
  const k = json['k'];
  if (typeof k !== 'number' || !Number.isInteger(k) || k < 2 || k > MAX_K)
    throw new UsageError(`${where}: k must be an integer from 2 to ${MAX_K} (got ${JSON.stringify(k)})`);
  const layers = json['layers'];
  if (!Array.isArray(layers) || layers.length === 0)
    throw new UsageError(`${where}: layers must be a non-empty list (one shared layer genome, or one per synapse layer)`);
  const g: BlurGenome = {
    k,
    layers: layers.map((l, i) => validateLayer(l, k, `${where === 'blur genome' ? '' : `${where}: `}layers[${i}]`)),
  };
  if (json['network'] !== undefined) g.network = validateBlurNetworkOptions(json['network'], `${where}: network`);
  return g;
}

/** A blur genome file (any version), or a run's best.json or final.json holding one. */
export function loadBlurGenome(path: string): BlurGenome {
  return readGenomeFile(path, { kinds: { [blurGenome.name]: blurGenome }, want: blurGenome.name }).genome as BlurGenome;
}

/** Writes a genome file with the settings the genome fits as is (`blurConfigOf`). */
export function saveBlurGenome(path: string, g: BlurGenome, meta?: GenomeFileMeta): void {
  writeGenomeFile(path, blurGenome, g, blurConfigOf(validateBlurGenome(g)), meta);
}

// ---------------------------------------------------------------------------------------------------
// Reference genomes

export interface RandomBlurGenomeOptions {
  /** Layer genomes (1 = shared). Default 1. */
  layers?: number;
  /** ν, μ ~ N(0, 1)·neuronStd (`neuron_transform_std`). Default 1. */
  neuronStd?: number;
  /** α, β ~ N(0, 1)·synapseStd (`synapse_transform_std`). Default 1. */
  synapseStd?: number;
  /** η_w. Default −1e-3. */
  synapseUpdate?: number;
}

/** `create_random_genome` (§1.7): random mixes and transforms, keeps 1, η_n = 1, η_w = −1e-3, extras at their defaults. */
export function randomBlurGenome(k: number, rng: Rng, opts: RandomBlurGenomeOptions = {}): BlurGenome {
  if (!Number.isInteger(k) || k < 2 || k > MAX_K) throw new UsageError(`k must be an integer from 2 to ${MAX_K} (got ${k})`);
  const normal = (std: number): number[][] =>
    Array.from({ length: k }, () => Array.from({ length: k }, () => rng.normal() * std));
  const layers: BlurLayerGenome[] = [];
  for (let l = 0; l < (opts.layers ?? 1); l++) {
    const nu = normal(opts.neuronStd ?? 1);
    const mu = normal(opts.neuronStd ?? 1);
    const pre = normal(opts.synapseStd ?? 1);
    const post = normal(opts.synapseStd ?? 1);
    layers.push({
      neuron: { nu, mu, keep: 1, update: 1 },
      synapse: { pre, post, keep: 1, update: opts.synapseUpdate ?? -1e-3, ...HELD_EXTRA_DEFAULTS },
    });
  }
  return { k, layers };
}

/**
 * The network options under which the backprop genome is exact SGD (§1.8): multiplicative second-state
 * backward rule, symmetric synapses, f and f' in states 0 and 1, no backward squashing, and 'error'
 * feedback so the output's state 1 holds δ = (ŷ − y)·f'(z).
 */
export const BACKPROP_NETWORK_OPTIONS: Readonly<Partial<BlurNetworkOptions>> = Object.freeze({
  hiddenActivation: 'tanh',
  outputActivation: 'tanh',
  backwardActivation: 'identity',
  derivativeInState1: true,
  backwardUpdate: 'multiplicative_second_state',
  feedback: 'error',
  symmetricInOut: true,
  symmetricStates: true,
});

/**
 * The gradient genome (§1.8): ν routes input state 0 into output states 0 and 1, μ = I, α = I, β swaps
 * states 0 and 1, keeps 1, η_n = 1 and η_w = −learningRate. With `network` (BACKPROP_NETWORK_OPTIONS) one
 * step is one SGD step on L = ½ Σ_batch Σ_outputs (ŷ − y)². For k > 2 the extra states are unused.
 */
export function backpropGenome(k = 2, learningRate = 0.01): BlurGenome {
  if (!Number.isInteger(k) || k < 2 || k > MAX_K) throw new UsageError(`k must be an integer from 2 to ${MAX_K} (got ${k})`);
  const zeros = (): number[][] => Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const nu = zeros();
  nu[0]![0] = 1;
  nu[0]![1] = 1;
  const mu = zeros();
  mu[0]![0] = 1;
  mu[1]![1] = 1;
  const pre = zeros();
  for (let i = 0; i < k; i++) pre[i]![i] = 1;
  const post = zeros();
  post[0]![1] = 1;
  post[1]![0] = 1;
  for (let i = 2; i < k; i++) post[i]![i] = 1;
  return {
    k,
    layers: [{
      neuron: { nu, mu, keep: 1, update: 1 },
      synapse: { pre, post, keep: 1, update: -learningRate, ...HELD_EXTRA_DEFAULTS },
    }],
    network: { ...BACKPROP_NETWORK_OPTIONS },
  };
}
