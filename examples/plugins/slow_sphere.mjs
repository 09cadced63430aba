/**
 * An I/O-bound task as an evometa plug-in: the sphere function, answered after a delay, as a simulator or a remote
 * service would. Its evaluations cost no CPU, so it measures how well evaluation spreads over workers and machines
 * (`npm run bench -- cluster`) rather than how fast the cores are.
 *
 *   evometa worker --redis redis://127.0.0.1:6379 --plugin examples/plugins/slow_sphere.mjs --concurrency 8 &
 *   evometa search --plugin examples/plugins/slow_sphere.mjs --task slow-sphere --task-config '{"delayMs": 50}' \
 *     --dim 10 --popsize 64 --max-generations 20 --redis redis://127.0.0.1:6379
 */

const KEYS = ['delayMs'];

function resolveConfig(raw) {
  const unknown = Object.keys(raw).filter((k) => !KEYS.includes(k));
  if (unknown.length > 0) throw new Error(`unknown key ${unknown.join(', ')}; valid keys: ${KEYS.join(', ')}`);
  const delayMs = raw.delayMs ?? 50;
  if (typeof delayMs !== 'number' || !(delayMs >= 0) || delayMs > 600000) throw new Error(`'delayMs' must be a number of milliseconds from 0 to 600000 (got ${JSON.stringify(raw.delayMs)})`);
  return { delayMs };
}

export const slowSphere = {
  name: 'slow-sphere',
  description: 'sphere function answered after delayMs milliseconds (example plug-in; option: delayMs, default 50)',
  genomeKinds: ['vector'],
  usesTensorflow: false,
  resolveConfig,
  async evaluate(x, config) {
    if (config.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, config.delayMs));
    let f = 0;
    for (const v of x) f += v * v;
    return { fitness: f };
  },
};

export default { tasks: [slowSphere] };
