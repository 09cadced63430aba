/**
 * A custom fitness function as an evometa plug-in, in plain JavaScript with no imports: a shifted
 * Styblinski–Tang function over the built-in `vector` genome.
 *
 *   f(x) = ½ Σ_i (t_i⁴ − 16 t_i² + 5 t_i),  t_i = x_i − shift
 *
 * Its minimum lies at t_i ≈ −2.903534 in every coordinate, where f ≈ −39.16617 per coordinate; with
 * `relative: true` (the default) the task reports f − f*, so the optimum is 0 and `--target 1e-6` works.
 *
 *   evometa search --plugin examples/plugins/custom_fitness.mjs --task styblinski-tang --dim 5 \
 *     --task-config '{"shift": 1}' --strategy ipop-cmaes --x0 0 --sigma0 3 --target 1e-6 --max-evals 50000
 *
 * The function has 2^dim local minima (each coordinate near t* or near +2.75): plain CMA-ES often settles in
 * one of them, a restart strategy (ipop-cmaes) finds the global one.
 *
 * A plug-in's module is imported again by every worker thread and by `evometa resume`, so it must build
 * everything it needs at import time or from its arguments, never from state passed in by a caller.
 */

/** The one-dimensional minimiser of t⁴ − 16t² + 5t (a root of 4t³ − 32t + 5), by Newton's method. */
function coordinateMinimiser() {
  let t = -2.9;
  for (let k = 0; k < 50; k++) t -= (4 * t ** 3 - 32 * t + 5) / (12 * t ** 2 - 32);
  return t;
}

const T_STAR = coordinateMinimiser();
const F_STAR_PER_COORDINATE = 0.5 * (T_STAR ** 4 - 16 * T_STAR ** 2 + 5 * T_STAR);

const KEYS = ['shift', 'relative'];

/** Checks the task's settings; an Error's message reaches the user as one line naming the key. */
function resolveConfig(raw) {
  const unknown = Object.keys(raw).filter((k) => !KEYS.includes(k));
  if (unknown.length > 0) throw new Error(`unknown key ${unknown.join(', ')}; valid keys: ${KEYS.join(', ')}`);
  const shift = raw.shift ?? 0.5;
  if (typeof shift !== 'number' || !Number.isFinite(shift)) throw new Error(`'shift' must be a finite number (got ${JSON.stringify(raw.shift)})`);
  const relative = raw.relative ?? true;
  if (typeof relative !== 'boolean') throw new Error(`'relative' must be true or false (got ${JSON.stringify(raw.relative)})`);
  return { shift, relative };
}

export const styblinskiTang = {
  name: 'styblinski-tang',
  description: 'shifted Styblinski–Tang function (example plug-in; options: shift, relative)',
  genomeKinds: ['vector'],
  usesTensorflow: false,
  resolveConfig,
  evaluate(x, config) {
    let f = 0;
    for (const v of x) {
      const t = v - config.shift;
      f += 0.5 * (t ** 4 - 16 * t ** 2 + 5 * t);
    }
    return { fitness: config.relative ? f - F_STAR_PER_COORDINATE * x.length : f };
  },
};

/** The optimum, for tests and readers: x_i = shift + t*. */
export function optimum(dim, shift = 0.5) {
  return new Array(dim).fill(shift + T_STAR);
}

// `definePlugin` from evometa is the identity: a plain object with `tasks`, `genomes`, `strategies` works as well.
export default { tasks: [styblinskiTang] };
