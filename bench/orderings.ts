/**
 * `npm run bench -- orderings [--quick] [--bank DIR] [--domains fashion-mnist,rotate45] [--seeds 3] [--evals 200]
 * [--random 20] [--workers 0] [--out DIR]`: module orderings for new domains (issue 4 §5), end to end.
 *
 * 1. A module bank: loaded from --bank, or pretrained with the defaults of `evometa pretrain-bank` (plain, inverted,
 *    rotate90 and noise MNIST; 1500 steps) and saved to OUT/bank.
 * 2. On each target domain and for each seed s (the seed of every head fit and of every search), test accuracy of:
 *    - best source ordering: every source domain's ordering scored on validation, the best kept (S evaluations);
 *      the first source's (plain MNIST) ordering is shown too, as a fixed reference;
 *    - random ordering: the mean over R uniformly random orderings, and random search (the best of them by validation);
 *    - CMA-ES on the L×N logits (argmax-decoded) and ga-ordering, both started from the best source ordering, each with
 *      `--evals` evaluations of task ordering-transfer (`evometa search`, run folders under OUT/runs), plus the S
 *      evaluations that chose their start;
 *    - gradient descent on the soft mixture logits (the paper's method, `fitMixtureLogits`: Adam on the logits and a
 *      head, from the best source's logits), its learning rate, number of steps and form (the soft mixture or its
 *      argmax ordering) tuned on validation with `--evals` evaluations' worth of compute (bench/ordering_baselines.ts);
 *    - full fine-tuning (every parameter of the bank and the head, best source ordering) as the upper bound.
 *    Every method is scored by the same fit: a fresh head, `headSteps` Adam steps of `batchSize` (the head budget);
 *    full fine-tuning trains everything for the same number of steps.
 * 3. Protocol (OUT/protocol.json): searches and tuning read the target's validation split only (their task config has
 *    testSamples 0); each method's chosen ordering is then scored once on the test split.
 * 4. OUT/orderings.json (every number) and OUT/orderings.md (the table: test accuracy, mean ± std over seeds, and the
 *    evaluations each method spent).
 *
 * --quick: a small bank (120 steps), small target data, 2 seeds, 12 evaluations per search, 4 random orderings; a smoke
 * test of the pipeline (a few minutes on 2 busy cores), not a result.
 */
import { option } from './bench_args.js';
import { availableParallelism } from 'node:os';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getTf, initBackend } from '../src/runtime/backend.js';
import { deriveSeed, Rng } from '../src/core/rng.js';
import { readJsonFile } from '../src/core/json_file.js';
import { resolveRunConfig } from '../src/engine/run_config.js';
import { runSearch } from '../src/search.js';
import type { BestRecord } from '../src/store/run_records.js';
import { saveModuleBank, disposeModuleBank, type BankTrainingOptions } from '../src/models/modular/module_bank.js';
import { pretrainModuleBank } from '../src/workflows/pretrain_bank.js';
import { evaluateTransfer, type TransferResult } from '../tasks/ordering/transfer.js';
import { bestSourceOrdering, planMixtureTuning, tuneMixtureFit } from './ordering_baselines.js';
import { writeProtocol } from './protocol.js';
import { makeOrderingGenome, saveOrderingGenome, type OrderingGenome } from '../genomes/ordering_genome.js';
import { cachedBank, imageOffset, loadTransferData, resolveOrderingTransferConfig, scoreOrdering, transferSettings, type OrderingTransferConfig } from '../tasks/ordering/ordering_tasks.js';

interface Settings {
  quick: boolean;
  domains: string[];
  seeds: number;
  evals: number;
  random: number;
  workers: number;
  out: string;
  bank: string | null;
  /** Bank pretraining options (when no --bank). */
  pretrain: Partial<BankTrainingOptions>;
  /** ordering-transfer task config, less bank, domain and seed. */
  target: Record<string, unknown>;
  /** Learning rate of full fine-tuning. */
  fineTuneLearningRate: number;
  sigma0: number;
  popsize: number;
  /** The gradient baseline's grid (default: bench/ordering_baselines.ts's, cut to the budget). */
  gradientGrid: { learningRates: number[]; checkpoints: number[] } | null;
}


