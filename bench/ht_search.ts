/**
 * `npm run bench -- ht_search [--generations 5] [--popsize 8] [--steps 300] [--repeats 2] [--workers 2] [--seeds 5] [compare RUN_DIR]`
 * A HyperTransformer hyperparameter search with the engine (CMA-ES over `ht-hparams`, started at the
 * default configuration, fitness = 1 − accuracy on 100 validation episodes of the held-out classes after
 * `--steps` training steps, averaged over `--repeats` trainings), then the comparison the issue asks for: the default configuration against the
 * search's best, each trained with the same budget from `--seeds` seeds and scored on 500 held-out *test*
 * episodes (images the search never saw). The CNN width is fixed (8 channels), so the search can only win
 * through the HT's own settings, not by a bigger target network.
 */
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { cliCommand, option } from './bench_args.js';
import { getTf, initBackend } from '../src/runtime/backend.js';
import { resolveRunConfig } from '../src/engine/run_config.js';
import { runSearch } from '../src/search.js';
import { readJsonFile } from '../src/core/json_file.js';
import { resolveHtConfig } from '../src/models/ht/ht_config.js';
import { trainAndScore } from '../tasks/ht/few_shot_run.js';
import { summarize } from '../src/models/ht/ht_training.js';
import { DEFAULT_FEW_SHOT_DATA } from '../src/data/few_shot_data.js';
import { disposeTree } from '../src/models/nn/tensor_tree.js';
import { HT_DEFAULTS } from '../src/models/ht/ht_config.js';

/** generatedConvLayers stays at 0 (logits only, the paper's choice for ≥ 8 channels): generating conv layers costs up to 7× per step, which would make a candidate's cost depend on its settings. */
const FIELDS = ['transformerLayers', 'heads', 'embeddingDim', 'localFeatures', 'sharedFeatures', 'learningRate', 'decayRate', 'transformerActivation'];

const pct = (v: number): string => (100 * v).toFixed(1);

async function compare(runDir: string, steps: number, seeds: number, base: Record<string, unknown>): Promise<void> {
  await initBackend('wasm');
  const tf = getTf();
  const best = (readJsonFile(join(runDir, 'best.json'), 'best.json') as { genome: Record<string, unknown>; fitness: number }).genome;
  const rows: string[] = [];
  for (const [name, fields] of [['default', {}], ['search best', best]] as const) {
    const config = resolveHtConfig({ ...base, ...fields });
    const acc: number[] = [];
    const ci: number[] = [];
    for (let s = 0; s < seeds; s++) {
      const r = trainAndScore(tf, { kind: 'hypertransformer', config, data: DEFAULT_FEW_SHOT_DATA, steps, seed: 100 + s, evalEpisodes: 500, evalSource: 'test', evalSeed: 0 });
      disposeTree(tf, r.model.params);
      acc.push(r.score.accuracy);
      ci.push(r.score.ci95);
      console.log(`${name} seed ${100 + s}: ${pct(r.score.accuracy)} ± ${pct(r.score.ci95)} % (500 test episodes, ${r.trainSeconds.toFixed(0)} s training)`);
    }
    const m = summarize(acc);
    const shown = Object.fromEntries(FIELDS.map((f) => [f, (config as unknown as Record<string, unknown>)[f]]));
    rows.push(`| ${name} | ${JSON.stringify(shown).replace(/"/g, '')} | ${acc.map(pct).join(', ')} | **${pct(m.mean)}** ± ${pct(m.std)} |`);
  }
  console.log(`\n| configuration | searched fields | test accuracy per seed (%, 500 episodes each) | mean ± std over seeds |\n|---|---|---|---:|`);
  for (const r of rows) console.log(r);
}

export default async function (args: string[]): Promise<void> {
  const steps = Number(option(args, 'steps', '300'));
  const seeds = Number(option(args, 'seeds', '5'));
  const base = { channels: 8 };
  if (args[0] === 'compare') return compare(args[1]!, steps, seeds, base);
  const out = option(args, 'out', 'results/bench-ht-search');
  const workers = Number(option(args, 'workers', '2'));
  mkdirSync(out, { recursive: true });
  const raw: Record<string, unknown> = {
    genome: 'ht-hparams', task: 'ht-fewshot', strategy: 'cmaes', init: 'default', sigma0: 1,
    popsize: Number(option(args, 'popsize', '8')), 'max-generations': Number(option(args, 'generations', '5')), seed: Number(option(args, 'seed', '1')),
    backend: 'wasm',
    'genome-config': { fields: FIELDS },
    'task-config': { base, trainSteps: steps, trainRepeats: Number(option(args, 'repeats', '2')), evalEpisodes: 100, evalSource: 'validation' },
  };
  const command = cliCommand(raw, out, workers);
  console.log(`$ ${command}`);
  const summary = await runSearch(resolveRunConfig({ ...raw, workers }, () => 0), out, { command });
  console.log(`search: ${summary.generations} generations, ${summary.evaluations} evaluations, best validation accuracy ${pct(1 - (summary.bestFitness ?? 1))} % (default settings: ${JSON.stringify(Object.fromEntries(FIELDS.map((f) => [f, (HT_DEFAULTS as unknown as Record<string, unknown>)[f]])))})`);
  await compare(out, steps, seeds, base);
}
