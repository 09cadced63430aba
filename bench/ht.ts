/**
 * `npm run bench -- ht [table] [--steps N] [--episodes N] [--channels 4,8,16] [--shots 1,5] [--models …] [--seeds 1,2,3] [--shard i/n]`
 * HyperTransformer vs ProtoNet with the same 4-block CNN on held-out classes of the pooled MNIST +
 * Fashion-MNIST set (train classes MNIST 0–5 + Fashion 0–5, test classes MNIST 6–9 + Fashion 6–9), 5-way.
 * Every model trains for the same number of steps (4 episodes each) from each training seed and is scored once on
 * the same held-out test episodes; nothing is chosen (no hyperparameter, no stopping step), so no validation split
 * is needed and the run's protocol.json says so. The table gives, per cell, the mean over training seeds ± the 95 %
 * interval of that mean (Student's t over seeds), which is the variation a reader re-training the model would see.
 * Each trained model is saved as a tfjs artifact under OUT/<label>/ (replay it with
 * `evometa replay OUT/<label> --episodes 500`), its numbers in OUT/<label>.json. `--shard i/n` runs every n-th
 * configuration, so two processes can share the work; `table` prints the table from the saved JSON files.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { option } from './bench_args.js';
import { seedInterval, writeProtocol } from './protocol.js';
import { getTf, initBackend } from '../src/runtime/backend.js';
import { resolveHtConfig, type HtConfig } from '../src/models/ht/ht_config.js';
import { DEFAULT_FEW_SHOT_DATA } from '../src/data/few_shot_data.js';
import { trainAndScore } from '../tasks/ht/few_shot_run.js';
import { saveFewShotModel } from '../src/models/ht/ht_io.js';
import { disposeTree } from '../src/models/nn/tensor_tree.js';
import type { FewShotKind } from '../src/models/ht/few_shot_model.js';

interface ModelVariant {
  name: string;
  kind: FewShotKind;
  config: Partial<HtConfig>;
}

const VARIANTS: ModelVariant[] = [
  { name: 'protonet', kind: 'protonet', config: {} },
  { name: 'ht-logits', kind: 'hypertransformer', config: { generatedConvLayers: 0 } },
  { name: 'ht-all', kind: 'hypertransformer', config: { generatedConvLayers: 4 } },
];

export interface Row {
  label: string;
  model: string;
  /** Training seed (absent in rows written before seeds were a flag: seed 1). */
  seed?: number;
  channels: number;
  shots: number;
  steps: number;
  episodes: number;
  accuracy: number;
  ci95: number;
  trainSeconds: number;
  finalTrainLoss: number;
  backend: string;
  date: string;
}

const pct = (v: number): string => (100 * v).toFixed(1);

/** Rows of one cell (shots, channels, model, steps) grouped, seeds in order. */
export function groupRows(rows: readonly Row[]): Row[][] {
  const cells = new Map<string, Row[]>();
  for (const r of rows) {
    const key = JSON.stringify([r.shots, r.channels, r.model, r.steps]);
    cells.set(key, [...(cells.get(key) ?? []), r]);
  }
  return [...cells.values()]
    .map((c) => c.sort((a, b) => (a.seed ?? 1) - (b.seed ?? 1)))
    .sort((a, b) => a[0]!.shots - b[0]!.shots || a[0]!.channels - b[0]!.channels || a[0]!.model.localeCompare(b[0]!.model) || a[0]!.steps - b[0]!.steps);
}

function printTable(out: string): void {
  const rows = readdirSync(out).filter((f) => f.endsWith('.json') && f !== 'protocol.json').map((f) => JSON.parse(readFileSync(join(out, f), 'utf8')) as Row);
  console.log('| shots | channels | model | steps | seeds | test accuracy per seed (%) | mean ± 95 % interval over seeds | train s per seed |\n|---:|---:|---|---:|---:|---|---:|---:|');
  for (const cell of groupRows(rows)) {
    const r = cell[0]!;
    const m = seedInterval(cell.map((x) => x.accuracy));
    const interval = cell.length > 1 ? `± ${pct(m.half)}` : `(one seed; ± ${pct(r.ci95)} over episodes)`;
    const secs = cell.reduce((a, x) => a + x.trainSeconds, 0) / cell.length;
    console.log(`| ${r.shots} | ${r.channels} | ${r.model} | ${r.steps} | ${cell.length} | ${cell.map((x) => pct(x.accuracy)).join(', ')} | **${pct(m.mean)}** ${interval} | ${secs.toFixed(0)} |`);
  }
}