function settings(args: string[]): Settings {
  const quick = args.includes('--quick');
  const num = (name: string, full: number, q: number): number => {
    const v = Number(option(args, name, String(quick ? q : full)));
    if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} must be a number >= 0`);
    return v;
  };
  return {
    quick,
    domains: option(args, 'domains', quick ? 'rotate45' : 'fashion-mnist,rotate45').split(',').filter((s) => s !== ''),
    seeds: num('seeds', 3, 2),
    evals: num('evals', 200, 12),
    random: num('random', 20, 4),
    workers: num('workers', quick ? 0 : Math.min(2, availableParallelism()), 0),
    out: option(args, 'out', `results/bench-orderings${quick ? '-quick' : ''}`),
    bank: args.includes('--bank') ? option(args, 'bank', '') : null,
    pretrain: quick
      ? { steps: 120, hardSteps: 30, trainSamples: 1000, validation: 200, testSamples: 500, statsSamples: 256, network: { channels: 8, blocks: 4, templates: 3, features: 32 } }
      : {},
    target: quick
      ? { trainSamples: 500, validation: 300, testSamples: 500, headSteps: 50, statsSamples: 256 }
      : { trainSamples: 2000, validation: 1000, testSamples: 2000, headSteps: 100, statsSamples: 256 },
    fineTuneLearningRate: 2e-3,
    sigma0: 0.5,
    popsize: num('popsize', 10, 4),
    gradientGrid: quick ? { learningRates: [0.05], checkpoints: [10, 30] } : null,
  };
}

interface Score {
  validationAccuracy: number;
  testAccuracy: number;
  /** Fitness evaluations (head fits) the method spent. */
  evaluations: number;
  ordering?: number[];
  /** Gradient steps through the network, where the method takes any. */
  gradientSteps?: number;
}

const METHODS = ['first source ordering (plain MNIST)', 'best source ordering (by validation)', 'random ordering (mean)', 'random search (best of R)', 'CMA-ES on logits', 'ga-ordering', 'gradient on soft logits (tuned lr, steps, form)', 'full fine-tuning'] as const;
type Method = (typeof METHODS)[number];

function fromTransfer(r: TransferResult, evaluations: number, extra: Partial<Score> = {}): Score {
  return { validationAccuracy: r.validationAccuracy, testAccuracy: r.testAccuracy, evaluations, ...extra };
}

/** A search on validation only (testSamples 0); its best ordering is then scored once with `scoreTest`. */
async function search(strategy: 'cmaes' | 'ga-ordering', s: Settings, tc: Record<string, unknown>, init: string, L: number, N: number, seed: number, dir: string, scoreTest: (order: number[]) => Promise<TransferResult>, startEvals: number): Promise<Score> {
  const raw: Record<string, unknown> = {
    task: 'ordering-transfer', genome: 'ordering', strategy, init, seed, workers: s.workers, 'max-evals': s.evals, popsize: s.popsize,
    'genome-config': { length: L, modules: N }, 'task-config': { ...tc, testSamples: 0 },
    ...(strategy === 'cmaes' ? { sigma0: s.sigma0 } : { 'strategy-params': { reevaluateElites: false } }),
  };
  rmSync(dir, { recursive: true, force: true });
  const summary = await runSearch(resolveRunConfig(raw, () => seed), dir, { command: `bench orderings ${strategy}` });
  const best = readJsonFile(join(dir, 'best.json'), 'best.json') as BestRecord;
  const g = best.genome as OrderingGenome;
  return fromTransfer(await scoreTest(g.order), startEvals + summary.evaluations, { ordering: g.order });
}

function meanStd(v: number[]): { mean: number; std: number } {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : 0;
  return { mean, std };
}

const pct = (m: { mean: number; std: number }): string => `${(100 * m.mean).toFixed(1)} ± ${(100 * m.std).toFixed(1)}`;

export default async function (args: string[]): Promise<void> {
  const s = settings(args);
  const info = await initBackend('wasm');
  const tf = getTf();
  mkdirSync(s.out, { recursive: true });
  const t0 = performance.now();
  let bankDir = s.bank;
  if (bankDir === null) {
    bankDir = join(s.out, 'bank');
    if (existsSync(join(bankDir, 'bank.json'))) console.log(`reusing the bank in ${bankDir} (delete it to pretrain again)`);
    else {
      console.log(`pretraining a module bank → ${bankDir}`);
      let last = 0;
      const r = await pretrainModuleBank(tf, s.pretrain, (p) => {
        if (Date.now() - last > 10000 || p.step + 1 === p.steps) {
          last = Date.now();
          console.log(`  step ${p.step + 1}/${p.steps} ${p.phase} τ ${p.temperature.toFixed(3)} loss ${p.loss.toFixed(3)}`);
        }
      });
      await saveModuleBank(tf, bankDir, r.bank);
      disposeModuleBank(tf, r.bank);
    }
  }
  const b = await cachedBank(tf, bankDir);
  const L = b.config.blocks;
  const N = b.config.templates;
  const first = b.domains[0]!;
  console.log(`bank ${bankDir}: ${N} modules, ${L} positions; sources ${b.domains.map((d) => `${d.name} [${d.ordering.join(' ')}] (test ${b.manifest.domains.find((x) => x.name === d.name)?.testAccuracy})`).join(', ')}`);
  const fitCost = { evaluationImages: Number(s.target['statsSamples']) + Number(s.target['trainSamples']) + Number(s.target['validation']), batchSize: Number(s.target['batchSize'] ?? 32) };
  const plan = planMixtureTuning(s.evals, fitCost, s.gradientGrid?.learningRates, s.gradientGrid?.checkpoints);
  console.log(`gradient baseline: learning rates ${plan.learningRates.join(', ')} × steps ${plan.checkpoints.join(', ')} × {mixture, argmax}, ${plan.cost.toFixed(1)} evaluation equivalents (the searches get ${s.evals})`);
  writeProtocol(s.out, {
    bench: 'orderings',
    splits: {
      metaTraining: { bank: bankDir, sources: b.manifest.sourceDomains, targetTrain: `${String(s.target['trainSamples'])} target training images (head fits, gradient steps)` },
      metaValidation: `${String(s.target['validation'])} target training-split images held out from the fits: every search, source choice, random-search choice and gradient-baseline choice reads only these`,
      test: `${String(s.target['testSamples'])} images of the target's test split, scored once per method and seed on the chosen ordering`,
    },
    selection: 'CMA-ES and GA: best.json by validation; source: best of the bank\'s source orderings by validation; random search: best of R by validation; gradient: best (learning rate, steps, form) by validation',
    seeds: Array.from({ length: s.seeds }, (_, k) => k),
    command: `npm run bench -- orderings ${args.join(' ')}`,
    settings: { evals: s.evals, random: s.random, popsize: s.popsize, sigma0: s.sigma0, target: s.target, gradientPlan: plan, domains: s.domains },
  });

  const results: Record<string, Record<Method, Score[]>> = {};
  for (const domain of s.domains) {
    const perMethod = Object.fromEntries(METHODS.map((m) => [m, [] as Score[]])) as Record<Method, Score[]>;
    results[domain] = perMethod;
    for (let k = 0; k < s.seeds; k++) {
      const seed = k;
      const tc = { ...s.target, bank: bankDir, domain, seed };
      const c: OrderingTransferConfig = resolveOrderingTransferConfig(tc);
      const cValidation: OrderingTransferConfig = { ...c, testSamples: 0 };
      const data = loadTransferData(c.domain, { trainSamples: c.trainSamples, validation: c.validation, testSamples: c.testSamples, offset: imageOffset(c, b.manifest) });
      const validationData = { ...data, test: null };
      const fit = transferSettings(c, seed);
      const scoreTest = async (order: number[]): Promise<TransferResult> => scoreOrdering(makeOrderingGenome(order, N), c, seed);
      const scoreValidation = async (order: number[]): Promise<TransferResult> => scoreOrdering(makeOrderingGenome(order, N), cValidation, seed);
      const ts = performance.now();
      perMethod['first source ordering (plain MNIST)'].push(fromTransfer(await scoreTest(first.ordering), 1, { ordering: first.ordering }));
      const src = await bestSourceOrdering(b, scoreValidation);
      perMethod['best source ordering (by validation)'].push(fromTransfer(await scoreTest(src.ordering), src.tried, { ordering: src.ordering }));
      const rng = new Rng(deriveSeed(seed, 'bench-random-orderings', domain));
      const randoms: Score[] = [];
      for (let i = 0; i < s.random; i++) {
        const order = Array.from({ length: L }, () => rng.int(N));
        randoms.push(fromTransfer(await scoreTest(order), 1, { ordering: order }));
      }
      if (randoms.length) {
        perMethod['random ordering (mean)'].push({
          validationAccuracy: meanStd(randoms.map((r) => r.validationAccuracy)).mean, testAccuracy: meanStd(randoms.map((r) => r.testAccuracy)).mean, evaluations: 1,
        });
        const best = randoms.reduce((a, r) => (r.validationAccuracy > a.validationAccuracy ? r : a));
        perMethod['random search (best of R)'].push({ ...best, evaluations: randoms.length });
      }
      const runs = join(s.out, 'runs', domain);
      const startFile = join(runs, `start-s${seed}.json`);
      mkdirSync(runs, { recursive: true });
      saveOrderingGenome(startFile, makeOrderingGenome(src.ordering, N));
      perMethod['CMA-ES on logits'].push(await search('cmaes', s, tc, startFile, L, N, seed, join(runs, `cmaes-s${seed}`), scoreTest, src.tried));
      perMethod['ga-ordering'].push(await search('ga-ordering', s, tc, startFile, L, N, seed, join(runs, `ga-ordering-s${seed}`), scoreTest, src.tried));
      const startLogits = b.domains.find((d) => d.name === src.name)!.logits;
      const tuned = await tuneMixtureFit(tf, b, validationData, plan, fit, startLogits, b.manifest.training.temperature[1]);
      const tunedTest = tuned.logits ? await evaluateTransfer(tf, b.config, b.bank, { logits: tuned.logits }, data, fit) : await scoreTest(tuned.ordering);
      tuned.logits?.dispose();
      console.log(`  gradient baseline chose lr ${tuned.learningRate}, ${tuned.steps} steps, ${tuned.form} (validation ${(100 * tuned.validationAccuracy).toFixed(1)} %)`);
      perMethod['gradient on soft logits (tuned lr, steps, form)'].push(fromTransfer(tunedTest, src.tried + tuned.tried.length, { ordering: tuned.ordering, gradientSteps: tuned.steps }));
      perMethod['full fine-tuning'].push(fromTransfer(await evaluateTransfer(tf, b.config, b.bank, { modules: src.ordering }, data, { ...fit, fit: 'all', learningRate: s.fineTuneLearningRate }), src.tried, { gradientSteps: c.headSteps }));
      const line = METHODS.filter((m) => perMethod[m].length > k).map((m) => `${m} ${(100 * perMethod[m][k]!.testAccuracy).toFixed(1)}`).join(', ');
      console.log(`${domain} seed ${seed} (${((performance.now() - ts) / 1000).toFixed(0)} s): ${line}`);
    }
  }

  const rows: string[] = [];
  const head = `| method | ${s.domains.map((d) => `${d} test % | evals`).join(' | ')} |`;
  rows.push(head, `|---|${s.domains.map(() => '---:|---:').join('|')}|`);
  for (const m of METHODS) {
    const cells = s.domains.map((d) => {
      const v = results[d]![m];
      if (!v.length) return '– | –';
      const evals = meanStd(v.map((x) => x.evaluations)).mean;
      return `${pct(meanStd(v.map((x) => x.testAccuracy)))} | ${Number.isInteger(evals) ? evals : evals.toFixed(1)}`;
    });
    rows.push(`| ${m} | ${cells.join(' | ')} |`);
  }
  const gains = s.domains.map((d) => {
    const src = meanStd(results[d]!['best source ordering (by validation)'].map((x) => x.testAccuracy)).mean;
    const best = (['CMA-ES on logits', 'ga-ordering'] as const).map((m) => `${m} ${(100 * (meanStd(results[d]![m].map((x) => x.testAccuracy)).mean - src)).toFixed(1)} points`);
    return `${d}: ${best.join(', ')} over the best source ordering`;
  });
  const wall = (performance.now() - t0) / 1000;
  const caption = `Test accuracy (%) on held-out test images, mean ± std over ${s.seeds} seeds (seed = head-fit and search seed); `
    + `bank ${bankDir} (${N} modules × ${L} positions, sources ${b.manifest.sourceDomains.join(', ')}); head budget ${String(s.target['headSteps'])} Adam steps of ${String(s.target['batchSize'] ?? 32)} on `
    + `${String(s.target['trainSamples'])} target images; searches: ${s.evals} evaluations after the source choice; gradient baseline tuned over learning rates ${plan.learningRates.join(', ')} × steps ${plan.checkpoints.join(', ')} (${plan.cost.toFixed(0)} evaluation equivalents); ${info.backend}, ${wall.toFixed(0)} s in all.`;
  const md = [caption, '', ...rows, '', ...gains, ''].join('\n');
  writeFileSync(join(s.out, 'orderings.md'), md);
  writeFileSync(join(s.out, 'orderings.json'), JSON.stringify({ settings: { ...s, bank: bankDir }, backend: info.backend, wallSeconds: wall, results }, null, 1) + '\n');
  console.log(`\n${md}\n(${join(s.out, 'orderings.json')})`);
}
