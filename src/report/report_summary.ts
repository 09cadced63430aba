/**
 * A run's summary as data: what the text report says, for scripts (`evometa report --json`), the HTML dashboard's
 * header and the run list of `evometa serve`. One reading of a run folder, so the three never disagree.
 */
import { runLockHeld } from '../store/run_lock.js';
import type { LoadedRun } from './report.js';

/**
 * `running`: a live process holds the folder's run lock; `finished`: summary.json is written and the run has a best;
 * `failed`: it stopped without a summary (killed or crashed; resumable) or finished without any finite fitness.
 */
export type RunState = 'running' | 'finished' | 'failed';

export function runState(run: Pick<LoadedRun, 'dir' | 'summary'>): RunState {
  if (runLockHeld(run.dir)) return 'running';
  return run.summary !== null && run.summary.bestFitness !== null ? 'finished' : 'failed';
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function runFacts(run: LoadedRun) {
  const { manifest: m, generations: gens, best, summary } = run;
  const c = m.config;
  const last = gens[gens.length - 1];
  return {
    run: run.runId,
    dir: run.dir,
    config: { genome: c.genome, task: c.task, strategy: c.strategy, dim: m.x0?.length ?? c.dim, seed: m.seed ?? c.seed },
    backend: { used: m.backend?.used ?? null, requested: m.backend?.requested ?? c.backend },
    limits: { target: c.target ?? null, maxEvals: c.maxEvals ?? null, maxGenerations: c.maxGenerations ?? null },
    generations: summary?.generations ?? (last ? last.generation + 1 : 0),
    evaluations: summary?.evaluations ?? last?.evaluations ?? 0,
    failures: gens.reduce((s, r) => s + (typeof r.failures === 'number' ? r.failures : 0), 0),
    restarts: gens.reduce((s, r) => Math.max(s, typeof r.restart === 'number' ? r.restart : 0), 0),
    best: best && typeof best.fitness === 'number'
      ? { fitness: best.fitness, generation: best.generation, index: best.index, evaluation: best.evaluation, ...(best.metrics ? { metrics: best.metrics } : {}) }
      : null,
    bestFitness: num(best?.fitness) ?? num(summary?.bestFitness) ?? num(last?.bestSoFar),
    finished: summary !== null,
    state: runState(run),
    stopReason: summary?.stopReason ?? null,
    elapsedMs: num(last?.elapsedMs),
    warnings: run.warnings,
  };
}

/** What runFacts returns: plain JSON data. */
export type RunFacts = ReturnType<typeof runFacts>;
