import test from 'ava';
import { gdPredict, gdPredictWithDerivative, gdWeights, halfMeanSquaredError, type RegressionContext } from '../../../../src/models/lsa/gradient_descent.js';

// One task, N_x = 2, N = 2: x_1 = (1, 0), y_1 = 2; x_2 = (1, 1), y_2 = 1; query (2, −1).
const ctx: RegressionContext = { batch: 1, nx: 2, n: 2, x: Float64Array.from([1, 0, 1, 1]), y: Float64Array.from([2, 1]), xq: Float64Array.from([2, -1]) };

test('one step from W₀ = 0 is ΔW = (η/N) Σ y_i x_i; two steps by hand', (t) => {
  // ΔW = 0.5 · 0.5 · (2·(1,0) + 1·(1,1)) = (0.75, 0.25)
  t.deepEqual(Array.from(gdWeights(ctx, 0.5, 1).w), [0.75, 0.25]);
  t.deepEqual(Array.from(gdPredict(ctx, 0.5, 1)), [1.25]);
  // residuals at W₁: 2 − 0.75 = 1.25, 1 − 1 = 0 → W₂ = W₁ + 0.25 · 1.25 · (1, 0) = (1.0625, 0.25)
  t.deepEqual(Array.from(gdWeights(ctx, 0.5, 2).w), [1.0625, 0.25]);
  t.deepEqual(Array.from(gdPredict(ctx, 0.5, 0)), [0]);
});

test('dŷ/dη by forward differentiation matches central differences', (t) => {
  for (const steps of [1, 2, 4])
    for (const eta of [0.3, 1.1]) {
      const d = gdPredictWithDerivative(ctx, eta, steps).derivative[0]!;
      const h = 1e-6;
      const fd = (gdPredict(ctx, eta + h, steps)[0]! - gdPredict(ctx, eta - h, steps)[0]!) / (2 * h);
      t.true(Math.abs(d - fd) < 1e-6 * Math.max(1, Math.abs(fd)), `steps ${steps} η ${eta}: ${d} vs ${fd}`);
    }
});

test('the loss is ½ mean squared error', (t) => {
  t.is(halfMeanSquaredError([1, 2], [0, 4]), (1 + 4) / 4);
  t.throws(() => halfMeanSquaredError([1], [1, 2]), { message: 'loss: 1 predictions for 2 targets' });
});
