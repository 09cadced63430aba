/** `evometa report DIR [--json]`: a run's summary (text, or one JSON document) and its plot, DIR/report.svg. */
import type { Command, ParsedArgs } from './command.js';
import { JSON_SWITCH, withHelp } from './options.js';
import { requireRunFolder } from './run_folder.js';
import type { LoadedRun } from '../report/report.js';

export const reportCommand: Command = {
  name: 'report',
  summary: 'summary table and plot (DIR/report.svg) of a run, finished, running or killed',
  usage: 'DIR [--json]',
  description: "Reads the run folder DIR (only its manifest.json is required: a killed run's cut-short files are read as far as they go), prints a summary and writes the plot DIR/report.svg.",
  positionals: [{ name: 'DIR', required: true }],
  groups: [{ title: 'options', options: [withHelp(JSON_SWITCH, 'print the summary as one JSON document (run, config, best, progress, stop reason, plot path)')] }],
  run: report,
};

/** The run's summary as data: what the text report says, for scripts. */
export function reportSummary(run: LoadedRun, svg: string): Record<string, unknown> {
  const { manifest: m, generations: gens, best, summary } = run;
  const c = m.config;
  const last = gens[gens.length - 1];
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
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
    stopReason: summary?.stopReason ?? null,
    elapsedMs: num(last?.elapsedMs),
    warnings: run.warnings,
    plot: svg,
  };
}

async function report(args: ParsedArgs): Promise<void> {
  const dir = args.positional[0]!;
  requireRunFolder(dir);
  const { loadRun, reportRun } = await import('../report/report.js');
  const { text, svgPath } = reportRun(dir);
  if (args.switches.has('json')) process.stdout.write(JSON.stringify(reportSummary(loadRun(dir), svgPath)) + '\n');
  else process.stdout.write(`${text}\nplot: ${svgPath}\n`);
}
