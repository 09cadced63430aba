/**
 * `npm run bench -- blur_vision [--quick] [--strategy cmaes|metagrad] [--domains D1,D2,…] [--out DIR] [--workers W]
 * [--generations G] [--which mean|best] [--seeds N]`: the BLUR vision experiment end to end, with fixed seeds.
 * --domains sets the task's `domains` (MNIST input transforms such as inverted, rotate90, noise that each
 * meta-training episode draws from), so that the rule cannot fit one dataset's input statistics.
 *
 * 1. Meta-training (engine `runSearch`) on MNIST class subsets: task `blur-mnist`, 5-way episodes drawn from
 *    all 10 digits, relabelled, 28→14 downsampling, a 196-64-5 network, U unrolled steps of batch 32, loss on a
 *    256-example query batch from the validation split. CMA-ES (k = 2, 20 parameters) starts from the backprop
 *    genome (papers.md §1.8) with η_w = −0.003 under its network options (BACKPROP_NETWORK_OPTIONS) plus
 *    `initScaleByChannels` (synapse init U(−1, 1)/√(n+m+1); the default U(−1, 1) saturates a 196-input layer).
 *    With --strategy metagrad: Adam on meta-gradients instead, 10-way episodes (see SEARCHES).
 * 2. Protocol (OUT/protocol.json): the reported rule is chosen by meta-validation only (`--select validation`, the
 *    default; bench/blur_meta_validation.ts): the start and every 10 generations the search's current point are trained on fixed
 *    10-way episodes of MNIST transforms that meta-training never draws (rotate45, inverted-noise), and the point
 *    with the best query accuracy there is written to OUT/learned.json (the checks to OUT/meta-validation.jsonl).
 *    `--select final` keeps the search's final point instead (CMA-ES mean mirrored into the box, metagrad's x;
 *    best.json's genome with --which best), the protocol of the earlier tables.
 * 3. Test, once, on the chosen rule: replay on Fashion-MNIST (never seen in meta-training; 10 classes, 196-64-10, batch 32): test accuracy on
 *    2000 test images after 0, 50, 200 and 1000 inner steps over N seeds, for the learned rule, the start genome
 *    (plain BLUR-backprop, i.e. SGD on the MSE loss), and tfjs SGD and Adam on cross-entropy with learning rates
 *    tuned on a validation split (`replayRule`).
 *
 * `npm run bench -- blur_vision replay GENOME_OR_RUN_DIR [--which mean|best] [--seeds N] [--compare sgd,adam|none]`
 * replays a genome file, or a finished run folder's mean/best, on Fashion-MNIST.
 *
 * `npm run bench -- blur_vision start FILE [settings flags]` writes the start genome a search under those flags would
 * begin from (to score start grids with `validate` before any search).
 * `npm run bench -- blur_vision validate GENOME_OR_RUN_DIR... [--unrolls 100,200]` prints the score that chooses
 * between runs: meta-validation accuracy at each unroll and the mean (`selectionScore`); Fashion-MNIST is not read.
 *
 * --quick: 15 generations, 2 seeds, 200 inner steps (a smoke test of the pipeline, about a minute).
 *
 * Settings of the meta-training (each recorded in protocol.json; defaults = the earlier tables' setting):
 * --objective mse|error|cross-entropy (the task's fitness; cross-entropy: softmax cross-entropy of the query outputs),
 * --feedback error|softmax-error (what the output layer feeds back; softmax-error makes the start genome SGD on the
 * cross-entropy), --output-activation tanh|identity, --init-scale s (network option initScale), --start-lr η (the start genome's −η_w), --unroll U,
 * --horizons h1,h2,…,U (the query scored after each of these unroll lengths, the fitness and meta-validation their mean),
 * --search-seed S (the search's seed, default 1: repeats of one setting), --ways W,
 * --moments momentum|adam (network option synapseMoments: the start genome takes heavy-ball or Adam steps, and the
 * search moves the moment decays too, as genome extras; their `stds` entries follow η_w's and κ_w's),
 * --update-decay δ (the start genome's η_w schedule, η_w / (1 + δ (t − 1)) at update t, searched as the last extra),
 * --episodes E (per evaluation), --lr (metagrad's Adam rate, CMA-ES's σ0), --per-layer (one genome per synapse layer),
 * --strategy-params JSON (merged into the search's, e.g. CMA-ES's per-coordinate `stds`), --init FILE (start from a
 * genome file, e.g. an earlier run's learned.json, instead of the backprop genome; its network options are kept).
 * --no-test stops after meta-training: several runs are then compared on meta-validation only, and only the chosen
 * run's learned.json is replayed on Fashion-MNIST (`replay`), so the test set is read once per reported rule.
 */
