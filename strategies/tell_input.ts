/**
 * What `tell` accepts, checked in one place for every strategy: the candidates of the last `ask`, and one
 * fitness per candidate as a plain number (pycma's `tell(X, [f(x) for x in X])`) or an evaluation object (which a
 * candidate that wants a gradient, `wants: 'fitness+grad'`, needs).
 * A plain number that is NaN or ±Infinity counts as a failed evaluation and ranks worst. Anything else is a
 * TypeError that says which argument and which position is wrong: nothing is accepted silently.
 */
import type { AskedMarker, StrategyState } from '../src/core/strategy.js';
import type { Candidate, EvalStatus, Evaluation } from '../src/core/types.js';

/** One fitness as `tell` takes it: a number to minimise, or what a task's evaluation returned. */
export type FitnessInput = number | Evaluation;

const STATUSES: readonly EvalStatus[] = ['ok', 'nan', 'error', 'timeout'];

/** FNV-1a over the candidates' indices and the bits of their points: cheap next to any update (O(λ·n)). */
export function candidateFingerprint(candidates: readonly Candidate[]): number {
  const f64 = new Float64Array(1);
  const u32 = new Uint32Array(f64.buffer);
  let h = 0x811c9dc5;
  const mix = (word: number): void => {
    for (let b = 0; b < 32; b += 8) {
      h ^= (word >>> b) & 0xff;
      h = Math.imul(h, 0x01000193);
    }
  };
  for (const c of candidates) {
    mix(c.index);
    for (const v of c.x) {
      f64[0] = v;
      mix(u32[0]!);
      mix(u32[1]!);
    }
  }
  return h >>> 0;
}

/** The marker `ask` leaves in the state. */
export function askedMarker(state: StrategyState, candidates: readonly Candidate[]): AskedMarker {
  return { generation: state.generation, count: candidates.length, fingerprint: candidateFingerprint(candidates) };
}

/** A value as a message shows it: 'undefined', 'a Promise (…)', 'the string "3"', 'an object with keys a, b'. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'object' && typeof (v as { then?: unknown }).then === 'function') return 'a Promise (await it first)';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return `an object with keys ${Object.keys(v).join(', ') || '(none)'}`;
  if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
  if (typeof v === 'function') return 'a function';
  return String(v);
}

/** An evaluation object as the engine passes it: a known status and a number fitness. */
function isEvaluation(v: unknown): v is Evaluation {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  return STATUSES.includes(e['status'] as EvalStatus) && typeof e['fitness'] === 'number';
}

/** A plain number as an evaluation: NaN and ±Infinity are failed evaluations, which every strategy ranks worst. */
export function numberEvaluation(f: number): Evaluation {
  if (Number.isFinite(f)) return { status: 'ok', fitness: f };
  if (Number.isNaN(f)) return { status: 'nan', fitness: Number.NaN };
  return { status: 'error', fitness: Number.NaN, error: `non-finite fitness ${f}` };
}

/**
 * Checks `candidates` against the last ask (`asked`) and turns `fitnesses` into evaluations, in candidate order.
 * `who` names the strategy in messages. Returns the input array itself when it holds only evaluations.
 */
export function tellInput(who: string, asked: AskedMarker | undefined, candidates: unknown, fitnesses: unknown): readonly Evaluation[] {
  const where = `${who}.tell`;
  if (asked === undefined)
    throw new TypeError(`${where}: no ask is waiting for its fitnesses; call ask(state) and tell its candidates once`);
  if (!Array.isArray(candidates)) throw new TypeError(`${where}: candidates must be the array the last ask returned (got ${describeValue(candidates)})`);
  if (candidates.length !== asked.count)
    throw new TypeError(`${where}: got ${candidates.length} candidates, but the last ask (generation ${asked.generation}) returned ${asked.count}; pass the array ask returned`);
  if (candidates.some((c) => typeof c !== 'object' || c === null || !Array.isArray((c as Candidate).x)) || candidateFingerprint(candidates as Candidate[]) !== asked.fingerprint)
    throw new TypeError(`${where}: the candidates are not the ones the last ask (generation ${asked.generation}) returned; pass ask's array unchanged, in its order`);
  if (!Array.isArray(fitnesses)) throw new TypeError(`${where}: fitnesses must be an array with one number or evaluation per candidate (got ${describeValue(fitnesses)})`);
  if (fitnesses.length !== asked.count)
    throw new TypeError(`${where}: got ${fitnesses.length} fitnesses for ${asked.count} candidates; give one per candidate, in candidate order`);
  let numbers = false;
  for (let i = 0; i < fitnesses.length; i++) {
    const v: unknown = fitnesses[i];
    if (typeof v === 'number') {
      numbers = true;
      if ((candidates[i] as Candidate).wants === 'fitness+grad')
        throw new TypeError(`${where}: candidate ${i} wants a gradient too (wants: 'fitness+grad'), which a number cannot carry; give an evaluation {status: 'ok', fitness, grad}`);
    } else if (!isEvaluation(v))
      throw new TypeError(`${where}: fitnesses[${i}] is ${describeValue(v)}, neither a number nor an evaluation {status: 'ok' | 'nan' | 'error' | 'timeout', fitness: number}`);
  }
  if (!numbers) return fitnesses as Evaluation[];
  return (fitnesses as FitnessInput[]).map((v) => (typeof v === 'number' ? numberEvaluation(v) : v));
}
