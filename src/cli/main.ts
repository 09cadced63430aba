#!/usr/bin/env node
/**
 * The evometa command line. Parsing and printing only: runs go through src/engine/engine.ts, reports through
 * src/report/report.ts. Usage errors print one clear line and exit 2; results already written stay valid.
 */
import { randomInt } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs, type ParsedArgs } from './args.js';
import { UsageError } from '../core/errors.js';
import { configFilePaths, RUN_OPTIONS, resolveRunConfig, type RunConfig } from '../engine/run_config.js';
import type { GenerationRecord, ResumeOverrides, RunSummary } from '../engine/engine.js';
import { resumeRun, runSearch } from '../search.js';
import { BUILTIN_ORIGIN, loadRegistry, type LoadedRegistry } from '../plugins.js';
import type { PluginSection } from '../core/plugin.js';
import { ProgressBar } from './progress_bar.js';
import { formatNumber } from '../report/format.js';
import { BACKEND_REQUESTS } from '../runtime/backend_names.js';

const HELP = `evometa: evolutionary and meta-optimization engine

usage:
  evometa search --task NAME [options]     start a search (see options below)
  evometa resume DIR [--workers N]          continue a killed or interrupted run; with --max-generations or
                                            --max-evals, extend a finished run (its CMA-ES state kept)
  evometa report DIR                        summary table and report.svg for a run
  evometa export DIR [--which mean|best]    a run's final point (CMA-ES mean, metagrad x) as a genome file (--out FILE,
                                            default DIR/final.json) and, for CMA-ES, a warm-start config beside it
  evometa replay GENOME.json [options]      train networks with a learned rule beside tuned SGD and Adam
                                            (a blur search's run folder replays its final point)
  evometa replay HT_RUN [--episodes 500]   score a trained HyperTransformer / ProtoNet (or an ht-hparams search's best) on held-out episodes
  evometa pretrain-bank --out DIR [options] pretrain a module bank to order (--domains, --steps, --seed, --blocks, --templates, ...)
  evometa train-ht --out DIR [options]      train a HyperTransformer or ProtoNet on few-shot episodes (--model, --config, --steps, ...)
  evometa list [--plugin MODULE]            genome kinds, tasks, strategies (built-in and from plug-ins), backends
  evometa start                             the default job (what \`npm start\` runs)

search options (a --config JSON file uses the same names, e.g. {"task": "rosenbrock", "max-evals": 1000}):
${RUN_OPTIONS.map((o) => `  --${o.flag.padEnd(16)} ${o.help}`).join('\n')}
  --config FILE      read options from a JSON file (flags override it)
  --out DIR          run folder (default results/<time>-<task>-<strategy>-s<seed>)
  --json             print one JSON line at the end instead of the human summary
  --no-progress      no progress bar

plug-ins: --plugin ./my_task.mjs (or a package name) adds the module's tasks, genome kinds and strategies; worker
threads and \`evometa resume\` load it again from the run's manifest. See examples/plugins/.
`;

/**
 * The default job of `npm start`: a learned-rule search. CMA-ES meta-trains a random BLUR genome on the
 * Boolean functions xor and or (the paper's notebook setting) for a few minutes on 2 cores.
 */
export const START_JOB: Record<string, unknown> = {
  task: 'blur-boolean',
  genome: 'blur',
  strategy: 'cmaes',
  init: 'random',
  sigma0: 0.5,
  'max-generations': 300,
  seed: 1,
  // The settings that worked best in BENCHMARKS.md (blur_boolean, stage 1).
  'genome-config': { extras: ['rescaleTo'] },
  'task-config': { replicas: 2, network: { normalizeSynapses: true, rescale: true } },
};

/** A run that ended without a result (every evaluation failed): exit 1 with one line, not a stack trace. */
class RunFailedError extends Error {}

/** A run with no best (no evaluation gave a finite fitness) is a failure, even though its files are complete. */
function checkHasBest(s: RunSummary): void {
  if (s.bestFitness === null)
    throw new RunFailedError(`every evaluation failed (${s.evaluations} evaluations, no finite fitness); the reasons are in ${join(s.runDir, 'run.log')}`);
}

function fail(message: string, code: number): never {
  process.stderr.write(`evometa: ${message}\n`);
  process.exit(code);
}

