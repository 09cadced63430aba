/** `evometa start [options]`: the default job (what `npm start` runs), a search whose options any flag overrides. */
import type { Command } from './command.js';
import { runSearchCommand, SEARCH_GROUPS } from './search.js';

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

export const startCommand: Command = {
  name: 'start',
  summary: 'the default job (what npm start runs): CMA-ES meta-trains a BLUR learned rule on xor and or',
  usage: '[options]',
  description:
    `The default job: a search with ${Object.entries(START_JOB).map(([k, v]) => `--${k} ${typeof v === 'string' || typeof v === 'number' ? v : `'${JSON.stringify(v)}'`}`).join(' ')}. ` +
    'Any search option overrides it (e.g. --max-generations 20 for a short try).',
  positionals: [],
  groups: SEARCH_GROUPS,
  run: (args) => runSearchCommand(args, START_JOB),
};
