/** The built-in genome kinds, tasks and strategies as a Registry, for tests that hand one to the store. */
import { GENOME_KINDS } from '../../genomes/index.js';
import { TASKS } from '../../tasks/index.js';
import { STRATEGIES } from '../../strategies/index.js';
import type { Registry } from '../../src/core/plugin.js';

export const BUILTIN_REGISTRY: Registry = { genomes: GENOME_KINDS, tasks: TASKS, strategies: STRATEGIES, plugins: [] };
