/**
 * Sizes of the isometric modular ResNet (papers.md §3.2). Every block has the same shape, which is what
 * lets any module run at any position; the defaults are small enough to train on two CPU cores in minutes.
 */
import { UsageError } from '../../core/errors.js';

export type ModularActivation = 'swish' | 'relu';

export interface ModularResNetConfig {
  /** Input image height, width, channels (NHWC). Default 28×28×1. */
  inputHeight: number;
  inputWidth: number;
  inputChannels: number;
  /** Side of the block tensors; the input adapter's kernel and stride are input / tensorSize. Default 7. */
  tensorSize: number;
  /** Channels of the block tensors (C). Default 16. */
  channels: number;
  /** Inverted-residual expansion factor (E = expansion·C). The paper uses 6; default 4 keeps CPU steps short. */
  expansion: number;
  /** Block positions L. Default 8. */
  blocks: number;
  /** Templates (modules) N in the bank. Default 4. */
  templates: number;
  /** Channels of the output adapter's 1×1 conv, i.e. the head's input features. Default 64. */
  features: number;
  /** Block activation; the paper's blocks use swish. Default 'swish'. */
  activation: ModularActivation;
  /** Batch-norm ε. Default 1e-3 (Keras). */
  bnEpsilon: number;
  /** Running statistics keep this share per update. Default 0.9 (short runs need fast statistics). */
  bnMomentum: number;
  /** An extra identity choice per position (index N): the block is skipped. Default false. */
  allowSkip: boolean;
}

export const MODULAR_DEFAULTS: Readonly<ModularResNetConfig> = Object.freeze({
  inputHeight: 28,
  inputWidth: 28,
  inputChannels: 1,
  tensorSize: 7,
  channels: 16,
  expansion: 4,
  blocks: 8,
  templates: 4,
  features: 64,
  activation: 'swish',
  bnEpsilon: 1e-3,
  bnMomentum: 0.9,
  allowSkip: false,
});

const INT_FIELDS: Readonly<Record<string, [number, number]>> = {
  inputHeight: [1, 4096], inputWidth: [1, 4096], inputChannels: [1, 64], tensorSize: [1, 1024], channels: [1, 4096],
  expansion: [1, 64], blocks: [1, 1024], templates: [1, 1024], features: [1, 65536],
};

/** Fills defaults and checks every field; errors name the field and the fix. */
export function resolveModularConfig(raw: Partial<Record<keyof ModularResNetConfig, unknown>> = {}): ModularResNetConfig {
  const valid = Object.keys(MODULAR_DEFAULTS);
  const bad = Object.keys(raw).filter((k) => !valid.includes(k) && (raw as Record<string, unknown>)[k] !== undefined);
  if (bad.length > 0) throw new UsageError(`unknown modular network setting${bad.length > 1 ? 's' : ''} ${bad.join(', ')}; valid: ${valid.join(', ')}`);
  const c = { ...MODULAR_DEFAULTS } as ModularResNetConfig;
  const out = c as unknown as Record<string, unknown>;
  for (const [k, [lo, hi]] of Object.entries(INT_FIELDS)) {
    const v = (raw as Record<string, unknown>)[k];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi)
      throw new UsageError(`modular network ${k} must be an integer from ${lo} to ${hi} (got ${JSON.stringify(v)})`);
    out[k] = v;
  }
  if (raw.activation !== undefined) {
    if (raw.activation !== 'swish' && raw.activation !== 'relu')
      throw new UsageError(`modular network activation must be 'swish' or 'relu' (got ${JSON.stringify(raw.activation)})`);
    c.activation = raw.activation;
  }
  if (raw.bnEpsilon !== undefined) {
    if (typeof raw.bnEpsilon !== 'number' || !(raw.bnEpsilon > 0) || !Number.isFinite(raw.bnEpsilon))
      throw new UsageError(`modular network bnEpsilon must be a positive number (got ${JSON.stringify(raw.bnEpsilon)})`);
    c.bnEpsilon = raw.bnEpsilon;
  }
  if (raw.bnMomentum !== undefined) {
    if (typeof raw.bnMomentum !== 'number' || !(raw.bnMomentum >= 0 && raw.bnMomentum < 1))
      throw new UsageError(`modular network bnMomentum must be in [0, 1) (got ${JSON.stringify(raw.bnMomentum)})`);
    c.bnMomentum = raw.bnMomentum;
  }
  if (raw.allowSkip !== undefined) {
    if (typeof raw.allowSkip !== 'boolean') throw new UsageError(`modular network allowSkip must be true or false (got ${JSON.stringify(raw.allowSkip)})`);
    c.allowSkip = raw.allowSkip;
  }
  for (const [side, size] of [['inputHeight', c.inputHeight], ['inputWidth', c.inputWidth]] as const) {
    if (size % c.tensorSize !== 0)
      throw new UsageError(`modular network ${side} ${size} must be a multiple of tensorSize ${c.tensorSize} (the input adapter's stride is ${side} / tensorSize)`);
  }
  if (c.inputHeight / c.tensorSize !== c.inputWidth / c.tensorSize)
    throw new UsageError(`modular network input ${c.inputHeight}×${c.inputWidth} must reduce to ${c.tensorSize}×${c.tensorSize} by one square stride; use a square input`);
  return c;
}

/** Kernel size and stride of the strided input adapter. */
export function inputStride(c: ModularResNetConfig): number {
  return c.inputHeight / c.tensorSize;
}

/** Channels inside a block after the 1×1 expansion. */
export function expandedChannels(c: ModularResNetConfig): number {
  return c.channels * c.expansion;
}

/** Choices per position: the N templates, plus the identity when skipping is allowed. */
export function choicesPerPosition(c: Pick<ModularResNetConfig, 'templates' | 'allowSkip'>): number {
  return c.templates + (c.allowSkip ? 1 : 0);
}