import { cliCommand, option } from './bench_args.js';
import { runPoint } from '../src/store/run_point.js';
import { builtinRegistry } from '../src/plugins.js';
import { join } from 'node:path';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { initBackend } from '../src/runtime/backend.js';
import { resolveRunConfig } from '../src/engine/run_config.js';
import { writeProtocol } from './protocol.js';
import { META_VALIDATION_DEFAULTS, metaValidationHooks, selectionScore } from './blur_meta_validation.js';
import { blurMnistTask } from '../tasks/blur/blur_tasks.js';
import { runSearch } from '../src/search.js';
import { readBlurGenomeFile } from '../src/workflows/learned_rule.js';
import { loadReplayData } from '../src/workflows/replay/replay_data.js';
import { replayRule, replayTable, writeReplay, type ReplayResult } from '../src/workflows/replay/replay_blur.js';
import { BACKPROP_NETWORK_OPTIONS, backpropGenome, saveBlurGenome, type BlurGenome } from '../genomes/blur_genome.js';
import { BLUR_SYNAPSE_MOMENTS, type BlurNetworkOptions, type BlurSynapseMoments } from '../src/models/blur/blur_options.js';
import type { BaselineOptimizer } from '../src/workflows/replay/mlp_baseline.js';

/** Network options of the meta-training and of the replay: backprop's, with channel-scaled synapse init. */
export const NETWORK: Partial<BlurNetworkOptions> = { ...BACKPROP_NETWORK_OPTIONS, initScaleByChannels: true };
/** η_w of the start genome (BLUR-backprop's learning rate on the batch-summed MSE). */
export const START_LEARNING_RATE = 0.003;

/**
 * The meta-training searches (flag names as on the command line); `init` is filled in with the start genome.
 * cmaes (the default): 5-way episodes, U = 100, 2 episodes per evaluation. metagrad (--strategy metagrad): Adam on
 * the meta-gradient through the unroll, 10-way episodes, U = 100, a meta-batch of 2 episodes.
 */
export const SEARCHES: Record<string, Record<string, unknown>> = {
  cmaes: {
    genome: 'blur', task: 'blur-mnist', strategy: 'cmaes', sigma0: 0.3, 'max-generations': 300, seed: 1,
    'task-config': { ways: 5, hidden: [64], unrollSteps: 100, batchSize: 32, queryBatchSize: 256, episodes: 2, network: NETWORK },
  },
  metagrad: {
    genome: 'blur', task: 'blur-mnist', strategy: 'metagrad', sigma0: 0.01, 'max-generations': 100, seed: 1,
    'strategy-params': { metaBatch: 2, clipNorm: 1 },
    'task-config': { ways: 10, hidden: [64], unrollSteps: 100, batchSize: 32, queryBatchSize: 256, episodes: 1, network: NETWORK },
  },
};

/** Replay settings (the `evometa replay` defaults, with the acceptance item's measurement points). */
export const REPLAY = { task: 'fashion-mnist', hidden: [64], steps: 1000, batchSize: 32, seed: 0, evalAt: [0, 50, 200, 1000] };



/** A run folder's final CMA-ES mean or best.json genome, decoded, with the network options it was trained with. */
export function runGenome(dir: string, which: 'mean' | 'best'): BlurGenome {
  const { genome, config } = runPoint(dir, which, builtinRegistry());
  const network = (config.taskConfig['network'] ?? {}) as Partial<BlurNetworkOptions>;
  return { ...(genome as BlurGenome), network: { ...network } };
}

