/**
 * Property tests (fast-check) over every registered strategy: whatever the evaluations hold (NaN, ±Infinity,
 * ±1e308 and ±MAX_VALUE, ties, failed statuses, −0, subnormals, ordinary values, a true sphere), after every tell
 * the state's numbers are all finite, null appears only in the fields documented to hold it, and
 * JSON.parse(JSON.stringify(state)) equals the state exactly (−0 and +0 told apart, no key lost), so a checkpoint
 * is the state in memory. Each strategy runs 100 short runs of 100 generations: 10,000 ask/tell steps.
 */
import test from 'ava';
import fc from 'fast-check';
import { STRATEGIES } from '../../strategies/index.js';
import type { Candidate, Evaluation } from '../../src/core/types.js';
import type { Strategy, StrategyOptions, StrategyState } from '../../src/core/strategy.js';

const RUNS = 100;
const GENERATIONS = 100;

/** What one evaluation returns, as a code the run turns into an Evaluation for its candidate. */
type FitnessCode = { value: number } | { failed: 'error' | 'nan' | 'timeout' } | 'sphere';
type GradCode = 'none' | 'true' | 'short' | { fill: number } | { random: number[] };
interface EvalCode {
  f: FitnessCode;
  g: GradCode;
}

const EXTREMES = [Number.NaN, Infinity, -Infinity, 1e308, -1e308, Number.MAX_VALUE, -Number.MAX_VALUE, 0, -0, 1, 5e-324, -5e-324];

const fitnessCode: fc.Arbitrary<FitnessCode> = fc.oneof(
  { arbitrary: fc.constant('sphere' as const), weight: 4 },
  { arbitrary: fc.constantFrom(...EXTREMES).map((value) => ({ value })), weight: 3 },
  { arbitrary: fc.constantFrom(-1, 2, 3).map((value) => ({ value })), weight: 1 }, // ties
  { arbitrary: fc.constantFrom('error' as const, 'nan' as const, 'timeout' as const).map((failed) => ({ failed })), weight: 2 },
  { arbitrary: fc.double({ noNaN: true, min: -1e6, max: 1e6 }).map((value) => ({ value })), weight: 2 },
);

const gradCode: fc.Arbitrary<GradCode> = fc.oneof(
  { arbitrary: fc.constant('true' as const), weight: 4 },
  { arbitrary: fc.constantFrom('none' as const, 'short' as const), weight: 1 },
  { arbitrary: fc.constantFrom(...EXTREMES).map((fill) => ({ fill })), weight: 2 },
  { arbitrary: fc.array(fc.double({ noNaN: false }), { minLength: 5, maxLength: 5 }).map((random) => ({ random })), weight: 1 },
);

/** Per generation 1–8 codes, repeated over the λ candidates. */
const script = fc.array(fc.array(fc.record({ f: fitnessCode, g: gradCode }), { minLength: 1, maxLength: 8 }), { minLength: GENERATIONS, maxLength: GENERATIONS });

function evaluation(c: Candidate, code: EvalCode): Evaluation {
  const { f, g } = code;
  const fitness = f === 'sphere' ? c.x.reduce((a, v) => a + v * v, 0) : 'value' in f ? f.value : Number.NaN;
  const status = typeof f === 'object' && 'failed' in f ? f.failed : 'ok';
  if (c.wants !== 'fitness+grad' || g === 'none') return { status, fitness };
  const grad = g === 'true' ? c.x.map((v) => 2 * v) : g === 'short' ? [1] : 'fill' in g ? c.x.map(() => g.fill) : c.x.map((_, i) => g.random[i % g.random.length]!);
  return { status, fitness, grad };
}

/** Fields documented to hold null (open bounds, no best yet, no samples pending, a failed evaluation's fitness, ...). */
const NULLABLE = [
  /(^|\.)best$/,
  /(^|\.)bounds$/,
  /bounds\.(lower|upper)\[\d+\]$/,
  /(^|\.)pending$/,
  /(^|\.)lastRange$/,
  /(^|\.)lastLoss$/,
  /(^|\.)runMaxEvaluations$/,
  /(^|\.)finished$/,
  /runs\[\d+\]\.bestFitness$/,
  /(population|carried)\[\d+\]\.fitness$/,
];

/** The first number that is not finite, null where none is documented, or value JSON cannot hold; null if none. */
function badValue(v: unknown, path: string): string | null {
  if (v === null) return NULLABLE.some((r) => r.test(path)) ? null : `${path} is null`;
  if (typeof v === 'number') return Number.isFinite(v) ? null : `${path} = ${v}`;
  if (typeof v === 'string' || typeof v === 'boolean') return null;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const bad = badValue(v[i], `${path}[${i}]`);
      if (bad) return bad;
    }
    return null;
  }
  if (typeof v === 'object') {
    for (const [k, x] of Object.entries(v as object)) {
      const bad = badValue(x, path ? `${path}.${k}` : k);
      if (bad) return bad;
    }
    return null;
  }
  return `${path} is a ${typeof v}`;
}

