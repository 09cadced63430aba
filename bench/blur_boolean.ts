/**
 * `npm run bench -- blur_boolean [--only cmaes|metagrad] [--out DIR] [--seeds N] [--replicas R] [--workers W]
 * [--generations G]`: BLUR meta-training on 2-D Boolean functions in the paper's notebook setting (hidden [20],
 * 5 unrolled steps, batch 512, k = 2; train: xor, or; held out: and, nxor), from a random genome, with CMA-ES
 * and with `metagrad` (the two-stage searches of SEARCHES), then a fair evaluation of each stage's result on
 * fresh seeds, the CLI command of every stage and a table. G overrides every stage's generation budget (a
 * quick check of the pipeline).
 *
 * `--only cmaes-chain` / `--only metagrad-chain` run the acceptance chains instead (BENCHMARKS.md): every stage
 * of a chain starts from the previous stage's final point (and, where a stage says `warm`, from its CMA-ES scales).
 *
 * `npm run bench -- blur_boolean eval RUN_DIR… [--which mean|best] [--seeds N] [--replicas R] [--eval-root S]`
 * evaluates finished (or running) run folders; S (default 20261126) roots the evaluation seeds.
 *
 * `npm run bench -- blur_boolean test RUN_DIR|GENOME.json… [--seeds N] [--replicas R] [--out DIR]` scores final points
 * or genome files once on the protocol's test functions (TEST_FUNCTIONS: the six 2-input functions outside the
 * training pair's sign-flip class, and three 3-input functions on a 3-20-1 network), from their own seed root, and
 * on the meta-validation pair and/nxor (the functions the stages were chosen by); writes DIR/protocol.json and
 * DIR/test.md.
 *
 * `npm run bench -- blur_boolean final RUN_DIR…` writes each run's final.json (its final point as a genome) and,
 * for CMA-ES runs, final.warm.json (a search config with σ and √C_ii; the same files as `evometa export RUN_DIR`).
 *
 * What is evaluated: the search's final point (the CMA-ES mean reflected into the genome's bounds, as CMA-ES
 * evaluates it, or metagrad's x), decoded with `blurGenome.decode`, not best.json's genome: best.json holds the
 * best single noisy evaluation (one episode per function, two synapse initialisations), which favours lucky
 * draws. Each function is scored over N fresh seeds (derived from their own root, never used by a search),
 * each an episode of its own data and R synapse initialisations; accuracy is on the 512-point query batch
 * after the unrolled inner loop, averaged over the R replicas; mean ± std over the N seeds.
 */
import { cliCommand, option } from './bench_args.js';
import { runPoint } from '../src/store/run_point.js';
import { builtinRegistry } from '../src/plugins.js';
import type { Registry } from '../src/core/plugin.js';
import { exportRunPoint, type WarmStartConfig } from '../src/store/run_export.js';
import { join } from 'node:path';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { writeProtocol } from './protocol.js';
import { loadBlurGenome } from '../genomes/blur_genome.js';
import { OUTSIDE_CLASS_FUNCTIONS, RANDOM3_SEED, THREE_INPUT_FUNCTIONS } from '../src/data/boolean_functions.js';
import { initBackend, getTf } from '../src/runtime/backend.js';
import { deriveSeed } from '../src/core/rng.js';
import { resolveRunConfig, type RunConfig } from '../src/engine/run_config.js';
import { runSearch } from '../src/search.js';
import type { BlurGenome } from '../genomes/blur_genome.js';
import { blurBooleanTask, type BlurBooleanConfig } from '../tasks/blur/blur_tasks.js';
import { booleanSampler } from '../tasks/blur/blur_samplers.js';
import { evaluateBlurPopulation } from '../src/models/blur/meta_objective.js';

/** The built-in plug-ins, as the store reads a run with them. */
const REGISTRY: Registry = builtinRegistry();

