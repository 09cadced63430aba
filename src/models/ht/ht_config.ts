/**
 * Settings of a HyperTransformer (papers.md §2): the episode shape, the target CNN, the per-layer
 * generator transformers and the training schedule. One plain object, so a config file, the
 * `ht-hparams` genome and a saved model all speak the same fields.
 */
import { UsageError } from '../../core/errors.js';

export type Activation = 'relu' | 'lrelu' | 'gelu';
export type CnnActivation = 'relu' | 'lrelu';
export type WeightAllocation = 'output' | 'spatial';
export type HtOptimizer = 'sgd' | 'adam';

export interface HtConfig {
  /** Classes per episode (N-way). */
  ways: number;
  /** Labelled support images per class (K-shot); the transformer reads ways·shots sample tokens. */
  shots: number;
  /** Query images per class; the loss and accuracy are on these. */
  queries: number;
  /** Side of the square input images. */
  imageSize: number;

  /** Channels of each of the 4 conv blocks of the target CNN. */
  channels: number;
  cnnActivation: CnnActivation;
  /**
   * How many of the 4 conv layers are generated, counted from the last: 0 = "logits only" (all conv
   * layers are ordinary trained weights), 4 = all. The logits layer is always generated.
   */
  generatedConvLayers: number;
  /** How a conv kernel is cut into weight tokens: one per output channel, or one per spatial tap. */
  allocation: WeightAllocation;

  /** d: size of the label embeddings and weight placeholders. */
  embeddingDim: number;
  transformerLayers: number;
  heads: number;
  /** Q/K, V and FFN inner widths as fractions of the token width E (a value > 3 is an absolute size). */
  qkFraction: number;
  vFraction: number;
  innerFraction: number;
  transformerActivation: Activation;
  /** Filters of each per-layer local feature extractor (its feature size is twice this). */
  localFeatures: number;
  /** Width of the shared feature extractor applied to the raw support images; 0 = none. */
  sharedFeatures: number;
  /** Conv layers of the shared feature extractor (2, 3 or 4). */
  sharedLayers: number;

  optimizer: HtOptimizer;
  learningRate: number;
  /** Exponential decay lr·rate^(step / decaySteps), as the paper's SGD schedule. */
  decayRate: number;
  decaySteps: number;
  /** Episodes averaged per training step. */
  episodesPerStep: number;
}

/**
 * Defaults sized for 2 CPU cores: the paper's Omniglot script (d 32, 8 channels, 8 local features,
 * 3 layers / 2 heads, full-width Q/K/V/FFN) with a narrower shared extractor, Adam instead of the
 * paper's 4M-step SGD, and 5-way episodes.
 */
export const HT_DEFAULTS: HtConfig = {
  ways: 5,
  shots: 1,
  queries: 5,
  imageSize: 28,
  channels: 8,
  cnnActivation: 'relu',
  generatedConvLayers: 0,
  allocation: 'output',
  embeddingDim: 32,
  transformerLayers: 2,
  heads: 2,
  qkFraction: 1,
  vFraction: 1,
  innerFraction: 1,
  transformerActivation: 'relu',
  localFeatures: 8,
  sharedFeatures: 16,
  sharedLayers: 4,
  optimizer: 'adam',
  learningRate: 1e-3,
  decayRate: 0.95,
  decaySteps: 1000,
  episodesPerStep: 4,
};

type Rule =
  | { kind: 'int'; min: number; max: number }
  | { kind: 'number'; min: number; max: number }
  | { kind: 'choice'; values: readonly string[] };

/** Validation rules per field; also what the `ht-hparams` genome reads its ranges from. */
export const HT_FIELDS: { readonly [K in keyof HtConfig]: Rule } = {
  ways: { kind: 'int', min: 2, max: 20 },
  shots: { kind: 'int', min: 1, max: 100 },
  queries: { kind: 'int', min: 1, max: 1000 },
  imageSize: { kind: 'int', min: 8, max: 128 },
  channels: { kind: 'int', min: 1, max: 256 },
  cnnActivation: { kind: 'choice', values: ['relu', 'lrelu'] },
  generatedConvLayers: { kind: 'int', min: 0, max: 4 },
  allocation: { kind: 'choice', values: ['output', 'spatial'] },
  embeddingDim: { kind: 'int', min: 1, max: 1024 },
  transformerLayers: { kind: 'int', min: 1, max: 12 },
  heads: { kind: 'int', min: 1, max: 32 },
  qkFraction: { kind: 'number', min: 0.01, max: 4096 },
  vFraction: { kind: 'number', min: 0.01, max: 4096 },
  innerFraction: { kind: 'number', min: 0.01, max: 4096 },
  transformerActivation: { kind: 'choice', values: ['relu', 'lrelu', 'gelu'] },
  localFeatures: { kind: 'int', min: 1, max: 512 },
  sharedFeatures: { kind: 'int', min: 0, max: 512 },
  sharedLayers: { kind: 'int', min: 2, max: 4 },
  optimizer: { kind: 'choice', values: ['sgd', 'adam'] },
  learningRate: { kind: 'number', min: 1e-7, max: 10 },
  decayRate: { kind: 'number', min: 0.01, max: 1 },
  decaySteps: { kind: 'int', min: 1, max: 1e9 },
  episodesPerStep: { kind: 'int', min: 1, max: 1024 },
};

/** Defaults filled in, every field checked; errors name the field, the allowed range and the fix. */
export function resolveHtConfig(raw: Record<string, unknown>, where = 'HyperTransformer config'): HtConfig {
  for (const k of Object.keys(raw)) {
    if (!(k in HT_FIELDS)) throw new UsageError(`${where}: unknown field '${k}' (known: ${Object.keys(HT_FIELDS).join(', ')})`);
  }
  const out: Record<string, unknown> = {};
  for (const [k, rule] of Object.entries(HT_FIELDS) as [keyof HtConfig, Rule][]) {
    const v = raw[k] ?? HT_DEFAULTS[k];
    if (rule.kind === 'choice') {
      if (typeof v !== 'string' || !rule.values.includes(v)) throw new UsageError(`${where}: '${k}' must be one of ${rule.values.join(', ')} (got ${JSON.stringify(v)})`);
    } else {
      const ok = typeof v === 'number' && Number.isFinite(v) && v >= rule.min && v <= rule.max && (rule.kind === 'number' || Number.isInteger(v));
      if (!ok) throw new UsageError(`${where}: '${k}' must be ${rule.kind === 'int' ? 'an integer' : 'a number'} in [${rule.min}, ${rule.max}] (got ${JSON.stringify(v)})`);
    }
    out[k] = v;
  }
  const c = out as unknown as HtConfig;
  if (c.imageSize >> 4 < 1) throw new UsageError(`${where}: 'imageSize' ${c.imageSize} is too small for 4 max-pool blocks; use at least 16`);
  return c;
}

/** Spatial side after each of the 4 blocks (floor halving, as 'valid' 2×2/2 pooling): 28 → 14, 7, 3, 1. */
export function blockSides(imageSize: number): number[] {
  const out: number[] = [];
  let s = imageSize;
  for (let i = 0; i < 4; i++) out.push((s = Math.floor(s / 2)));
  return out;
}

/** Rounds a fraction-of-E width up to a multiple of `heads` (a value > 3 is an absolute size), as the reference code. */
export function headDim(fraction: number, tokenWidth: number, heads: number): number {
  const raw = fraction > 3 ? fraction : fraction * tokenWidth;
  return Math.max(heads, Math.ceil(raw / heads) * heads);
}