/** Where a and b first differ, with Object.is on numbers (−0 ≠ 0) and keys compared as sets; null if equal. */
function difference(a: unknown, b: unknown, path = 'state'): string | null {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return Object.is(a, b) ? null : `${path}: ${String(a)} ≠ ${String(b)}`;
  if (Array.isArray(a) !== Array.isArray(b)) return `${path}: list ≠ object`;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return `${path}: keys ${ka.join(',')} ≠ ${kb.join(',')}`;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return `${path}.${k} is lost`;
    const d = difference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
    if (d) return d;
  }
  return null;
}

interface Setup {
  seed: number;
  n: number;
  x0: number[];
  sigma0: number;
  bounded: boolean;
  integer: boolean;
}

const setup: fc.Arbitrary<Setup> = fc
  .record({
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    n: fc.integer({ min: 1, max: 4 }),
    x0: fc.array(fc.double({ noNaN: true, min: -5, max: 5 }), { minLength: 4, maxLength: 4 }),
    sigma0: fc.constantFrom(1e-3, 0.5, 3),
    bounded: fc.boolean(),
    integer: fc.boolean(),
  })
  .map((s) => ({ ...s, x0: s.x0.slice(0, s.n) }));

function optionsFor(name: string, s: Setup): StrategyOptions {
  if (name === 'ga-ordering') return { x0: [1, 0, 0, 0, 1], sigma0: s.sigma0, seed: s.seed, categorical: { categories: [3, 2] } };
  const cma = ['cmaes', 'sep-cmaes', 'ipop-cmaes', 'bipop-cmaes'].includes(name);
  return {
    x0: s.x0,
    sigma0: s.sigma0,
    seed: s.seed,
    ...(s.bounded ? { bounds: { lower: s.x0.map((v, i) => (i % 2 ? -Infinity : v - 2)), upper: s.x0.map((v) => v + 2) } } : {}),
    ...(cma && s.integer ? { integers: [0] } : {}),
    // At most 4 restarts keep λ ≤ 16·λ₀, so 10,000 steps stay quick; runs still reach the finished state.
    ...(name.endsWith('pop-cmaes') ? { params: { maxRestarts: 4 } } : {}),
  };
}

for (const [name, strategy] of Object.entries(STRATEGIES) as [string, Strategy<StrategyState>][]) {
  test(`${name}: 10,000 ask/tell steps (${RUNS} runs × ${GENERATIONS} generations) of NaN, ±Infinity, ±1e308, ties and failures keep the state finite and JSON-exact`, (t) => {
    let steps = 0;
    const details = fc.check(
      fc.property(setup, script, (s, codes) => {
        const state = strategy.init(optionsFor(name, s));
        const n = name === 'ga-ordering' ? 5 : s.n;
        for (let g = 0; g < GENERATIONS; g++) {
          const candidates = strategy.ask(state);
          for (const c of candidates) if (c.x.length !== n || !c.x.every(Number.isFinite)) throw new Error(`generation ${g}: candidate ${c.index} is not ${n} finite numbers: ${c.x}`);
          const row = codes[g]!;
          strategy.tell(state, candidates, candidates.map((c, i) => evaluation(c, row[i % row.length]!)));
          steps++;
          const bad = badValue(state, '');
          if (bad) throw new Error(`generation ${g}: ${bad}`);
          const diff = difference(JSON.parse(JSON.stringify(state)), state);
          if (diff) throw new Error(`generation ${g}: the JSON round trip differs at ${diff}`);
          const reasons = strategy.stop(state);
          if (!Object.values(reasons).every(Number.isFinite)) throw new Error(`generation ${g}: stop reasons ${JSON.stringify(reasons)}`);
          const p = strategy.point(state);
          if (p.length !== n || !p.every(Number.isFinite)) throw new Error(`generation ${g}: point ${p}`);
        }
        strategy.validateState?.(JSON.parse(JSON.stringify(state)), 'checkpoint.json');
      }),
      { numRuns: RUNS, seed: 20_251_127 },
    );
    if (details.failed) {
      // The shrunk counterexample's setup and first failure; fc.check's seed and path replay it.
      const [setupUsed] = details.counterexample ?? [];
      t.fail(`${String((details.errorInstance as Error | undefined)?.message ?? details.errorInstance)} (setup ${JSON.stringify(setupUsed)}, fast-check seed ${details.seed}, path ${details.counterexamplePath})`);
      return;
    }
    t.is(steps, RUNS * GENERATIONS);
  });
}
