/** `evometa replay GENOME.json --task fashion-mnist ...`: options, run and output of a rule replay. */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { parseOptionValue, type OptionSpec } from '../engine/run_config.js';
import { BACKEND_REQUESTS, type BackendRequest } from '../runtime/backend_names.js';
import { initBackend } from '../runtime/backend.js';
import { readBlurGenomeFile } from '../workflows/learned_rule.js';
import { readJsonFile } from '../core/json_file.js';
import { runPoint } from '../store/run_point.js';
import { GENOME_KINDS } from '../../genomes/index.js';
import { TASKS } from '../../tasks/index.js';
import { STRATEGIES } from '../../strategies/index.js';
import type { BlurGenome } from '../../genomes/blur_genome.js';
import { loadReplayData, REPLAY_TASKS } from '../workflows/replay/replay_data.js';
import { defaultEvalAt, replayRule, replayTable, writeReplay } from '../workflows/replay/replay_blur.js';
import { ProgressBar } from './progress_bar.js';
import type { ParsedArgs } from './args.js';

interface ReplayConfig {
  task: string;
  steps: number;
  compare: string;
  seeds: number;
  seed: number;
  hidden: number | number[];
  batchSize: number;
  downsample: number;
  classes: number | number[] | null;
  trainSamples: number;
  validation: number;
  testSamples: number;
  evalAt: number | number[] | null;
  backend: BackendRequest;
}

export const REPLAY_OPTIONS: readonly OptionSpec<keyof ReplayConfig>[] = [
  { flag: 'task', key: 'task', kind: 'enum', choices: REPLAY_TASKS, help: 'data to train on (default fashion-mnist)' },
  { flag: 'steps', key: 'steps', kind: 'int', min: 1, max: 1e7, help: 'inner steps per network (default 1000)' },
  { flag: 'compare', key: 'compare', kind: 'string', help: "baselines, comma-separated: sgd, adam, or 'none' (default sgd,adam)" },
  { flag: 'seeds', key: 'seeds', kind: 'int', min: 1, max: 1000, help: 'networks per method (default 5)' },
  { flag: 'seed', key: 'seed', kind: 'int', min: 0, max: 4294967295, help: 'base seed (default 0)' },
  { flag: 'hidden', key: 'hidden', kind: 'vector', help: 'hidden layer sizes, comma-separated (default 64)' },
  { flag: 'batch-size', key: 'batchSize', kind: 'int', min: 1, max: 65536, help: 'batch per step (default 32)' },
  { flag: 'downsample', key: 'downsample', kind: 'int', min: 1, max: 28, help: 'image downsampling factor (default 2: 28→14)' },
  { flag: 'classes', key: 'classes', kind: 'vector', help: 'keep only these classes (default all)' },
  { flag: 'train-samples', key: 'trainSamples', kind: 'int', min: 10, max: 60000, help: 'training examples (default 10000)' },
  { flag: 'validation', key: 'validation', kind: 'int', min: 10, max: 20000, help: 'validation examples for learning-rate choice (default 2000)' },
  { flag: 'test-samples', key: 'testSamples', kind: 'int', min: 10, max: 10000, help: 'test examples (default 2000)' },
  { flag: 'eval-at', key: 'evalAt', kind: 'vector', help: 'steps at which to measure (default 0,10,20,50,100,200,500,1000…)' },
  { flag: 'backend', key: 'backend', kind: 'enum', choices: BACKEND_REQUESTS, help: 'TensorFlow.js backend (default auto)' },
];

const DEFAULTS: ReplayConfig = {
  task: 'fashion-mnist',
  steps: 1000,
  compare: 'sgd,adam',
  seeds: 5,
  seed: 0,
  hidden: 64,
  batchSize: 32,
  downsample: 2,
  classes: null,
  trainSamples: 10000,
  validation: 2000,
  testSamples: 2000,
  evalAt: null,
  backend: 'auto',
};

const list = (v: number | number[] | null): number[] | null => (v === null ? null : Array.isArray(v) ? v : [v]);

function integers(v: number[], flag: string, min: number): number[] {
  if (v.some((e) => !Number.isInteger(e) || e < min)) throw new UsageError(`--${flag} must list integers >= ${min} (got ${v.join(',')})`);
  return v;
}

/**
 * A blur search's run folder replays its final point (the CMA-ES mean, metagrad's x, as `evometa export`
 * writes it): with a noisy fitness that is the rule the search converged to, not best.json's lucky draw.
 */
