/**
 * A custom strategy as an evometa plug-in: the (1+1) evolution strategy with the 1/5th success rule
 * (Rechenberg, "Evolutionsstrategie: Optimierung technischer Systeme nach Prinzipien der biologischen
 * Evolution", 1973). One parent x; each generation one child x + σ·N(0, I) (clipped into the genome's box);
 * the child replaces the parent when it is no worse. σ grows by exp(1/3) after a success and shrinks by
 * exp(−1/12) after a failure, so it stays put exactly when one child in five succeeds.
 *
 *   evometa search --plugin examples/plugins/one_plus_one_es.mjs --strategy one-plus-one-es --task sphere \
 *     --dim 5 --x0 1 --target 1e-8 --max-evals 5000
 *
 * As for every strategy, the whole state (random generator included) is plain JSON, so a checkpoint is the
 * state and `evometa resume` continues bit for bit.
 */
import { definePlugin, Rng } from 'evometa';

const NAME = 'one-plus-one-es';
const SUCCESS = Math.exp(1 / 3);
const FAILURE = Math.exp(-1 / 12);

function clip(v, i, bounds) {
  return bounds ? Math.min(bounds.upper[i], Math.max(bounds.lower[i], v)) : v;
}

function rankable(e) {
  return e.status === 'ok' && Number.isFinite(e.fitness) ? e.fitness : Infinity;
}

export const onePlusOneEs = {
  name: NAME,
  description: '(1+1)-ES with the 1/5th success rule (example plug-in; params: minSigma)',
  init(o) {
    const params = o.params ?? {};
    const unknown = Object.keys(params).filter((k) => k !== 'minSigma');
    if (unknown.length > 0) throw new Error(`unknown ${NAME} parameter ${unknown.join(', ')}; valid: minSigma`);
    const minSigma = params.minSigma ?? 1e-12;
    if (typeof minSigma !== 'number' || !(minSigma > 0)) throw new Error(`minSigma must be a number > 0 (got ${JSON.stringify(minSigma)})`);
    return {
      strategy: NAME,
      generation: 0,
      evaluations: 0,
      sigma: o.sigma0,
      best: null,
      rng: new Rng(o.seed).state(),
      x: o.x0.map((v, i) => clip(v, i, o.bounds)),
      /** The parent's fitness; null until the parent itself has been evaluated (generation 0). */
      fx: null,
      bounds: o.bounds ?? null,
      minSigma,
      successes: 0,
    };
  },
  ask(s) {
    if (s.fx === null) return [{ index: 0, x: s.x.slice(), wants: 'fitness' }];
    const rng = new Rng(s.rng);
    const child = s.x.map((v, i) => clip(v + s.sigma * rng.normal(), i, s.bounds));
    s.rng = rng.state();
    return [{ index: 0, x: child, wants: 'fitness' }];
  },
  tell(s, candidates, evaluations) {
    const f = rankable(evaluations[0]);
    const y = candidates[0].x;
    if (s.fx === null) s.fx = f;
    else if (f <= s.fx) {
      s.x = y.slice();
      s.fx = f;
      s.sigma *= SUCCESS;
      s.successes++;
    } else s.sigma *= FAILURE;
    if (Number.isFinite(f) && (s.best === null || f < s.best.fitness)) s.best = { x: y.slice(), fitness: f };
    s.generation++;
    s.evaluations++;
  },
  stop(s) {
    return s.sigma < s.minSigma ? { minSigma: s.minSigma } : {};
  },
};

export default definePlugin({ strategies: [onePlusOneEs] });