const FUNCTIONS = ['xor', 'or', 'and', 'nxor'];
/** Root of the evaluation seeds; the searches use their own run seeds, so these episodes are fresh. */
const EVAL_ROOT = 20261126;
/** The protocol's splits: the fitness reads TRAIN, stages were chosen on META_VALIDATION, TEST is scored once. */
export const TRAIN_FUNCTIONS = ['xor', 'or'];
export const META_VALIDATION_FUNCTIONS = ['and', 'nxor'];
export const TEST_FUNCTIONS: readonly string[] = [...OUTSIDE_CLASS_FUNCTIONS, ...THREE_INPUT_FUNCTIONS];
/** Root of the test episodes: neither the searches' seeds nor EVAL_ROOT. */
const TEST_ROOT = 20261128;

/**
 * The searches of the benchmark (flag names as on the command line), each in two stages: (1) one genome
 * shared by both synapse layers, from a random genome; (2) one genome per layer (genome-config perLayer),
 * started from stage 1's final point (both layers equal), which the bench writes to `<stage 1>/final.json`.
 * A per-layer search straight from a random genome stalled (no progress on xor in 85 CMA-ES generations).
 */
export const NETWORK = { normalizeSynapses: true, rescale: true };
const TASK_CONFIG = { replicas: 2, network: NETWORK };
const SHARED = { extras: ['rescaleTo'] };
const PER_LAYER = { extras: ['rescaleTo'], perLayer: true, numLayers: 2 };
/**
 * A bench-only stage key: `warm` takes the new stage's `stds` strategy parameter (and with 'sigma0+stds' its σ0)
 * from the previous stage's warm-start config (final.warm.json), so a stage restarts from the scales the previous CMA-ES run learned.
 */
export type BenchStage = Record<string, unknown> & { warm?: 'stds' | 'sigma0+stds' };

/** One search of the bench; `named` ones run only when `--only` names them (the long acceptance chains). */
export interface BenchSearch {
  name: string;
  named?: boolean;
  stages: BenchStage[];
}

const CMAES_STAGES: BenchStage[] = [
  { genome: 'blur', task: 'blur-boolean', strategy: 'cmaes', init: 'random', sigma0: 0.5, 'genome-config': SHARED, 'task-config': TASK_CONFIG, 'max-generations': 500, seed: 1 },
  { genome: 'blur', task: 'blur-boolean', strategy: 'cmaes', sigma0: 0.2, 'genome-config': PER_LAYER, 'task-config': TASK_CONFIG, 'max-generations': 500, seed: 3 },
];
const METAGRAD_STAGES: BenchStage[] = [
  { genome: 'blur', task: 'blur-boolean', strategy: 'metagrad', init: 'random', sigma0: 1e-2, 'strategy-params': { metaBatch: 2 }, 'genome-config': SHARED, 'task-config': TASK_CONFIG, 'max-generations': 400, seed: 1 },
  { genome: 'blur', task: 'blur-boolean', strategy: 'metagrad', sigma0: 1e-2, 'strategy-params': { metaBatch: 2 }, 'genome-config': PER_LAYER, 'task-config': TASK_CONFIG, 'max-generations': 300, seed: 3 },
];

/** A per-layer stage of the long chains: 4 synapse initialisations, `episodes` per function, held-out functions not scored. */
function perLayer(strategy: string, seed: number, generations: number, more: { sigma0?: number; popsize?: number; episodes?: number; objective?: string; params?: Record<string, unknown>; warm?: BenchStage['warm'] }): BenchStage {
  const task: Record<string, unknown> = { replicas: 4, ...(more.episodes ? { episodes: more.episodes } : {}), heldOut: [], ...(more.objective ? { objective: more.objective } : {}), network: NETWORK };
  return {
    genome: 'blur', task: 'blur-boolean', strategy, ...(more.sigma0 !== undefined ? { sigma0: more.sigma0 } : {}), ...(more.popsize ? { popsize: more.popsize } : {}),
    ...(more.params ? { 'strategy-params': more.params } : {}), 'genome-config': PER_LAYER, 'task-config': task, 'max-generations': generations, seed,
    ...(more.warm ? { warm: more.warm } : {}),
  };
}