export default async function (args: string[]): Promise<void> {
  const out = option(args, 'out', 'results/bench-ht');
  if (args[0] === 'table') return printTable(out);
  const backend = (await initBackend(option(args, 'backend', 'wasm') as 'wasm')).backend;
  const tf = getTf();
  const steps = Number(option(args, 'steps', '500'));
  const episodes = Number(option(args, 'episodes', '500'));
  const channels = option(args, 'channels', '4,8,16').split(',').map(Number);
  const shots = option(args, 'shots', '1,5').split(',').map(Number);
  const models = option(args, 'models', VARIANTS.map((v) => v.name).join(',')).split(',');
  const seeds = option(args, 'seeds', option(args, 'seed', '1')).split(',').map(Number);
  if (seeds.some((s) => !Number.isInteger(s) || s < 0)) throw new Error(`--seeds must be a comma-separated list of integers >= 0 (got ${option(args, 'seeds', '')})`);
  const [shard, shards] = option(args, 'shard', '0/1').split('/').map(Number) as [number, number];
  mkdirSync(out, { recursive: true });
  writeProtocol(out, {
    bench: 'ht',
    splits: { metaTraining: { classes: DEFAULT_FEW_SHOT_DATA.split.train, images: 'pooled train split' }, metaValidation: 'none: no choice is made (fixed budget, fixed settings, every seed reported)', test: { classes: DEFAULT_FEW_SHOT_DATA.split.test, images: 'pooled test split', episodes, evalSeed: 0 } },
    selection: `none: every model trains ${steps} steps with the default settings and is scored once`,
    seeds,
    command: `npm run bench -- ht ${args.join(' ')}`,
    settings: { steps, episodes, channels, shots, models },
  });
  const jobs = shots.flatMap((s) => channels.flatMap((c) => VARIANTS.filter((v) => models.includes(v.name)).flatMap((v) => seeds.map((seed) => ({ s, c, v, seed })))));
  for (const [j, { s, c, v, seed }] of jobs.entries()) {
    if (j % shards !== shard) continue;
    const label = `${v.name}-c${c}-s${s}${seeds.length > 1 || seed !== 1 ? `-seed${seed}` : ''}`;
    if (existsSync(join(out, `${label}.json`)) && !args.includes('--force')) {
      console.log(`${label}: done already (${join(out, `${label}.json`)}); --force reruns`);
      continue;
    }
    const config = resolveHtConfig({ ...v.config, channels: c, shots: s });
    const r = await trainAndScore(tf, {
      kind: v.kind, config, data: DEFAULT_FEW_SHOT_DATA, steps, seed, evalEpisodes: episodes, evalSource: 'test', evalSeed: 0,
      onStep: (p) => { if (p.step % 100 === 0) console.log(`${label} step ${p.step}: loss ${p.loss.toFixed(3)}, accuracy ${pct(p.accuracy)}`); },
    });
    const tail = r.history.slice(-50);
    const row: Row = {
      label, model: v.name, seed, channels: c, shots: s, steps, episodes, accuracy: r.score.accuracy, ci95: r.score.ci95, trainSeconds: r.trainSeconds,
      finalTrainLoss: tail.reduce((a, p) => a + p.loss, 0) / tail.length, backend, date: new Date().toISOString(),
    };
    await saveFewShotModel(tf, join(out, label), r.model, { steps, seed, data: DEFAULT_FEW_SHOT_DATA, trainedBy: 'npm run bench -- ht' });
    disposeTree(tf, r.model.params);
    writeFileSync(join(out, `${label}.json`), JSON.stringify(row, null, 1));
    console.log(`${label}: ${pct(row.accuracy)} ± ${pct(row.ci95)} % over ${episodes} held-out episodes (${row.trainSeconds.toFixed(0)} s training)`);
  }
  printTable(out);
}
