/**
 * The chart of a replay (test accuracy against inner steps, one line per method with a ±1 std band over seeds), kept
 * apart from the training code so that reports (replay.svg, the HTML dashboard) draw it without loading TensorFlow.js.
 */
import type { ChartOptions } from '../../report/svg_plot.js';
import { formatNumber } from '../../report/format.js';
import type { ReplayMethod, ReplayResult } from './replay_blur.js';

/** How each method is named in tables and legends. */
export const REPLAY_METHOD_LABEL: Readonly<Record<ReplayMethod, string>> = { blur: 'learned rule', sgd: 'SGD', adam: 'Adam' };

/** The replay's accuracy curves as one chart; `methods` may hold names beside the known ones (shown as they are). */
export function replayPanel(r: Pick<ReplayResult, 'task' | 'evalAt' | 'methods'>): ChartOptions {
  return {
    title: `${r.task}: test accuracy vs inner steps (mean, band = ±1 std over seeds)`,
    xLabel: 'inner steps',
    yLabel: 'test accuracy',
    series: r.methods.map((m) => ({
      name: `${REPLAY_METHOD_LABEL[m.method] ?? m.method}${m.learningRate !== undefined ? ` (lr ${formatNumber(m.learningRate)})` : ''}`,
      x: r.evalAt,
      y: m.mean,
      lower: m.mean.map((v, j) => v - m.std[j]!),
      upper: m.mean.map((v, j) => v + m.std[j]!),
    })),
  };
}
