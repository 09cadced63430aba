/**
 * Seeded randomness. Every random draw in evometa comes from an `Rng` whose state is plain data
 * (so it rides inside checkpoints), and every seed is derived from the run seed by `deriveSeed`,
 * so results never depend on worker count or completion order.
 */
import seedrandom from 'seedrandom';

/** Alea generator state as seedrandom exposes it: four numbers, JSON-safe. */
export interface RngState {
  c: number;
  s0: number;
  s1: number;
  s2: number;
}

type AleaPrng = seedrandom.PRNG & { double(): number; state(): RngState };

function isRngState(v: unknown): v is RngState {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Record<string, unknown>;
  return ['c', 's0', 's1', 's2'].every((k) => typeof o[k] === 'number' && Number.isFinite(o[k]));
}

export class Rng {
  private readonly prng: AleaPrng;

  /** From a seed (number or string) or from a saved `RngState`. */
  constructor(seedOrState: number | string | RngState) {
    if (typeof seedOrState === 'object') {
      if (!isRngState(seedOrState)) throw new Error('rng state must be {c, s0, s1, s2} with finite numbers');
      this.prng = seedrandom.alea('', { state: { ...seedOrState } as unknown as true }) as unknown as AleaPrng;
    } else {
      this.prng = seedrandom.alea(String(seedOrState), { state: true }) as unknown as AleaPrng;
    }
  }

  /** Uniform in [0, 1) with 53 bits of resolution. */
  uniform(): number {
    return this.prng.double();
  }

  /** Standard normal by Box-Muller; nothing is cached, so the state alone defines the stream. */
  normal(): number {
    const u1 = 1 - this.prng.double(); // (0, 1]
    const u2 = this.prng.double();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  state(): RngState {
    return this.prng.state();
  }
}

/**
 * A stable 32-bit seed from a root seed and a path such as ('eval', generation, index).
 * FNV-1a over the path's text, then a murmur3 finaliser; pure, so any process derives the same value.
 */
export function deriveSeed(root: number, ...path: (string | number)[]): number {
  const text = [String(root), ...path.map(String)].join('\u241f');
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