const cell = (r: ReplayResult, m: number, j: number): string => `${(100 * r.methods[m]!.mean[j]!).toFixed(1)} ± ${(100 * r.methods[m]!.std[j]!).toFixed(1)}`;

/** Markdown table: rows = methods, columns = the measurement points (step 0 left out). */
function markdown(rows: { name: string; r: ReplayResult; m: number }[]): string {
  const steps = rows[0]!.r.evalAt.filter((s) => s > 0);
  const out = [`| method | ${steps.map((s) => `${s} steps`).join(' | ')} |`, `|---|${steps.map(() => '---:').join('|')}|`];
  for (const { name, r, m } of rows) out.push(`| ${name} | ${steps.map((s) => cell(r, m, r.evalAt.indexOf(s))).join(' | ')} |`);
  return out.join('\n');
}

async function replay(genome: BlurGenome, seeds: number, steps: number, compare: BaselineOptimizer[], dir: string, label: string): Promise<ReplayResult> {
  const data = loadReplayData({ task: REPLAY.task, downsample: 2, classes: null, trainSamples: 10000, validation: 2000, testSamples: 2000 });
  const evalAt = REPLAY.evalAt.filter((s) => s <= steps);
  const t0 = performance.now();
  const r = await replayRule(genome, data, { hidden: REPLAY.hidden, steps, batchSize: REPLAY.batchSize, seeds, seed: REPLAY.seed, compare, evalAt, exportDir: null });
  writeReplay(dir, r, { genome: label, config: { ...REPLAY, steps, seeds, evalAt }, createdAt: new Date().toISOString() });
  console.log(`${replayTable(r)}\n(${label}; ${((performance.now() - t0) / 1000).toFixed(0)} s; ${join(dir, 'replay.json')})\n`);
  return r;
}

function parseCompare(s: string): BaselineOptimizer[] {
  return s === 'none' ? [] : (s.split(',') as BaselineOptimizer[]);
}

/** The meta-training settings the flags above change; absent flags keep the SEARCHES entry's values. */
export interface VisionSettings {
  objective?: string;
  feedback?: string;
  outputActivation?: string;
  initScale?: number;
  startLearningRate: number;
  unrollSteps?: number;
  /** Unroll lengths at which the query is scored (task config `horizons`); the last must be the unroll. */
  horizons?: number[];
  ways?: number;
  episodes?: number;
  lr?: number;
  perLayer: boolean;
  domains?: string[];
  strategyParams?: Record<string, unknown>;
  /** Network option synapseMoments; its decays become searched genome extras. */
  moments?: BlurSynapseMoments;
  /** The start genome's δ (η_w / (1 + δ (t − 1)) at update t); set, it becomes a searched genome extra. */
  updateDecay?: number;
}

