/** `evometa search --task NAME [options]`: starts a search in a new run folder. */
import { randomInt } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../core/errors.js';
import { configFilePaths, optionByFlag, resolveRunConfig, RUN_OPTIONS, type RunConfig } from '../engine/run_config.js';
import type { Command, OptionGroup, ParsedArgs } from './command.js';
import { CONFIG_FILE, JSON_SWITCH, NO_PROGRESS, OUT, withHelp } from './options.js';
import { finishRun, onInterrupt, withProgress } from './run_summary.js';
import { nearest } from './suggest.js';

/** The option groups of search and start: the search options (also --config keys) and how the run is kept and shown. */
export const SEARCH_GROUPS: readonly OptionGroup[] = [
  { title: 'search options (also the keys of a --config JSON file: {"task": "sphere", "max-evals": 1000})', options: RUN_OPTIONS },
  {
    title: 'run folder and output',
    options: [
      CONFIG_FILE,
      withHelp(OUT, 'run folder (default results/<time>-<task>-<strategy>-s<seed>); a folder that holds a run is never overwritten'),
      withHelp(JSON_SWITCH, 'print the summary as one JSON document on stdout: {evaluations, bestFitness, generations, stopReason, runDir}'),
      NO_PROGRESS,
    ],
  },
];

export const searchCommand: Command = {
  name: 'search',
  summary: 'start a search: a strategy minimises a task over a genome kind, in a new run folder',
  usage: '--task NAME [options]',
  description:
    'Starts a search in a new run folder (manifest.json, generations.jsonl, best.json, checkpoint.json, run.log). ' +
    'A killed run goes on with evometa resume DIR; when the run ends, its final point is exported as DIR/final.json.\n\n' +
    "Plug-ins: --plugin ./my_task.mjs (or a package name) adds the module's tasks, genome kinds and strategies; worker " +
    "threads and evometa resume load it again from the run's manifest. See examples/plugins/.",
  positionals: [],
  groups: SEARCH_GROUPS,
  run: (args) => runSearchCommand(args),
};

function readConfigFile(path: string): Record<string, unknown> {
  if (!existsSync(path)) throw new UsageError(`--config file not found: ${path}`);
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new UsageError(`--config ${path} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new UsageError(`--config ${path} must hold a JSON object of options`);
  for (const key of Object.keys(v)) {
    if (key === 'out' || key === 'plugins' || optionByFlag(key)) continue;
    const guess = nearest(key, [...RUN_OPTIONS.map((o) => o.flag), 'out', 'plugins']);
    throw new UsageError(`--config ${path}: unknown option '${key}'; ${guess ? `did you mean '${guess}'?` : 'the keys are the search options of evometa search --help'}`);
  }
  return configFilePaths(v as Record<string, unknown>, dirname(path));
}

function defaultRunDir(config: RunConfig): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const base = join('results', `${stamp}-${config.task}-${config.strategy}-s${config.seed}`);
  let dir = base;
  for (let k = 2; existsSync(dir); k++) dir = `${base}-${k}`;
  return dir;
}

/** A search from the options `base` (start's default job, or none), a --config file and the flags, in that order of precedence. */
export async function runSearchCommand(args: ParsedArgs, base: Record<string, unknown> = {}): Promise<void> {
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
  const given = resolveRunConfig(raw, () => randomInt(0, 2 ** 32));
  // Plug-ins load (and any error in them shows) before a run folder is chosen or written.
  const { loadRegistry } = await import('../plugins.js');
  const registry = await loadRegistry(given.plugins);
  const config: RunConfig = { ...given, plugins: [...registry.plugins] };
  const runDir = out ?? defaultRunDir(config);
  onInterrupt(() => runDir);
  const json = args.switches.has('json');
  const onStart = () => json || process.stderr.write(`evometa: run folder ${runDir} (seed ${config.seed})\n`);
  const command = ['evometa', ...process.argv.slice(2)].join(' ');
  const { runSearch } = await import('../search.js');
  const summary = await withProgress(args, (onGeneration) => runSearch(config, runDir, { registry, hooks: { onStart, ...(onGeneration ? { onGeneration } : {}) }, command }));
  await finishRun(summary, config, json, registry);
}
