/**
 * What search, start and resume share: the progress of a run, the interrupt note, the final point they export and
 * the summary they print (text, or with --json one JSON document), and exit 1 for a run without a result.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { GenerationRecord, RunSummary } from '../engine/engine.js';
import type { RunConfig } from '../engine/run_config.js';
import { formatNumber } from '../report/format.js';
import type { ParsedArgs } from './command.js';
import { RunFailedError } from './failure.js';
import { progressBarFor, type ProgressUpdate } from './progress_bar.js';
import type { Registry } from '../core/plugin.js';

/** A run with no best (no evaluation gave a finite fitness) is a failure, even though its files are complete. */
export function checkHasBest(s: RunSummary): void {
  if (s.bestFitness === null)
    throw new RunFailedError(`every evaluation failed (${s.evaluations} evaluations, no finite fitness); the reasons are in ${join(s.runDir, 'run.log')}`);
}

/** One generation as progress: the budget's fraction (the larger of generations and evaluations), best f, σ, evaluations/s. */
export function generationProgress(config: Pick<RunConfig, 'maxEvals' | 'maxGenerations'>, r: GenerationRecord): ProgressUpdate {
  const fractions: number[] = [];
  if (config.maxEvals !== null) fractions.push(r.evaluations / config.maxEvals);
  if (config.maxGenerations !== null) fractions.push((r.generation + 1) / config.maxGenerations);
  const restart = r.restart !== undefined ? ` · restart ${r.restart}` : '';
  const of = config.maxGenerations !== null ? `/${config.maxGenerations}` : '';
  return {
    fraction: fractions.length ? Math.max(...fractions) : null,
    label: `gen ${r.generation + 1}${of}${restart} · best f ${formatNumber(r.bestSoFar)} · σ ${formatNumber(r.sigma)}`,
    count: r.evaluations,
    unit: 'evals',
  };
}

/** Runs `run` with the progress of its generations on stderr (see progressBarFor). */
export async function withProgress<T>(args: ParsedArgs, run: (onGeneration: ((r: GenerationRecord, c: RunConfig) => void) | undefined) => Promise<T>): Promise<T> {
  const bar = progressBarFor(args);
  try {
    return await run(bar ? (r, c) => bar.update(generationProgress(c, r)) : undefined);
  } finally {
    bar?.done();
  }
}

/** Ctrl-C: one line saying how to go on. */
export function onInterrupt(dir: () => string | undefined): void {
  process.once('SIGINT', () => {
    const d = dir();
    process.stderr.write(`\nevometa: interrupted${d ? `; continue with: evometa resume ${d}` : ''}\n`);
    process.exit(130);
  });
}

/**
 * The run's final point (the CMA-ES mean, metagrad's x, the GA's elite: the strategy's `point`) as final.json: with a
 * noisy fitness best.json is the luckiest single evaluation, and the final point is the genome to use. A run
 * without a best exports nothing.
 */
async function exportFinalPoint(s: RunSummary, config: RunConfig, registry: Registry | undefined): Promise<string | null> {
  if (s.bestFitness === null || !existsSync(join(s.runDir, 'checkpoint.json'))) return null;
  const { exportRunPoint } = await import('../store/run_export.js');
  const { loadRegistry } = await import('../plugins.js');
  return exportRunPoint(s.runDir, 'mean', join(s.runDir, 'final.json'), registry ?? (await loadRegistry(config.plugins))).genome;
}

/**
 * Prints the run's summary (or with --json one JSON document), then fails with exit 1 if the run has no best.
 * `registry` is the one the run used, where the caller has it (else it is loaded from the config's plug-ins).
 */
export async function finishRun(s: RunSummary, config: RunConfig, json: boolean, registry?: Registry): Promise<void> {
  const final = await exportFinalPoint(s, config, registry);
  if (json) process.stdout.write(JSON.stringify({ evaluations: s.evaluations, bestFitness: s.bestFitness, generations: s.generations, stopReason: s.stopReason, runDir: s.runDir }) + '\n');
  else {
    // The command replays the final point in its meta-training setting (the file's meta.trainedOn).
    const replay = final ? await (await import('../workflows/replay/replay_command.js')).replayCommandFor(final) : null;
    process.stdout.write(
      [
        `${config.strategy} on ${config.task} (${config.genome}, seed ${config.seed})`,
        `  stopped:      ${Object.entries(s.stopReason).map(([k, v]) => `${k}=${v}`).join(', ')}`,
        `  best fitness: ${formatNumber(s.bestFitness)}`,
        `  evaluations:  ${s.evaluations} in ${s.generations} generations`,
        `  run folder:   ${s.runDir}`,
        ...(s.bestFitness !== null ? [`  best genome:  ${join(s.runDir, 'best.json')} (best single evaluation)`] : []),
        ...(final ? [`  final point:  ${final} (the search's mean or x: the genome to use)`] : []),
        `  report:       evometa report ${s.runDir}`,
        ...(replay ? [`  replay:       ${replay}`] : []),
        '',
      ].join('\n'),
    );
  }
  checkHasBest(s);
}