function readConfigFile(path: string): Record<string, unknown> {
  if (!existsSync(path)) throw new UsageError(`--config file not found: ${path}`);
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`--config ${path} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new UsageError(`--config ${path} must hold a JSON object of options`);
  return configFilePaths(v as Record<string, unknown>, dirname(path));
}

function defaultRunDir(config: RunConfig): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const base = join('results', `${stamp}-${config.task}-${config.strategy}-s${config.seed}`);
  let dir = base;
  for (let k = 2; existsSync(dir); k++) dir = `${base}-${k}`;
  return dir;
}

function progressFor(config: RunConfig, bar: ProgressBar): (r: GenerationRecord) => void {
  return (r) => {
    const fractions: number[] = [];
    if (config.maxEvals !== null) fractions.push(r.evaluations / config.maxEvals);
    if (config.maxGenerations !== null) fractions.push((r.generation + 1) / config.maxGenerations);
    const restart = r.restart !== undefined ? ` restart ${r.restart}` : '';
    bar.update({
      fraction: fractions.length ? Math.max(...fractions) : null,
      label: `gen ${r.generation + 1} evals ${r.evaluations}${restart} best ${formatNumber(r.bestSoFar)} σ ${formatNumber(r.sigma)}`,
    });
  };
}

/**
 * A learned-rule run also leaves its final point (the CMA-ES mean, metagrad's x) as final.json: with a noisy
 * fitness best.json is the luckiest single evaluation, and the final point is the rule to replay.
 */
async function exportFinalPoint(s: RunSummary, config: RunConfig): Promise<string | null> {
  if (config.genome !== 'blur' || !existsSync(join(s.runDir, 'checkpoint.json'))) return null;
  const { exportRunPoint } = await import('../store/run_export.js');
  return exportRunPoint(s.runDir, 'mean', join(s.runDir, 'final.json'), await loadRegistry(config.plugins)).genome;
}

async function printSummary(s: RunSummary, json: boolean, config: RunConfig): Promise<void> {
  const final = await exportFinalPoint(s, config);
  if (json) {
    process.stdout.write(JSON.stringify({ evaluations: s.evaluations, bestFitness: s.bestFitness, generations: s.generations, stopReason: s.stopReason, runDir: s.runDir }) + '\n');
    return;
  }
  const replay = final ? await (await import('../workflows/replay/replay_command.js')).replayCommandFor(final) : null;
  process.stdout.write(
    [
      `${config.strategy} on ${config.task} (${config.genome}, seed ${config.seed})`,
      `  stopped:      ${Object.entries(s.stopReason).map(([k, v]) => `${k}=${v}`).join(', ')}`,
      `  best fitness: ${formatNumber(s.bestFitness)}`,
      `  evaluations:  ${s.evaluations} in ${s.generations} generations`,
      `  run folder:   ${s.runDir}`,
      `  best genome:  ${join(s.runDir, 'best.json')} (best single evaluation)`,
      ...(final ? [`  final point:  ${final} (the search's mean or x: the rule to use)`] : []),
      `  report:       evometa report ${s.runDir}`,
      ...(replay ? [`  replay:       ${replay}`] : []),
      '',
    ].join('\n'),
  );
}

async function withProgress<T>(args: ParsedArgs, run: (onGeneration: ((r: GenerationRecord, c: RunConfig) => void) | undefined) => Promise<T>): Promise<T> {
  const bar = new ProgressBar();
  // With --json on a pipe, stdout and stderr stay machine-clean; a terminal still gets the bar.
  const show = !args.switches.has('no-progress') && !args.switches.has('quiet') && (bar.isTerminal || !args.switches.has('json'));
  let render: ((r: GenerationRecord) => void) | undefined;
  try {
    return await run(show ? (r, c) => (render ??= progressFor(c, bar))(r) : undefined);
  } finally {
    bar.done();
  }
}

function onInterrupt(dir: () => string | undefined): void {
  process.once('SIGINT', () => {
    const d = dir();
    process.stderr.write(`\nevometa: interrupted${d ? `; continue with: evometa resume ${d}` : ''}\n`);
    process.exit(130);
  });
}

async function cmdSearch(args: ParsedArgs, base: Record<string, unknown> = {}): Promise<void> {
  const raw: Record<string, unknown> = { ...base };
  if (args.flags['config'] !== undefined) Object.assign(raw, readConfigFile(args.flags['config']));
  let out: string | undefined = typeof raw['out'] === 'string' ? (raw['out'] as string) : undefined;
  delete raw['out'];
  for (const [k, v] of Object.entries(args.flags)) {
    if (k === 'config') continue;
    if (k === 'out') out = v;
    else raw[k] = v;
  }
  // --plugin flags replace the config file's list, as any flag overrides the file.
  if (args.lists['plugin']) {
    delete raw['plugin'];
    raw['plugins'] = args.lists['plugin'];
  }
  if (args.positional.length) throw new UsageError(`unexpected argument '${args.positional[0]}' (options are given as --name value)`);
  const given = resolveRunConfig(raw, () => randomInt(0, 2 ** 32));
  // Plug-ins load (and any error in them shows) before a run folder is chosen or written.
  const registry = await loadRegistry(given.plugins);
  const config: RunConfig = { ...given, plugins: [...registry.plugins] };
  const runDir = out ?? defaultRunDir(config);
  onInterrupt(() => runDir);
  const announce = !args.switches.has('json') && !args.switches.has('quiet');
  const onStart = () => announce && process.stderr.write(`evometa: run folder ${runDir} (seed ${config.seed})\n`);
  const command = ['evometa', ...process.argv.slice(2)].join(' ');
  const summary = await withProgress(args, (onGeneration) => runSearch(config, runDir, { registry, hooks: { onStart, ...(onGeneration ? { onGeneration } : {}) }, command }));
  await printSummary(summary, args.switches.has('json'), config);
  checkHasBest(summary);
}

