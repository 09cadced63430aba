/** Registry of strategies: the names the CLI and config files use. */
import type { Strategy } from '../src/core/strategy.js';
import { cmaes, sepCmaes } from './cma_es.js';
import { bipopCmaes, ipopCmaes } from './restarts.js';
import { metagrad } from './metagrad.js';
import { esGrad } from './es_grad.js';
import { gaOrdering } from './genetic_ordering.js';

export const STRATEGIES: Readonly<Record<string, Strategy<any>>> = Object.fromEntries(
  [cmaes, sepCmaes, ipopCmaes, bipopCmaes, metagrad, esGrad, gaOrdering].map((s) => [s.name, s]),
);