export const SEARCHES: BenchSearch[] = [
  { name: 'cmaes', stages: CMAES_STAGES },
  { name: 'metagrad', stages: METAGRAD_STAGES },
  {
    // The CMA-ES acceptance chain (BENCHMARKS.md): from a random genome, every stage a CMA-ES variant started
    // from the previous stage's mean; the last optimises the query error itself.
    name: 'cmaes-chain',
    named: true,
    stages: [
      CMAES_STAGES[0]!,
      perLayer('cmaes', 3, 500, { sigma0: 0.2 }),
      perLayer('cmaes', 6, 150, { sigma0: 0.05, popsize: 32 }),
      perLayer('cmaes', 11, 200, { sigma0: 0.05, popsize: 16, episodes: 4 }),
      perLayer('cmaes', 12, 300, { sigma0: 0.03, popsize: 16, episodes: 4 }),
      perLayer('ipop-cmaes', 13, 450, { sigma0: 0.2, popsize: 16, episodes: 2 }),
      perLayer('sep-cmaes', 16, 2000, { sigma0: 0.05, popsize: 16, episodes: 2 }),
      perLayer('sep-cmaes', 18, 400, { sigma0: 0.0523, popsize: 64, episodes: 2, warm: 'stds' }),
      perLayer('sep-cmaes', 20, 1400, { popsize: 16, episodes: 8, params: { tolfacupx: 0 }, warm: 'sigma0+stds' }),
      perLayer('sep-cmaes', 22, 500, { popsize: 16, episodes: 8, objective: 'error', params: { tolfacupx: 0 }, warm: 'sigma0+stds' }),
    ],
  },
  {
    // The metagrad acceptance chain: the two bench stages, then smaller learning rates with meta-batch 4.
    name: 'metagrad-chain',
    named: true,
    stages: [
      ...METAGRAD_STAGES,
      perLayer('metagrad', 5, 250, { sigma0: 0.003, params: { metaBatch: 4 } }),
      perLayer('metagrad', 7, 250, { sigma0: 0.002, params: { metaBatch: 4 } }),
      perLayer('metagrad', 9, 250, { sigma0: 0.001, params: { metaBatch: 4 } }),
    ],
  },
];

/** The stage's command-line flags: `warm` resolved against the previous stage's warm-start config, `init` its final.json. */
export function stageArgs(stage: BenchStage, previous: { final: string; warm: string | null } | null): Record<string, unknown> {
  const { warm, ...raw } = stage;
  if (!previous) return raw;
  const args: Record<string, unknown> = { ...raw, init: previous.final };
  if (warm) {
    if (!previous.warm) throw new Error(`stage with warm '${warm}' follows a stage without a CMA-ES covariance (no warm-start config)`);
    const w = JSON.parse(readFileSync(previous.warm, 'utf8')) as WarmStartConfig;
    args['strategy-params'] = { stds: w['strategy-params'].stds, ...((raw['strategy-params'] as Record<string, unknown> | undefined) ?? {}) };
    if (warm === 'sigma0+stds') args['sigma0'] = w.sigma0;
  }
  return args;
}



export interface FunctionScore {
  name: string;
  mean: number;
  std: number;
  min: number;
  values: number[];
}

/** Accuracy of one genome on each function over `seeds` fresh episodes of `replicas` synapse inits. */
export async function evaluateGenome(genome: BlurGenome, c: BlurBooleanConfig, seeds: number, replicas: number, functions = FUNCTIONS, root = EVAL_ROOT): Promise<FunctionScore[]> {
  const tf = getTf();
  const scores: FunctionScore[] = [];
  for (const name of functions) {
    const sampler = booleanSampler(name);
    const values: number[] = [];
    // Without task overrides the genome's own network options apply (as the task does it).
    const network = Object.keys(c.network).length ? { network: c.network } : {};
    for (let s = 0; s < seeds; s++) {
      const r = await evaluateBlurPopulation(tf, [genome], sampler, {
        sizes: [sampler.numInputs, ...c.hidden, 1], unrollSteps: c.unrollSteps, batchSize: c.batchSize, queryBatchSize: c.queryBatchSize,
        replicas, seed: deriveSeed(root, 'blur-boolean-eval', name, s), ...network,
      });
      values.push(r.accuracy[0]!);
    }
    const mean = values.reduce((a, v) => a + v, 0) / values.length;
    const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / Math.max(1, values.length - 1));
    scores.push({ name, mean, std, min: Math.min(...values), values });
  }
  return scores;
}

