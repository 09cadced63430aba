/**
 * `npm run bench -- ht_search [--generations 5] [--popsize 8] [--steps 300] [--repeats 2] [--workers 2] [--seeds 5] [compare RUN_DIR [--only default|best]]`
 * A HyperTransformer hyperparameter search with the engine (CMA-ES over `ht-hparams`, started at the default
 * configuration), then the comparison: the default configuration against the search's best, each retrained with the
 * same budget from `--seeds` new seeds and scored once on 500 test episodes.
 *
 * Protocol (src/data/few_shot_splits.ts, written to RUN_DIR/protocol.json): a candidate trains `--steps` steps on
 * the search-training classes (MNIST 0–3, Fashion 0–2) and its fitness is 1 − accuracy on 100 episodes of the
 * validation classes (MNIST 4–5, Fashion 3–5), averaged over `--repeats` trainings. The best candidate by that
 * fitness is the search's choice. The default and the chosen configuration are then retrained on train ∪ validation
 * classes (the default training classes of `bench ht`) and scored on the test classes' test images (MNIST 6–9,
 * Fashion 6–9), which no search step has read. The CNN width is fixed (8 channels), so the search can only win
 * through the HT's own settings, not by a bigger target network.
 */
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { cliCommand, option } from './bench_args.js';
import { seedInterval, writeProtocol } from './protocol.js';
import { getTf, initBackend } from '../src/runtime/backend.js';
import { resolveRunConfig } from '../src/engine/run_config.js';
import { runSearch } from '../src/search.js';
import { readJsonFile } from '../src/core/json_file.js';
import { resolveHtConfig } from '../src/models/ht/ht_config.js';
import { trainAndScore } from '../tasks/ht/few_shot_run.js';
import { finalData, HT_SEARCH_SPLIT, searchData } from '../src/data/few_shot_splits.js';
import { disposeTree } from '../src/models/nn/tensor_tree.js';
import { HT_DEFAULTS } from '../src/models/ht/ht_config.js';

/** generatedConvLayers stays at 0 (logits only, the paper's choice for ≥ 8 channels): generating conv layers costs up to 7× per step, which would make a candidate's cost depend on its settings. */
const FIELDS = ['transformerLayers', 'heads', 'embeddingDim', 'localFeatures', 'sharedFeatures', 'learningRate', 'decayRate', 'transformerActivation'];

const pct = (v: number): string => (100 * v).toFixed(1);

async function compare(runDir: string, steps: number, seeds: number, base: Record<string, unknown>, only: string[] = ['default', 'best']): Promise<void> {
  await initBackend('wasm');
  const tf = getTf();
  const best = (readJsonFile(join(runDir, 'best.json'), 'best.json') as { genome: Record<string, unknown>; fitness: number }).genome;
  const data = finalData();
  const rows: string[] = [];
  // `--only` lets two processes share the comparison (each prints its own rows).
  for (const [name, fields] of ([['default', {}], ['search best', best]] as const).filter(([n]) => only.includes(n === 'default' ? 'default' : 'best'))) {
    const config = resolveHtConfig({ ...base, ...fields });
    const acc: number[] = [];
    for (let s = 0; s < seeds; s++) {
      const r = await trainAndScore(tf, { kind: 'hypertransformer', config, data, steps, seed: 100 + s, evalEpisodes: 500, evalSource: 'test', evalSeed: 0 });
      disposeTree(tf, r.model.params);
      acc.push(r.score.accuracy);
      console.log(`${name} seed ${100 + s}: ${pct(r.score.accuracy)} ± ${pct(r.score.ci95)} % (500 test episodes, ${r.trainSeconds.toFixed(0)} s training)`);
    }
    const m = seedInterval(acc);
    const shown = Object.fromEntries(FIELDS.map((f) => [f, (config as unknown as Record<string, unknown>)[f]]));
    rows.push(`| ${name} | ${JSON.stringify(shown).replace(/"/g, '')} | ${acc.map(pct).join(', ')} | **${pct(m.mean)}** ± ${pct(m.half)} |`);
  }
  console.log(`\n| configuration | searched fields | test accuracy per seed (%, 500 episodes each) | mean ± 95 % interval over seeds |\n|---|---|---|---:|`);
  for (const r of rows) console.log(r);
}

export default async function (args: string[]): Promise<void> {
  const steps = Number(option(args, 'steps', '300'));
  const seeds = Number(option(args, 'seeds', '5'));
  const base = { channels: 8 };
  if (args[0] === 'compare') return compare(args[1]!, steps, seeds, base, option(args, 'only', 'default,best').split(','));
  const out = option(args, 'out', 'results/bench-ht-search');
  const workers = Number(option(args, 'workers', '2'));
  mkdirSync(out, { recursive: true });
  const raw: Record<string, unknown> = {
    genome: 'ht-hparams', task: 'ht-fewshot', strategy: 'cmaes', init: 'default', sigma0: 1,
    popsize: Number(option(args, 'popsize', '8')), 'max-generations': Number(option(args, 'generations', '5')), seed: Number(option(args, 'seed', '1')),
    backend: 'wasm',
    'genome-config': { fields: FIELDS },
    'task-config': { base, ...searchData(), trainSteps: steps, trainRepeats: Number(option(args, 'repeats', '2')), evalEpisodes: 100, evalSource: 'validation' },
  };
  const command = cliCommand(raw, out, workers);
  console.log(`$ ${command}`);
  const summary = await runSearch(resolveRunConfig({ ...raw, workers }, () => 0), out, { command });
  console.log(`search: ${summary.generations} generations, ${summary.evaluations} evaluations, best validation accuracy ${pct(1 - (summary.bestFitness ?? 1))} % (default settings: ${JSON.stringify(Object.fromEntries(FIELDS.map((f) => [f, (HT_DEFAULTS as unknown as Record<string, unknown>)[f]])))})`);
  // Written once the run folder exists (the store refuses a non-empty --out) and before any test episode is read.
  writeProtocol(out, {
    bench: 'ht_search',
    splits: {
      metaTraining: { classes: HT_SEARCH_SPLIT.train, images: 'pooled train split' },
      metaValidation: { classes: HT_SEARCH_SPLIT.validation, images: 'pooled train split', episodes: 100, evalSeed: 0 },
      test: { classes: HT_SEARCH_SPLIT.test, images: 'pooled test split', episodes: 500, evalSeed: 0, trainedOn: finalData().split.train },
    },
    selection: 'best.json: the candidate with the best validation fitness over the whole search; then default and best are retrained on train ∪ validation classes and scored once on test',
    seeds: Array.from({ length: seeds }, (_, s) => 100 + s),
    command,
    settings: { steps, base },
  });
  await compare(out, steps, seeds, base);
}