export function visionSettings(args: string[]): VisionSettings {
  const num = (name: string): number | undefined => {
    const v = option(args, name, '');
    if (v === '') return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number (got ${v})`);
    return n;
  };
  const str = (name: string): string | undefined => option(args, name, '') || undefined;
  const domains = str('domains');
  const horizons = str('horizons');
  const params = str('strategy-params');
  const moments = str('moments');
  const decay = str('update-decay');
  const updateDecay = decay === undefined ? undefined : Number(decay);
  if (updateDecay !== undefined && !(updateDecay >= 0 && updateDecay <= 1)) throw new Error(`--update-decay must be a number from 0 to 1 (got ${decay})`);
  if (moments !== undefined && !(BLUR_SYNAPSE_MOMENTS as readonly string[]).includes(moments))
    throw new Error(`--moments must be one of ${BLUR_SYNAPSE_MOMENTS.join(', ')} (got ${moments})`);
  return {
    objective: str('objective'), feedback: str('feedback'), outputActivation: str('output-activation'), initScale: num('init-scale'),
    startLearningRate: num('start-lr') ?? START_LEARNING_RATE, unrollSteps: num('unroll'), ways: num('ways'), episodes: num('episodes'), lr: num('lr'),
    perLayer: args.includes('--per-layer'), ...(domains ? { domains: domains.split(',') } : {}), ...(horizons ? { horizons: horizons.split(',').map(Number) } : {}),
    ...(params ? { strategyParams: JSON.parse(params) as Record<string, unknown> } : {}),
    ...(moments ? { moments: moments as BlurSynapseMoments } : {}),
    ...(updateDecay !== undefined ? { updateDecay } : {}),
  };
}

/** The network options of the start genome and the meta-training under these settings. */
export function visionNetwork(v: VisionSettings): Partial<BlurNetworkOptions> {
  return {
    ...NETWORK,
    ...(v.feedback ? { feedback: v.feedback as BlurNetworkOptions['feedback'] } : {}),
    ...(v.outputActivation ? { outputActivation: v.outputActivation as BlurNetworkOptions['outputActivation'] } : {}),
    ...(v.initScale ? { initScale: v.initScale } : {}),
    ...(v.moments ? { synapseMoments: v.moments } : {}),
  };
}

/** The genome a search under these settings starts from (without --init): the backprop genome in their network options. */
export function startGenome(v: VisionSettings): BlurGenome {
  const g = backpropGenome(2, v.startLearningRate);
  if (v.updateDecay !== undefined) g.layers[0]!.synapse.updateDecay = v.updateDecay;
  return { ...g, network: visionNetwork(v) };
}

/** The search's raw run config under these settings (before `init` and the generation budget). */
export function visionSearch(search: Record<string, unknown>, v: VisionSettings): Record<string, unknown> {
  const task = search['task-config'] as Record<string, unknown>;
  const set = <T>(key: string, value: T | undefined): Record<string, T> => (value === undefined ? {} : { [key]: value });
  const extras = searchedExtras(v);
  const taskConfig = {
    ...task, network: visionNetwork(v),
    ...set('objective', v.objective), ...set('unrollSteps', v.unrollSteps), ...set('ways', v.ways), ...set('episodes', v.episodes), ...set('domains', v.domains),
    ...set('horizons', v.horizons),
  };
  return {
    ...search, 'task-config': taskConfig, ...set('sigma0', v.lr),
    ...(v.strategyParams ? { 'strategy-params': { ...(search['strategy-params'] as Record<string, unknown> | undefined), ...v.strategyParams } } : {}),
    ...(v.perLayer || extras.length > 0
      ? { 'genome-config': { ...(v.perLayer ? { perLayer: true, numLayers: (task['hidden'] as number[]).length + 1 } : {}), ...(extras.length > 0 ? { extras } : {}) } }
      : {}),
  };
}

/** The genome extras a search moves under these settings (canonical order): the decays its moment buffers use, and δ. */
function searchedExtras(v: VisionSettings): string[] {
  const moments = v.moments === 'adam' ? ['momentum', 'rmsDecay'] : v.moments === 'momentum' ? ['momentum'] : [];
  return [...moments, ...(v.updateDecay !== undefined ? ['updateDecay'] : [])];
}

export default async function (args: string[]): Promise<void> {
  await initBackend('auto');
  const quick = args.includes('--quick');
  const which = option(args, 'which', 'mean') as 'mean' | 'best';
  const seeds = Number(option(args, 'seeds', quick ? '2' : '5'));
  const steps = Number(option(args, 'steps', quick ? '200' : String(REPLAY.steps)));
  const compare = parseCompare(option(args, 'compare', 'sgd,adam'));

  if (args[0] === 'start') {
    const file = args[1];
    if (!file || file.startsWith('--')) throw new Error('usage: npm run bench -- blur_vision start FILE [--init-scale s] [--start-lr η] [--moments adam] …');
    saveBlurGenome(file, startGenome(visionSettings(args.slice(2))));
    console.log(`start genome → ${file}`);
    return;
  }
  if (args[0] === 'validate') {
    // The score that chooses between runs, for genome files or run folders (their learned.json): meta-validation
    // accuracy at each unroll of --unrolls (default 100,200) and the mean. Fashion-MNIST is not read.
    const targets = args.slice(1).filter((a, i, all) => !a.startsWith('--') && !(i > 0 && all[i - 1] === '--unrolls'));
    if (targets.length === 0) throw new Error('usage: npm run bench -- blur_vision validate GENOME_OR_RUN_DIR... [--unrolls 100,200]');
    const unrolls = option(args, 'unrolls', '100,200').split(',').map(Number);
    if (unrolls.some((u) => !Number.isInteger(u) || u < 1)) throw new Error(`--unrolls must be a list of unroll lengths ≥ 1 such as 100,200 (got ${option(args, 'unrolls', '')})`);
    console.log(`| genome | ${unrolls.map((u) => `U = ${u}`).join(' | ')} | mean |\n|---|${unrolls.map(() => '---:|').join('')}---:|`);
    for (const target of targets) {
      const file = existsSync(target) && statSync(target).isDirectory() ? join(target, 'learned.json') : target;
      const s = await selectionScore(readBlurGenomeFile(file), unrolls);
      console.log(`| ${file} | ${s.accuracy.map((a) => (100 * a).toFixed(1)).join(' | ')} | ${(100 * s.mean).toFixed(2)} |`);
    }
    return;
  }
  if (args[0] === 'replay') {
    const target = args[1];
    if (!target) throw new Error('usage: npm run bench -- blur_vision replay GENOME_OR_RUN_DIR [--which mean|best] [--seeds N]');
    const isRun = existsSync(target) && statSync(target).isDirectory();
    const genome = isRun ? runGenome(target, which) : readBlurGenomeFile(target);
    const out = option(args, 'out', isRun ? join(target, `replay-${which}`) : `${target.replace(/\.json$/, '')}-replay`);
    if (isRun) saveBlurGenome(join(target, `learned-${which}.json`), genome);
    await replay(genome, seeds, steps, compare, out, isRun ? `${target} [${which}]` : target);
    return;
  }

  const outRoot = option(args, 'out', `results/bench-blur-vision${option(args, 'strategy', 'cmaes') === 'cmaes' ? '' : `-${option(args, 'strategy', '')}`}${option(args, 'domains', '') ? '-domains' : ''}${quick ? '-quick' : ''}`);
  const workers = Number(option(args, 'workers', '1'));
  const strategy = option(args, 'strategy', 'cmaes');
  if (!SEARCHES[strategy]) throw new Error(`--strategy must be one of ${Object.keys(SEARCHES).join(', ')} (got ${strategy})`);
  const settings = visionSettings(args);
  const search = visionSearch(SEARCHES[strategy]!, settings);
  const generations = Number(option(args, 'generations', quick ? '15' : String(search['max-generations'])));
  rmSync(outRoot, { recursive: true, force: true });
  mkdirSync(outRoot, { recursive: true });

  const initFile = option(args, 'init', '');
  const start = initFile ? readBlurGenomeFile(initFile) : startGenome(settings);
  if (initFile) (search['task-config'] as Record<string, unknown>)['network'] = { ...start.network };
  const startPath = join(outRoot, 'start.json');
  saveBlurGenome(startPath, start);
  // --domains plain,inverted,…: episodes draw their input transform from these MNIST variants (domain randomisation).
  const taskConfig = search['task-config'] as Record<string, unknown>;
  // --search-seed: the meta-training search's own seed (CMA-ES samples, episode seeds); default the bench's 1.
  const searchSeed = Number(option(args, 'search-seed', String(search['seed'])));
  if (!Number.isInteger(searchSeed) || searchSeed < 0) throw new Error(`--search-seed must be an integer ≥ 0 (got ${option(args, 'search-seed', '')})`);
  const raw = { ...search, init: startPath, 'max-generations': generations, seed: searchSeed };
  const searchDir = join(outRoot, 'search');
  const command = cliCommand(raw, searchDir, workers);
  console.log(`$ ${command}`);
  const select = option(args, 'select', 'validation');
  if (select !== 'validation' && select !== 'final') throw new Error(`--select must be validation or final (got ${select})`);
  const validation = { ...META_VALIDATION_DEFAULTS, ...(quick ? { every: 5, episodes: 2 } : {}) };
  const taskResolved = blurMnistTask.resolveConfig(taskConfig);
  const mv = select === 'validation' ? await metaValidationHooks(outRoot, taskResolved, validation, generations, () => runGenome(searchDir, 'mean'), console.log, start) : null;
  writeProtocol(outRoot, {
    bench: 'blur_vision',
    splits: {
      metaTraining: { dataset: 'mnist', split: 'train split less its validation carve (support) and that carve (query)', domains: taskResolved.domains, classes: taskResolved.classes, ways: taskResolved.ways },
      metaValidation: select === 'validation' ? { dataset: 'mnist', domains: validation.domains, ways: validation.ways, episodes: validation.episodes, every: validation.every, seed: validation.seed } : 'none (the final point is reported)',
      test: { dataset: 'fashion-mnist', images: '2000 test images', replay: REPLAY, seeds },
    },
    selection: select === 'validation' ? 'the point with the best meta-validation accuracy among the checks' : `the search's ${which === 'mean' ? 'final point' : 'best.json genome'}`,
    seeds: Array.from({ length: seeds }, (_, k) => REPLAY.seed + k),
    command: `npm run bench -- blur_vision ${args.join(' ')}`,
    settings: { strategy, generations, ...settings, searchCommand: command },
  });
  const t0 = performance.now();
  const summary = await runSearch(resolveRunConfig({ ...raw, workers }, () => 0), searchDir, { command, ...(mv ? { hooks: mv.hooks } : {}) });
  const wall = (performance.now() - t0) / 1000;
  console.log(`meta-training: ${summary.generations} generations, ${summary.evaluations} evaluations, ${wall.toFixed(0)} s, best single evaluation ${summary.bestFitness}\n`);

  const learnedPath = join(outRoot, 'learned.json');
  const chosen = mv?.best() ?? null;
  const learned = chosen ? readBlurGenomeFile(learnedPath) : runGenome(searchDir, which);
  if (!chosen) saveBlurGenome(learnedPath, learned);
  const pointName = chosen ? `meta-validation best, generation ${chosen.generation}` : which === 'mean' ? 'final point' : 'best';
  console.log(`learned rule (${strategy} ${pointName}) → ${learnedPath}`);
  if (args.includes('--no-test')) return;
  console.log(`$ node dist/src/cli/main.js replay ${learnedPath} --task fashion-mnist --steps ${steps} --seeds ${seeds} --compare ${compare.join(',') || 'none'} --eval-at ${REPLAY.evalAt.filter((s) => s <= steps).join(',')} --out ${join(outRoot, 'replay-learned')}\n`);

  const rl = await replay(learned, seeds, steps, compare, join(outRoot, 'replay-learned'), learnedPath);
  const rs = await replay(start, seeds, steps, [], join(outRoot, 'replay-start'), `${startPath} (start genome${initFile ? `, from ${initFile}` : ", not meta-trained"})`);
  const lr = (m: number) => (rl.methods[m]!.learningRate !== undefined ? ` (lr ${rl.methods[m]!.learningRate})` : '');
  console.log(`Fashion-MNIST test accuracy (%), mean ± std over ${seeds} seeds; meta-training ${summary.generations} generations / ${summary.evaluations} evaluations / ${wall.toFixed(0)} s`);
  console.log(markdown([
    { name: `learned rule (${strategy} ${pointName}, meta-trained on MNIST)`, r: rl, m: 0 },
    { name: `start genome: BLUR-backprop, η_w = −${settings.startLearningRate}`, r: rs, m: 0 },
    ...rl.methods.slice(1).map((mm, i) => ({ name: `tuned ${mm.method === 'sgd' ? 'SGD' : 'Adam'}${lr(i + 1)}`, r: rl, m: i + 1 })),
  ]));
}
