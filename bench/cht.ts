/**
 * `npm run bench -- cht [table] [--steps N] [--models cht,ht,protonet] [--seed N] [--eval-sequences N] [--eval-tasks N]
 *  [--config JSON] [--tasks N] [--out DIR] [--shard i/n]`
 * The Continual HyperTransformer against the same HT regenerating from scratch per task (no memory) and ProtoNet with
 * the same CNN, on sequences of 2-way 5-shot tasks from the pooled MNIST + Fashion-MNIST classes: meta-training
 * classes MNIST 0–4 + Fashion 0–4, checkpoints chosen on meta-validation classes MNIST 5–6 + Fashion 5–6, the test
 * read once on classes MNIST 7–9 + Fashion 7–9. Each learner is meta-trained the same number of steps from the same
 * seed, unrolling `--tasks` tasks, and scored on the same test sequences of `--eval-tasks` tasks: accuracy on all
 * tasks seen after each task, task- and class-incremental, and backward transfer. Each trained learner is saved under
 * OUT/<model>/ (`evometa replay OUT/<model>` scores it again), its record in OUT/<model>.json; `table` prints the
 * tables from those files.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { option } from './bench_args.js';
import { getTf, initBackend } from '../src/runtime/backend.js';
import { resolveHtConfig } from '../src/models/ht/ht_config.js';
import { CONTINUAL_KINDS, resolveContinualSettings, SCENARIOS, type ContinualKind } from '../src/models/ht/continual/cht_config.js';
import { DEFAULT_FEW_SHOT_DATA } from '../src/data/few_shot_data.js';
import { trainSaveContinual, type ContinualTestRecord } from '../src/workflows/cht_train.js';

/** The bench's learner: 2-way 5-shot tasks, an 8-channel CNN whose last conv layer and embedding layer are generated. */
export const CHT_BENCH_CONFIG = { ways: 2, shots: 5, queries: 5, channels: 8, generatedConvLayers: 1, episodesPerStep: 1 };

interface Row {
  model: ContinualKind;
  steps: number;
  seed: number;
  chosenStep: number;
  validationScore: number;
  trainSeconds: number;
  test: ContinualTestRecord;
}

const pct = (v: number): string => (100 * v).toFixed(1);

function printTable(out: string): void {
  const rows = readdirSync(out).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(out, f), 'utf8')) as Row);
  rows.sort((a, b) => CONTINUAL_KINDS.indexOf(a.model) - CONTINUAL_KINDS.indexOf(b.model));
  if (rows.length === 0) return;
  const tasks = rows[0]!.test.tasks;
  for (const scenario of SCENARIOS) {
    console.log(`\n${scenario}: test accuracy (%) on all tasks seen after task T (${rows[0]!.test.sequences} sequences, ± 95 % half-width)`);
    console.log(`| model | steps (chosen) | ${Array.from({ length: tasks }, (_, t) => `T=${t + 1}`).join(' | ')} | backward transfer (points) |`);
    console.log(`|---|---:|${'---:|'.repeat(tasks)}---:|`);
    for (const r of rows) {
      const s = r.test.scenarios[scenario];
      const cells = s.seenSoFar.map((v, t) => `${pct(v)} ± ${pct(s.ci95[t]!)}`);
      console.log(`| ${r.model} | ${r.steps} (${r.chosenStep}) | ${cells.join(' | ')} | ${pct(s.backwardTransfer)} ± ${pct(s.backwardTransferCi95)} |`);
    }
  }
}

export default async function (args: string[]): Promise<void> {
  const out = option(args, 'out', 'results/bench-cht');
  if (args[0] === 'table') return printTable(out);
  const backend = (await initBackend(option(args, 'backend', 'wasm') as 'wasm')).backend;
  const tf = getTf();
  const steps = Number(option(args, 'steps', '400'));
  const seed = Number(option(args, 'seed', '1'));
  const models = option(args, 'models', CONTINUAL_KINDS.join(',')).split(',') as ContinualKind[];
  const config = resolveHtConfig({ ...CHT_BENCH_CONFIG, ...(JSON.parse(option(args, 'config', '{}')) as Record<string, unknown>) });
  const settings = resolveContinualSettings({ tasks: Number(option(args, 'tasks', '4')) });
  const [shard, shards] = option(args, 'shard', '0/1').split('/').map(Number) as [number, number];
  mkdirSync(out, { recursive: true });
  for (const [j, kind] of models.entries()) {
    if (j % shards !== shard) continue;
    if (existsSync(join(out, `${kind}.json`)) && !args.includes('--force')) {
      console.log(`${kind}: done already (${join(out, `${kind}.json`)}); --force reruns`);
      continue;
    }
    const summary = await trainSaveContinual(tf, {
      kind, config, settings, data: DEFAULT_FEW_SHOT_DATA, steps, seed,
      validateEvery: Number(option(args, 'validate-every', '50')), validationSequences: Number(option(args, 'validation-sequences', '30')),
      evalSequences: Number(option(args, 'eval-sequences', '100')), evalTasks: Number(option(args, 'eval-tasks', '8')),
    }, join(out, kind), backend, {
      onStep: (p) => { if (p.step % 25 === 0) console.log(`${kind} step ${p.step}: loss ${p.loss.toFixed(3)}`); },
      onValidate: (p) => console.log(`${kind} step ${p.step}: meta-validation accuracy ${pct(p.score)} %`),
    });
    const row: Row = {
      model: kind, steps, seed, chosenStep: summary['chosenStep'] as number, validationScore: summary['validationScore'] as number,
      trainSeconds: summary['trainSeconds'] as number, test: summary['test'] as ContinualTestRecord,
    };
    writeFileSync(join(out, `${kind}.json`), JSON.stringify(row, null, 1));
    console.log(`${kind}: class-incremental ${row.test.scenarios['class-incremental'].seenSoFar.map(pct).join(', ')} % (${row.trainSeconds.toFixed(0)} s training)`);
  }
  printTable(out);
}