/** The run's final point (CMA-ES mean / metagrad x) or best.json's genome, decoded. */
export function runGenome(dir: string, which: 'mean' | 'best'): { genome: BlurGenome; config: RunConfig } {
  const { genome, config } = runPoint(dir, which, REGISTRY);
  return { genome: genome as BlurGenome, config };
}

/**
 * Writes what a later stage starts from: `<dir>/final.json` (the final point, for --init) and, for a CMA-ES run,
 * `<dir>/final.warm.json` (the search config with its σ and per-coordinate scales; src/store/run_export.ts).
 */
export function writeWarmStart(dir: string): { final: string; warm: string | null } {
  const r = exportRunPoint(dir, 'mean', join(dir, 'final.json'), REGISTRY);
  return { final: r.genome, warm: r.warm };
}

const pct = (v: number): string => (100 * v).toFixed(1);

export function formatScores(scores: FunctionScore[]): string {
  return scores.map((s) => `${s.name} ${pct(s.mean)} ± ${pct(s.std)} (min ${pct(s.min)})`).join(' | ');
}

/** A run folder's final point with its task's settings, or a genome file in the bench's default task settings. */
function pointOf(path: string): { genome: BlurGenome; c: BlurBooleanConfig } {
  if (statSync(path).isDirectory()) {
    const { genome, config } = runGenome(path, 'mean');
    return { genome, c: blurBooleanTask.resolveConfig(config.taskConfig) };
  }
  return { genome: loadBlurGenome(path), c: blurBooleanTask.resolveConfig({}) };
}

/** Scores each point once on the test functions (and on the meta-validation pair); the table and the protocol go to `out`. */
async function testPoints(paths: string[], seeds: number, replicas: number, out: string, args: string[]): Promise<void> {
  const columns = [...META_VALIDATION_FUNCTIONS, ...TEST_FUNCTIONS];
  const rows = [`| rule | ${columns.join(' | ')} |`, `|---|${columns.map(() => '---:').join('|')}|`];
  for (const path of paths) {
    const { genome, c } = pointOf(path);
    const scores = [...(await evaluateGenome(genome, c, seeds, replicas, META_VALIDATION_FUNCTIONS, EVAL_ROOT)), ...(await evaluateGenome(genome, c, seeds, replicas, [...TEST_FUNCTIONS], TEST_ROOT))];
    console.log(`${path}: ${formatScores(scores)}`);
    rows.push(`| ${path} | ${scores.map((f) => `${pct(f.mean)} ± ${pct(f.std)}`).join(' | ')} |`);
  }
  mkdirSync(out, { recursive: true });
  writeProtocol(out, {
    bench: 'blur_boolean test',
    splits: { metaTraining: TRAIN_FUNCTIONS, metaValidation: { functions: META_VALIDATION_FUNCTIONS, evalRoot: EVAL_ROOT }, test: { functions: TEST_FUNCTIONS, evalRoot: TEST_ROOT, random3Seed: RANDOM3_SEED } },
    selection: 'the points given (each chain\'s last stage, fixed before the chains ran); nothing is chosen on the test functions',
    seeds: Array.from({ length: seeds }, (_, s) => s),
    command: `npm run bench -- blur_boolean ${args.join(' ')}`,
    settings: { replicas, points: paths },
  });
  const md = [`Query accuracy (%) after the unrolled inner loop, mean ± std over ${seeds} seeds × ${replicas} synapse initialisations; 3-input functions on the same network with 3 inputs (3-20-1).`, '', ...rows, ''].join('\n');
  writeFileSync(join(out, 'test.md'), md);
  console.log(`\n${md}`);
}