function runFolderGenome(dir: string): BlurGenome {
  if (!existsSync(join(dir, 'manifest.json')))
    throw new UsageError(`${dir} is a folder but not a run folder (no manifest.json); replay takes a genome file, a blur search's run folder, a few-shot model folder or an ht-hparams run folder`);
  const kind = (readJsonFile(join(dir, 'manifest.json'), 'run manifest') as { config?: { genome?: string } }).config?.genome;
  if (kind !== 'blur') throw new UsageError(`${dir} is a run of genome kind '${kind}'; a run folder replays only blur searches (give an ordering genome file with --bank, or an ht-hparams run)`);
  if (!existsSync(join(dir, 'checkpoint.json'))) throw new UsageError(`${dir} has no checkpoint.json yet (no generation finished); replay its best.json or wait for a generation`);
  return runPoint(dir, 'mean', { genomes: GENOME_KINDS, tasks: TASKS, strategies: STRATEGIES, plugins: [] }).genome as BlurGenome;
}

export async function cmdReplay(args: ParsedArgs): Promise<void> {
  const ordering = await import('./replay_ordering.js'); // an ordering genome (or --bank): module-ordering replay
  if (ordering.isOrderingReplay(args)) return ordering.cmdReplayOrdering(args);
  if (args.positional[0] !== undefined && !existsSync(args.positional[0]))
    throw new UsageError(`not found: ${args.positional[0]}; replay takes a genome file (BLUR or ordering), a blur search's run folder, a few-shot model folder (train-ht) or an ht-hparams search run folder`);
  const ht = await import('./ht.js'); // a few-shot model folder or an ht-hparams search run
  if (ht.isHtReplay(args)) return ht.cmdReplayHt(args);
  const genomePath = args.positional[0];
  if (!genomePath) throw new UsageError('usage: evometa replay GENOME.json [--task fashion-mnist] [--steps 1000] [--compare sgd,adam] [--seeds 5] [--json]');
  const c: ReplayConfig = { ...DEFAULTS };
  let out: string | undefined;
  let exportDir: string | null = null;
  for (const [flag, value] of Object.entries(args.flags)) {
    if (flag === 'out') out = value;
    else if (flag === 'export') exportDir = value;
    else {
      const o = REPLAY_OPTIONS.find((x) => x.flag === flag);
      if (!o) throw new UsageError(`unknown replay option '--${flag}'; valid: ${[...REPLAY_OPTIONS.map((x) => x.flag), 'out', 'export', 'json'].join(', ')}`);
      (c as unknown as Record<string, unknown>)[o.key] = parseOptionValue(o, value);
    }
  }
  const compare = c.compare === 'none' ? [] : c.compare.split(',').map((s) => s.trim());
  for (const m of compare) if (m !== 'sgd' && m !== 'adam') throw new UsageError(`--compare takes sgd, adam or none (got '${m}')`);
  const hidden = integers(list(c.hidden)!, 'hidden', 1);
  const evalAt = c.evalAt === null ? defaultEvalAt(c.steps) : integers(list(c.evalAt)!, 'eval-at', 0).filter((s) => s <= c.steps);
  const classes = list(c.classes);
  if (classes) integers(classes, 'classes', 0);

  const genome = statSync(genomePath).isDirectory() ? runFolderGenome(genomePath) : readBlurGenomeFile(genomePath);
  const backend = await initBackend(c.backend);
  const data = loadReplayData({ task: c.task, downsample: c.downsample, classes, trainSamples: c.trainSamples, validation: c.validation, testSamples: c.testSamples });
  const dir = out ?? join('results', `replay-${new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}-${c.task}`);
  const bar = new ProgressBar();
  const json = args.switches.has('json');
  const result = await replayRule(genome, data, {
    hidden,
    steps: c.steps,
    batchSize: c.batchSize,
    seeds: c.seeds,
    seed: c.seed,
    compare: compare as ('sgd' | 'adam')[],
    evalAt,
    exportDir,
    onProgress: (done, total, label) => {
      if (bar.isTerminal || !json) bar.update({ fraction: done / total, label });
    },
  });
  bar.done();
  const files = writeReplay(dir, result, { genome: genomePath, backend: backend.backend, config: { ...c, hidden, evalAt, classes }, createdAt: new Date().toISOString() });
  if (json) {
    const methods = Object.fromEntries(result.methods.map((m) => [m.method, { mean: m.mean, std: m.std, ...(m.learningRate !== undefined ? { learningRate: m.learningRate } : {}) }]));
    process.stdout.write(JSON.stringify({ task: result.task, sizes: result.sizes, evalAt: result.evalAt, methods, runDir: dir, svg: files.svg, ...(exportDir ? { exported: exportDir } : {}) }) + '\n');
  } else {
    process.stdout.write(`${replayTable(result)}\n\nbackend ${backend.backend}; results ${files.json}; plot ${files.svg}${exportDir ? `; model ${exportDir}/model.json` : ''}\n`);
  }
}
