import test from 'ava';
import { resolveRunConfig } from '../../../src/engine/run_config.js';

const seed = () => 99;

test('flag names and config-file names resolve to one typed config', (t) => {
  const c = resolveRunConfig({ task: 'rosenbrock', dim: '10', 'max-evals': '100000', x0: '3', sigma0: 2, target: '1e-8', workers: 0 }, seed);
  t.is(c.dim, 10);
  t.is(c.maxEvals, 100000);
  t.is(c.x0, 3);
  t.is(c.target, 1e-8);
  t.is(c.seed, 99);
  t.is(c.strategy, 'cmaes');
  const camel = resolveRunConfig({ task: 'sphere', maxEvals: 5, x0: [1, 2], dim: 2 }, seed);
  t.is(camel.maxEvals, 5);
  t.deepEqual(camel.x0, [1, 2]);
});

test('bad numbers name the flag and the allowed range', (t) => {
  t.throws(() => resolveRunConfig({ task: 'sphere', dim: '0' }, seed), { message: '--dim must be an integer >= 1 and <= 100000 (got "0")' });
  t.throws(() => resolveRunConfig({ task: 'sphere', sigma0: '-1' }, seed), { message: /^--sigma0 must be a finite number > 0/ });
  t.throws(() => resolveRunConfig({ task: 'sphere', workers: '1.5' }, seed), { message: /^--workers must be an integer >= 0 and <= 256/ });
  t.throws(() => resolveRunConfig({ task: 'sphere', 'max-evals': 'lots' }, seed), { message: /^--max-evals must be an integer/ });
  t.throws(() => resolveRunConfig({ task: 'sphere', x0: '1,x' }, seed), { message: /^--x0 must be a finite number or a comma-separated list/ });
  t.throws(() => resolveRunConfig({ task: 'sphere', dim: 3, x0: '1,2' }, seed), { message: '--x0 has 2 numbers but --dim is 3; give one number or 3' });
  t.throws(() => resolveRunConfig({ task: 'sphere', backend: 'gpu' }, seed), { message: /^--backend must be one of auto, tensorflow-gpu, tensorflow, webgpu, wasm, cpu/ });
  t.throws(() => resolveRunConfig({ task: 'sphere', 'task-config': '{oops' }, seed), { message: /^--task-config must be a JSON object/ });
});

test('numbers are decimal: hexadecimal, binary and blank text are refused, not read as other numbers', (t) => {
  t.throws(() => resolveRunConfig({ task: 'sphere', dim: '0x10' }, seed), { message: '--dim must be an integer >= 1 and <= 100000 (got "0x10")' });
  t.throws(() => resolveRunConfig({ task: 'sphere', 'max-evals': '0b11' }, seed), { message: /^--max-evals must be an integer/ });
  t.throws(() => resolveRunConfig({ task: 'sphere', sigma0: ' ' }, seed), { message: /^--sigma0 must be a finite number/ });
  t.throws(() => resolveRunConfig({ task: 'sphere', dim: 2, x0: '0x1,2' }, seed), { message: /^--x0 must be a finite number or a comma-separated list/ });
  const c = resolveRunConfig({ task: 'sphere', dim: '2', x0: '-1.5e0,.5', sigma0: '+2', target: '1E-8' }, seed);
  t.deepEqual([c.dim, c.x0, c.sigma0, c.target], [2, [-1.5, 0.5], 2, 1e-8]);
});

test('unknown options and a missing task are reported', (t) => {
  t.throws(() => resolveRunConfig({ task: 'sphere', sigma: 1 }, seed), { message: /^unknown option 'sigma'; valid options: genome, dim, task/ });
  t.throws(() => resolveRunConfig({}, seed), { message: /--task is required/ });
});

test('plugins: a list of module names from a config file or the repeated --plugin flag; empty by default', (t) => {
  t.deepEqual(resolveRunConfig({ task: 'sphere' }, seed).plugins, []);
  t.deepEqual(resolveRunConfig({ task: 'sphere', plugins: ['./a.mjs', 'pkg'] }, seed).plugins, ['./a.mjs', 'pkg']);
  t.deepEqual(resolveRunConfig({ task: 'sphere', plugin: ['./a.mjs'] }, seed).plugins, ['./a.mjs']);
  t.deepEqual(resolveRunConfig({ task: 'sphere', plugins: './one.mjs' }, seed).plugins, ['./one.mjs']);
  t.throws(() => resolveRunConfig({ task: 'sphere', plugins: [3] }, seed), {
    message: '--plugin must name a module (a path or a package name); in a config file "plugins" is an array of them (got [3])',
  });
  t.throws(() => resolveRunConfig({ task: 'sphere', plugins: [''] }, seed), { message: /^--plugin must name a module/ });
});
