import test from 'ava';
import {
  escapeXml,
  formatLogTick,
  lineChart,
  logTicks,
  niceTicks,
  stackCharts,
  type ChartOptions,
} from '../../../src/report/svg_plot.js';

/** Tag balance, quoted attributes and entity-only ampersands: enough to catch broken XML output. */
function assertWellFormed(t: import('ava').ExecutionContext, xml: string): void {
  const body = xml.replace(/^<\?xml[^?]*\?>\s*/, '');
  const stack: string[] = [];
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = tag.exec(body))) {
    const text = body.slice(last, m.index);
    t.false(/[<>]/.test(text), `raw < or > in text: ${text}`);
    t.false(/&(?!(amp|lt|gt|quot|apos);)/.test(text + m[3]), `bare & near: ${m[0]}`);
    last = tag.lastIndex;
    if (m[1]) t.is(stack.pop(), m[2], `unbalanced </${m[2]}>`);
    else if (!m[4]) stack.push(m[2]!);
  }
  t.false(/[<>]/.test(body.slice(last)), 'unparsed markup left over');
  t.deepEqual(stack, [], 'unclosed tags');
  t.true(body.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
}

function texts(svg: string, groupClass: string): string[] {
  const g = svg.match(new RegExp(`<g class="${groupClass}"[^>]*>([\\s\\S]*?)</g>`))![1]!;
  return [...g.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
}

function pathD(svg: string, cls: string, series: string): string[] {
  return [...svg.matchAll(new RegExp(`<path class="${cls}" data-series="${series}" d="([^"]*)"`, 'g'))].map((m) => m[1]!);
}

test('niceTicks uses 1-2-5 steps and covers the range', (t) => {
  t.deepEqual(niceTicks(0, 9.3), [0, 2, 4, 6, 8, 10]);
  t.deepEqual(niceTicks(-0.3, 0.7), [-0.4, -0.2, 0, 0.2, 0.4, 0.6, 0.8]);
  t.deepEqual(niceTicks(0, 480, 6), [0, 100, 200, 300, 400, 500]);
  t.deepEqual(niceTicks(5, 5), [4.4, 4.6, 4.8, 5, 5.2, 5.4, 5.6]);
});

test('logTicks: one label per decade for 1e-8..1e2, with 1e-8 style labels', (t) => {
  const ticks = logTicks(1e-8, 1e2);
  t.is(ticks.length, 11);
  t.deepEqual(ticks.map((v) => formatLogTick(v, ticks)), [
    '1e-8', '1e-7', '1e-6', '1e-5', '1e-4', '1e-3', '1e-2', '1e-1', '1e0', '1e1', '1e2',
  ]);
  t.deepEqual(logTicks(1e-8, 1e2, 6), [1e-8, 1e-6, 1e-4, 1e-2, 1, 100]);
  const narrow = logTicks(0.3, 4);
  t.deepEqual(narrow.map((v) => formatLogTick(v, narrow)), ['0.1', '0.2', '0.5', '1', '2', '5', '10']);
  t.throws(() => logTicks(0, 1));
});

test('log y axis of a chart labels every decade of 1e-8..1e2', (t) => {
  const svg = lineChart({ xLabel: 'gen', yLabel: 'f', logY: true, series: [{ name: 'f', x: [0, 1, 2], y: [1e2, 1e-3, 1e-8] }] });
  t.deepEqual(texts(svg, 'y-ticks'), ['1e-8', '1e-7', '1e-6', '1e-5', '1e-4', '1e-3', '1e-2', '1e-1', '1e0', '1e1', '1e2']);
  t.deepEqual(texts(svg, 'x-ticks'), ['0.0', '0.5', '1.0', '1.5', '2.0']);
  assertWellFormed(t, svg);
});

test('null and non-finite values break the line; an isolated point becomes a dot', (t) => {
  const svg = lineChart({
    xLabel: 'x',
    yLabel: 'y',
    series: [
      { name: 'gappy', x: [0, 1, 2, 3, 4, 5, 6, 7], y: [1, 2, null, 3, 4, NaN, 5, Infinity] },
      { name: 'whole', x: [0, 1, 2], y: [1, 2, 3] },
    ],
  });
  const [d] = pathD(svg, 'line', 'gappy');
  t.is(pathD(svg, 'line', 'gappy').length, 1);
  t.is(d!.match(/M/g)!.length, 2, 'two drawn segments: [0,1] and [3,4]');
  t.is(d!.match(/L/g)!.length, 2);
  t.is([...svg.matchAll(/<circle class="point" data-series="gappy"/g)].length, 1, 'x=6 stands alone');
  t.is(pathD(svg, 'line', 'whole')[0]!.match(/M/g)!.length, 1);
  assertWellFormed(t, svg);
});

test('log scale skips non-positive values and says so', (t) => {
  const svg = lineChart({ xLabel: 'x', yLabel: 'y', logY: true, series: [{ name: 's', x: [0, 1, 2, 3, 4], y: [1, 0, -2, 10, 100] }] });
  t.true(svg.includes('2 non-positive values'));
  t.true(svg.includes('skipped (log scale)'));
  t.is(pathD(svg, 'line', 's')[0]!.match(/M/g)!.length, 1, 'only the positive run 10, 100 is a segment');
  t.is([...svg.matchAll(/<circle class="point"/g)].length, 1, 'x=0 stands alone');
  const clean = lineChart({ xLabel: 'x', yLabel: 'y', logY: true, series: [{ name: 's', x: [0, 1], y: [1, 10] }] });
  t.false(clean.includes('skipped'));
});

test('bands, dashes, legend, escaping and stacked panels', (t) => {
  const a: ChartOptions = {
    title: 'accuracy <vs> steps & "seeds"',
    xLabel: 'inner steps',
    yLabel: 'test accuracy',
    series: [
      { name: 'mean', x: [1, 2, 3, 4], y: [0.5, 0.6, 0.7, 0.75], lower: [0.4, 0.5, 0.6, 0.7], upper: [0.6, 0.7, 0.8, 0.8] },
      { name: "baseline 'sgd'", x: [1, 2, 3, 4], y: [0.5, 0.55, 0.6, 0.62], dashed: true },
    ],
  };
  const b: ChartOptions = { xLabel: 'x', yLabel: 'y', height: 200, series: [{ name: 'other', x: [0, 1], y: [0, 1] }] };
  const svg = stackCharts([a, b], { title: 'two panels', width: 800 });
  assertWellFormed(t, svg);
  t.is([...svg.matchAll(/<g class="panel"/g)].length, 2);
  t.true(svg.includes('height="530"'), 'stack title 30 + 300 + 200');
  t.true(svg.includes(escapeXml(a.title!)));
  t.false(svg.includes('<vs>'));
  t.is(pathD(svg, 'band', 'mean').length, 1);
  t.true(pathD(svg, 'band', 'mean')[0]!.endsWith('Z'));
  t.regex(svg, /data-series="baseline &apos;sgd&apos;"[^>]*stroke-dasharray/);
  t.true(svg.includes('>mean</text>') && svg.includes('>other</text>'));
  const panelA = svg.split('<g class="panel"')[1]!;
  const colours = [...panelA.matchAll(/<path class="line"[^>]*stroke="(#[0-9a-f]+)"/g)].map((m) => m[1]);
  t.is(colours.length, 2);
  t.not(colours[0], colours[1], 'each series of a panel has its own colour');
});

test('output is deterministic and validates lengths', (t) => {
  const opts: ChartOptions = { xLabel: 'x', yLabel: 'y', logY: true, series: [{ name: 's', x: [0, 1, 2], y: [0.1, 0.01, 0.001] }] };
  t.is(lineChart(opts), lineChart(structuredClone(opts)));
  t.throws(() => lineChart({ xLabel: 'x', yLabel: 'y', series: [{ name: 's', x: [0, 1], y: [1] }] }), {
    message: /series "s": x has 2 points but y has 1/,
  });
  const empty = lineChart({ xLabel: 'x', yLabel: 'y', series: [{ name: 'nothing', x: [], y: [] }] });
  t.true(empty.includes('no data'));
  assertWellFormed(t, empty);
});

test('markers draw a labelled vertical line inside the x range; a series can stay out of the legend; the panel says its y scale', (t) => {
  const svg = lineChart({
    xLabel: 'evaluations',
    yLabel: 'sigma',
    logY: true,
    note: 'a note',
    markers: [{ x: 50, label: 'restart 1' }, { x: 5000, label: 'outside' }],
    series: [{ name: 'shown', x: [0, 100], y: [1, 0.1] }, { name: 'hidden', x: [0, 100], y: [2, 0.2], legend: false }],
  });
  assertWellFormed(t, svg);
  t.regex(svg, /<g class="panel" data-y-scale="log"/);
  const markers = [...svg.matchAll(/<line class="marker" data-label="([^"]*)" x1="([\d.]+)"[^>]*x2="([\d.]+)"/g)];
  t.deepEqual(markers.map((m) => m[1]), ['restart 1']);
  t.is(markers[0]![2], markers[0]![3], 'vertical');
  // x from 0 to 100 spans the plot area, so x = 50 is its middle.
  const frame = /<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"[^>]*fill="none" stroke="#333"/.exec(svg)!;
  t.is(Number(markers[0]![2]), Number(frame[1]) + Number(frame[2]) / 2);
  t.true(svg.includes('>restart 1</text>'));
  t.true(svg.includes('data-series="hidden"'), 'the line is drawn');
  const legend = svg.split('<g class="legend"')[1]!.split('</g>')[0]!;
  t.true(legend.includes('>shown</text>'));
  t.false(legend.includes('hidden'));
  t.true(svg.includes('>a note</text>'));
  t.regex(lineChart({ xLabel: 'x', yLabel: 'y', series: [{ name: 's', x: [0, 1], y: [0, 1] }] }), /<g class="panel" data-y-scale="linear"/);
});
