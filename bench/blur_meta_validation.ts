/**
 * Meta-validation for BLUR vision meta-training: the point a run reports is the one with the best accuracy on
 * episodes from MNIST input transforms that meta-training never draws (not the final point, and never a point chosen
 * by its Fashion-MNIST score). It guards against the collapse seen in long runs (the constant −1 output that a
 * metagrad run fell into and stayed at) and against over-fitting the training transforms' input statistics.
 *
 * The check runs inside the search, from the engine's onGeneration hook: every `every` generations the strategy's
 * current point (CMA-ES mean in the box, metagrad's x) is decoded and trained on `episodes` fixed episodes (their
 * seeds never change during a run, so points are compared on the same data), and the best is kept. Each check is
 * recorded in `<out>/meta-validation.jsonl`; the chosen point goes to `<out>/learned.json`.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { getTf } from '../src/runtime/backend.js';
import { deriveSeed } from '../src/core/rng.js';
import { evaluateBlurPopulation } from '../src/models/blur/meta_objective.js';
import { imageEpisodeSampler } from '../tasks/blur/blur_samplers.js';
import { blurMnistTask, metaOptions, metaTrainingData, type BlurImageConfig } from '../tasks/blur/blur_tasks.js';
import { domainName, parseDomain } from '../src/data/mnist_domains.js';
import { saveBlurGenome, type BlurGenome } from '../genomes/blur_genome.js';
import type { EngineHooks } from '../src/engine/engine.js';

export interface MetaValidationSettings {
  /** MNIST input transforms no meta-training episode draws. */
  domains: string[];
  /** Classes per validation episode (10: the replay's number of classes). */
  ways: number;
  /** Episodes per check, spread over the domains in turn. */
  episodes: number;
  /** Generations between checks (the last generation is always checked). */
  every: number;
  /** Root of the episodes' seeds. */
  seed: number;
}

export const META_VALIDATION_DEFAULTS: Readonly<MetaValidationSettings> = Object.freeze({ domains: ['rotate45', 'inverted-noise'], ways: 10, episodes: 4, every: 10, seed: 424242 });

export interface MetaValidationCheck {
  generation: number;
  accuracy: number;
  loss: number;
  best: boolean;
}

/** Throws unless the validation domains are disjoint from the training domains (compared by canonical name). */
export function checkValidationDomains(training: readonly string[], validation: readonly string[]): void {
  const train = new Set(training.map((d) => (d === 'plain' ? d : domainName(parseDomain(d)))));
  for (const d of validation) {
    const name = d === 'plain' ? d : domainName(parseDomain(d));
    if (train.has(name)) throw new Error(`meta-validation domain '${name}' is also a meta-training domain; choose transforms meta-training never draws`);
  }
}

/** Mean query accuracy and loss of one genome over the fixed validation episodes, in the task's inner-loop setting (its horizons too). */
export async function validationScore(genome: BlurGenome, c: BlurImageConfig, v: MetaValidationSettings): Promise<{ accuracy: number; loss: number }> {
  const tf = getTf();
  let accuracy = 0;
  let loss = 0;
  for (let e = 0; e < v.episodes; e++) {
    const domain = v.domains[e % v.domains.length]!;
    const sampler = imageEpisodeSampler(metaTrainingData(c, domain), { classPool: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], ways: v.ways }, deriveSeed(v.seed, 'meta-validation-episode', e));
    // One synapse initialisation per episode, whatever the task averages over.
    const r = await evaluateBlurPopulation(tf, [genome], sampler, metaOptions({ ...c, replicas: 1 }, sampler.numInputs, v.ways, deriveSeed(v.seed, 'meta-validation-data', e)));
    // A diverged rule (NaN) scores as chance-free zero, so it can never be chosen.
    accuracy += (Number.isFinite(r.accuracy[0]!) ? r.accuracy[0]! : 0) / v.episodes;
    loss += r.loss[0]! / v.episodes;
  }
  return { accuracy, loss };
}

/**
 * The choice between runs (BENCHMARKS.md, blur_vision): a genome's meta-validation accuracy at each unroll length of
 * `unrolls`, on the fixed episodes of `v`, in the vision bench's inner loop (10-way MNIST episodes, 196-64-10, batch
 * 32, query 256, the genome's own network options), and their mean. One query per unroll, whatever horizons the genome
 * was meta-trained with, so runs with and without horizons are compared on the same numbers.
 */
export async function selectionScore(genome: BlurGenome, unrolls: readonly number[], v: MetaValidationSettings = META_VALIDATION_DEFAULTS): Promise<{ accuracy: number[]; mean: number }> {
  const accuracy: number[] = [];
  for (const unrollSteps of unrolls) {
    const c = blurMnistTask.resolveConfig({ ways: v.ways, hidden: [64], unrollSteps, batchSize: 32, queryBatchSize: 256, network: genome.network ?? {}, objective: 'cross-entropy' });
    accuracy.push((await validationScore(genome, c, v)).accuracy);
  }
  return { accuracy, mean: accuracy.reduce((a, b) => a + b, 0) / accuracy.length };
}

/**
 * Engine hooks that check the current point every `v.every` generations (and at `lastGeneration`), keep the best by
 * validation accuracy in `<out>/learned.json`, and log each check. `point()` returns the current decoded point.
 * `start`, when given, is checked at once as generation 0, so a run that never improves on its start reports it.
 */
export async function metaValidationHooks(out: string, c: BlurImageConfig, v: MetaValidationSettings, lastGeneration: number, point: () => BlurGenome, log: (line: string) => void = console.log, start?: BlurGenome): Promise<{ hooks: EngineHooks; best: () => MetaValidationCheck | null }> {
  checkValidationDomains(c.domains, v.domains);
  mkdirSync(out, { recursive: true });
  let best: MetaValidationCheck | null = null;
  const check = async (generation: number, genome: BlurGenome = point()): Promise<void> => {
    const s = await validationScore(genome, c, v);
    const isBest = best === null || s.accuracy > best.accuracy;
    const record: MetaValidationCheck = { generation, accuracy: s.accuracy, loss: s.loss, best: isBest };
    if (isBest) {
      best = record;
      saveBlurGenome(join(out, 'learned.json'), genome);
    }
    appendFileSync(join(out, 'meta-validation.jsonl'), JSON.stringify(record) + '\n');
    log(`meta-validation at generation ${generation}: accuracy ${(100 * s.accuracy).toFixed(1)} %${isBest ? ' (best so far, kept)' : ''}`);
  };
  if (start) await check(0, start);
  return {
    hooks: {
      async onGeneration(record) {
        const g = record.generation + 1;
        if (g % v.every === 0 || g === lastGeneration) await check(g);
      },
    },
    best: () => best,
  };
}