async function evalDir(dir: string, which: 'mean' | 'best', seeds: number, replicas: number, root = EVAL_ROOT): Promise<FunctionScore[]> {
  const { genome, config } = runGenome(dir, which);
  const c = blurBooleanTask.resolveConfig(config.taskConfig);
  return evaluateGenome(genome, c, seeds, replicas, FUNCTIONS, root);
}

export default async function (args: string[]): Promise<void> {
  await initBackend('auto');
  const seeds = Number(option(args, 'seeds', '20'));
  const replicas = Number(option(args, 'replicas', '4'));
  if (args[0] === 'final') {
    for (const dir of args.slice(1)) console.log(JSON.stringify(writeWarmStart(dir)));
    return;
  }
  if (args[0] === 'test') {
    const paths = args.slice(1).filter((a, i, all) => !a.startsWith('--') && !(i > 0 && all[i - 1]!.startsWith('--')));
    return testPoints(paths, seeds, replicas, option(args, 'out', 'results/bench-blur-boolean-test'), args);
  }
  if (args[0] === 'eval') {
    const which = option(args, 'which', 'mean') as 'mean' | 'best';
    // A second, independent root confirms a result without reusing the seeds it was first judged on.
    const root = Number(option(args, 'eval-root', String(EVAL_ROOT)));
    if (!Number.isInteger(root)) throw new Error(`--eval-root must be an integer (got ${option(args, 'eval-root', '')})`);
    for (const dir of args.slice(1).filter((a, i, all) => !a.startsWith('--') && !(all[i] !== undefined && i > 0 && all[i - 1]!.startsWith('--')))) {
      console.log(`${dir} [${which}${root === EVAL_ROOT ? '' : `, eval root ${root}`}]: ${formatScores(await evalDir(dir, which, seeds, replicas, root))}`);
    }
    return;
  }
  const only = option(args, 'only', '');
  const outRoot = option(args, 'out', 'results/bench-blur-boolean');
  const workers = Number(option(args, 'workers', '2'));
  const generations = option(args, 'generations', '');
  mkdirSync(outRoot, { recursive: true });
  const rows: string[] = [];
  if (only && !SEARCHES.some((s) => s.name === only)) throw new Error(`--only must be one of ${SEARCHES.map((s) => s.name).join(', ')} (got ${only})`);
  for (const s of SEARCHES) {
    if (only ? s.name !== only : s.named) continue;
    let previous: { final: string; warm: string | null } | null = null;
    for (const [i, stage] of s.stages.entries()) {
      const out = join(outRoot, `${s.name}-${i + 1}`);
      rmSync(out, { recursive: true, force: true });
      const raw: Record<string, unknown> = { ...stageArgs(stage, previous), ...(generations ? { 'max-generations': Number(generations) } : {}) };
      const config = resolveRunConfig({ ...raw, workers }, () => 0);
      const command = cliCommand(raw, out, workers);
      console.log(`$ ${command}`);
      const t0 = performance.now();
      const summary = await runSearch(config, out, { command });
      const wall = (performance.now() - t0) / 1000;
      previous = writeWarmStart(out);
      const scores = await evalDir(out, 'mean', seeds, replicas);
      const label = `${s.name} stage ${i + 1}`;
      console.log(`${label}: ${summary.generations} generations, ${summary.evaluations} evaluations, ${wall.toFixed(0)} s; final point → ${previous.final}`);
      console.log(`  ${seeds} seeds × ${replicas} replicas: ${formatScores(scores)}`);
      rows.push(`| ${label} | ${summary.generations} / ${summary.evaluations} | ${wall.toFixed(0)} s | ${scores.map((f) => `${pct(f.mean)} ± ${pct(f.std)}`).join(' | ')} |`);
    }
  }
  console.log('\n| strategy | generations / evaluations | wall | xor | or | and | nxor |\n|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(r);
}
