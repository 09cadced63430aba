/** `evometa resume DIR [options]`: continues a killed run, or extends a finished one with a larger budget. */
import { parseOptionValue } from '../engine/run_config.js';
import type { ResumeOverrides } from '../engine/engine.js';
import { readManifest } from '../store/manifest.js';
import type { Command, ParsedArgs } from './command.js';
import { JSON_SWITCH, NO_PROGRESS, REDIS, runOption, withHelp, WORKERS } from './options.js';
import { requireRunFolder } from './run_folder.js';
import { finishRun, onInterrupt, withProgress } from './run_summary.js';

const MAX_GENERATIONS = withHelp(runOption('max-generations'), "extend a run that stopped on its budget to this many generations (the strategy's state kept)");
const MAX_EVALS = withHelp(runOption('max-evals'), 'extend a run that stopped on its budget to this many evaluations');

export const resumeCommand: Command = {
  name: 'resume',
  summary: 'continue a killed or interrupted run (same trajectory), or extend a finished one',
  usage: 'DIR [options]',
  description:
    'Continues the run in DIR from its checkpoint with the plug-ins its manifest records: the same trajectory as the ' +
    'run never interrupted. With --max-generations or --max-evals, extends a run that stopped on its budget.',
  positionals: [{ name: 'DIR', required: true }],
  groups: [{ title: 'options', options: [withHelp(WORKERS, 'worker threads for the rest of the run; 0 evaluates inline (default: as recorded)'), withHelp(REDIS, 'the Redis URL of a queue run (its manifest keeps the URL without the password)'), MAX_GENERATIONS, MAX_EVALS, JSON_SWITCH, NO_PROGRESS] }],
  refuses: { plugin: "resume loads the plug-ins the run's manifest records" },
  run: resume,
};

async function resume(args: ParsedArgs): Promise<void> {
  const dir = args.positional[0]!;
  const overrides: ResumeOverrides = {};
  const int = (o: typeof MAX_EVALS): number | undefined => (args.flags[o.flag] === undefined ? undefined : (parseOptionValue(o, args.flags[o.flag]) as number));
  const workers = int(WORKERS);
  const maxGenerations = int(MAX_GENERATIONS);
  const maxEvals = int(MAX_EVALS);
  if (workers !== undefined) overrides.workers = workers;
  if (args.flags[REDIS.flag] !== undefined) overrides.redis = parseOptionValue(REDIS, args.flags[REDIS.flag]) as string;
  if (maxGenerations !== undefined) overrides.maxGenerations = maxGenerations;
  if (maxEvals !== undefined) overrides.maxEvals = maxEvals;
  requireRunFolder(dir);
  onInterrupt(() => dir);
  const { resumeRun } = await import('../search.js');
  const s = await withProgress(args, (onGeneration) => resumeRun(dir, { overrides, ...(onGeneration ? { hooks: { onGeneration } } : {}) }));
  // The manifest as the resume left it (an extension records its new budget).
  const config = readManifest(dir).config;
  if (s.alreadyFinished && !args.switches.has('json')) process.stderr.write(`evometa: ${dir} had already finished; nothing to resume\n`);
  await finishRun(s, config, args.switches.has('json'));
}