async function cmdResume(args: ParsedArgs): Promise<void> {
  const dir = args.positional[0];
  if (!dir) throw new UsageError('usage: evometa resume DIR');
  const overrides: ResumeOverrides = {};
  const int = (flag: string, min: number, max: number): number | undefined => {
    const raw = args.flags[flag];
    if (raw === undefined) return undefined;
    const v = Number(raw);
    if (!Number.isInteger(v) || v < min || v > max) throw new UsageError(`--${flag} must be an integer >= ${min} and <= ${max} (got ${raw})`);
    return v;
  };
  const workers = int('workers', 0, 256);
  const maxGenerations = int('max-generations', 1, 1e9);
  const maxEvals = int('max-evals', 1, 1e12);
  if (workers !== undefined) overrides.workers = workers;
  if (maxGenerations !== undefined) overrides.maxGenerations = maxGenerations;
  if (maxEvals !== undefined) overrides.maxEvals = maxEvals;
  if (!existsSync(join(dir, 'manifest.json'))) throw new UsageError(`${dir} is not a run folder (no manifest.json); start one with evometa search`);
  onInterrupt(() => dir);
  const s = await withProgress(args, (onGeneration) => resumeRun(dir, { overrides, ...(onGeneration ? { hooks: { onGeneration } } : {}) }));
  const config = (JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { config: RunConfig }).config;
  if (s.alreadyFinished && !args.switches.has('json')) process.stderr.write(`evometa: ${dir} had already finished; nothing to resume\n`);
  await printSummary(s, args.switches.has('json'), config);
  checkHasBest(s);
}

async function cmdReport(args: ParsedArgs): Promise<void> {
  const dir = args.positional[0];
  if (!dir) throw new UsageError('usage: evometa report DIR');
  const { reportRun } = await import('../report/report.js');
  const { text, svgPath } = reportRun(dir);
  process.stdout.write(`${text}\nplot: ${svgPath}\n`);
}

/** `name  description`, or `name  [plug-in SPEC] description` for a name a plug-in added. */
function listSection(title: string, registry: LoadedRegistry, section: PluginSection): string {
  const rows = Object.entries(registry[section] as Readonly<Record<string, { description: string }>>).map(([k, v]) => {
    const origin = registry.origins[section][k];
    return `  ${k.padEnd(14)} ${origin === BUILTIN_ORIGIN ? '' : `[plug-in ${origin}] `}${v.description}`;
  });
  return `${title}:\n${rows.join('\n')}`;
}

async function cmdList(args: ParsedArgs): Promise<void> {
  const registry = await loadRegistry(args.lists['plugin'] ?? []);
  const { initBackend } = await import('../runtime/backend.js');
  let backendLine: string;
  let backendInfo: unknown;
  try {
    const info = await initBackend('auto');
    backendInfo = info;
    backendLine = `auto → ${info.backend}${info.attempts.filter((a) => !a.ok).map((a) => `\n    ${a.backend}: unavailable (${a.error})`).join('')}`;
  } catch (e) {
    backendLine = `auto: no backend loads (${(e as Error).message})`;
  }
  if (args.switches.has('json')) {
    const names = (r: Readonly<Record<string, { description: string }>>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.description]));
    const { genomes, tasks, strategies, origins, plugins } = registry;
    process.stdout.write(JSON.stringify({ genomes: names(genomes), tasks: names(tasks), strategies: names(strategies), origins, plugins, backends: BACKEND_REQUESTS, backend: backendInfo }) + '\n');
    return;
  }
  process.stdout.write(
    [
      listSection('genome kinds', registry, 'genomes'),
      listSection('tasks', registry, 'tasks'),
      listSection('strategies', registry, 'strategies'),
      `backends: ${BACKEND_REQUESTS.join(', ')}\n  ${backendLine}`,
      '',
    ].join('\n\n'),
  );
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.switches.has('help') || args.command === undefined || args.command === 'help') {
    process.stdout.write(HELP);
    return;
  }
  if (args.lists['plugin'] && !['search', 'start', 'list'].includes(args.command))
    throw new UsageError(`--plugin applies to search, start and list; ${args.command === 'resume' ? 'resume loads the plug-ins the run\'s manifest records' : `'${args.command}' takes none`}`);
  switch (args.command) {
    case 'search':
      return cmdSearch(args);
    case 'start':
      return cmdSearch(args, START_JOB);
    case 'resume':
      return cmdResume(args);
    case 'report':
      return cmdReport(args);
    case 'list':
      return cmdList(args);
    case 'export':
      return (await import('./export.js')).cmdExport(args);
    case 'replay':
      return (await import('./replay.js')).cmdReplay(args);
    case 'pretrain-bank':
      return (await import('./pretrain.js')).cmdPretrainBank(args);
    case 'train-ht':
      return (await import('./ht.js')).cmdTrainHt(args);
    default:
      throw new UsageError(`unknown command '${args.command}'; valid commands: search, resume, report, export, replay, pretrain-bank, train-ht, list, start`);
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    if (e instanceof UsageError) fail(`error: ${e.message}`, 2);
    if (e instanceof RunFailedError) fail(e.message, 1);
    fail(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`, 1);
  },
);
