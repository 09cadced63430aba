/**
 * `npm run bench -- ht [table] [--steps N] [--episodes N] [--channels 4,8,16] [--shots 1,5] [--models …] [--shard i/n]`
 * HyperTransformer vs ProtoNet with the same 4-block CNN on held-out classes of the pooled MNIST +
 * Fashion-MNIST set (train classes MNIST 0–5 + Fashion 0–5, test classes MNIST 6–9 + Fashion 6–9), 5-way.
 * Every model trains for the same number of steps (4 episodes each) from the same seed and is scored on
 * the same held-out test episodes (mean and 95 % interval). Each trained model is saved as a tfjs artifact
 * under OUT/<label>/ (replay it with `evometa replay OUT/<label> --episodes 500`), its numbers in
 * OUT/<label>.json. `--shard i/n` runs every n-th configuration, so two processes can share the work;
 * `table` prints the table from the saved JSON files.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { option } from './bench_args.js';
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

interface Row {
  label: string;
  model: string;
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

function printTable(out: string): void {
  const rows = readdirSync(out).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(out, f), 'utf8')) as Row);
  rows.sort((a, b) => a.shots - b.shots || a.channels - b.channels || a.model.localeCompare(b.model));
  console.log('| shots | channels | model | steps | test accuracy (%) | 95 % interval | train s |\n|---:|---:|---|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.shots} | ${r.channels} | ${r.model} | ${r.steps} | ${pct(r.accuracy)} | ± ${pct(r.ci95)} | ${r.trainSeconds.toFixed(0)} |`);
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
  const seed = Number(option(args, 'seed', '1'));
  const [shard, shards] = option(args, 'shard', '0/1').split('/').map(Number) as [number, number];
  mkdirSync(out, { recursive: true });
  const jobs = shots.flatMap((s) => channels.flatMap((c) => VARIANTS.filter((v) => models.includes(v.name)).map((v) => ({ s, c, v }))));
  for (const [j, { s, c, v }] of jobs.entries()) {
    if (j % shards !== shard) continue;
    const label = `${v.name}-c${c}-s${s}`;
    if (existsSync(join(out, `${label}.json`)) && !args.includes('--force')) {
      console.log(`${label}: done already (${join(out, `${label}.json`)}); --force reruns`);
      continue;
    }
    const config = resolveHtConfig({ ...v.config, channels: c, shots: s });
    const r = trainAndScore(tf, {
      kind: v.kind, config, data: DEFAULT_FEW_SHOT_DATA, steps, seed, evalEpisodes: episodes, evalSource: 'test', evalSeed: 0,
      onStep: (p) => { if (p.step % 100 === 0) console.log(`${label} step ${p.step}: loss ${p.loss.toFixed(3)}, accuracy ${pct(p.accuracy)}`); },
    });
    const tail = r.history.slice(-50);
    const row: Row = {
      label, model: v.name, channels: c, shots: s, steps, episodes, accuracy: r.score.accuracy, ci95: r.score.ci95, trainSeconds: r.trainSeconds,
      finalTrainLoss: tail.reduce((a, p) => a + p.loss, 0) / tail.length, backend, date: new Date().toISOString(),
    };
    await saveFewShotModel(tf, join(out, label), r.model, { steps, seed, data: DEFAULT_FEW_SHOT_DATA, trainedBy: 'npm run bench -- ht' });
    disposeTree(tf, r.model.params);
    writeFileSync(join(out, `${label}.json`), JSON.stringify(row, null, 1));
    console.log(`${label}: ${pct(row.accuracy)} ± ${pct(row.ci95)} % over ${episodes} held-out episodes (${row.trainSeconds.toFixed(0)} s training)`);
  }
  printTable(out);
}
