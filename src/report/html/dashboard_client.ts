/**
 * The dashboard's script, run in the browser: it draws the page's DashboardData (dashboard_data.ts) with uPlot, one
 * chart per report panel with the runs overlaid, and, on a page served live, redraws on each server-sent update.
 *
 * page.ts inlines this function's source (page_script.ts), so it must stay self-contained: no imports, no closures
 * over module values. Its browser globals are typed loosely here because the project compiles without
 * the DOM library.
 */

/** What the page exposes for scripts and the browser tests: the charts drawn and how many live updates arrived. */
export interface DashboardHandle {
  charts: { key: string; title: string; lines: number; plot: unknown }[];
  updates: number;
  xAxis: string;
}

/** Draws the page; `fmt` and `el` are the page helpers (page_script.ts). */
export function dashboardClient(fmt: (v: unknown) => string, el: (tag: string, attrs?: Record<string, string>, text?: string) => any): void {
  const w: any = globalThis;
  const doc: any = w.document;
  const UPlot: any = w.uPlot;
  const DASHES: number[][] = [[], [6, 4], [2, 3], [10, 3, 2, 3]];
  let data: any = JSON.parse(doc.getElementById('dashboard-data').textContent);
  const handle: DashboardHandle = { charts: [], updates: 0, xAxis: '' };
  w.evometaDashboard = handle;

  const chartWidth = () => Math.max(360, Math.min(1100, (doc.documentElement.clientWidth || 900) - 48));

  function factsTable(): void {
    const box = doc.getElementById('runs');
    box.replaceChildren();
    const table = el('table', { class: 'facts' });
    const head = el('tr');
    for (const h of ['run', 'genome', 'task', 'strategy', 'state', 'best f', 'evaluations', 'generations', 'wall']) head.append(el('th', {}, h));
    table.append(head);
    for (const run of data.runs) {
      const f = run.facts;
      const row = el('tr', { 'data-run': run.id });
      const wall = f.elapsedMs === null ? '-' : `${fmt(f.elapsedMs / 1000)} s`;
      const cells: [string, string][] = [['run', run.id], ['genome', String(f.config.genome)], ['task', String(f.config.task)], ['strategy', String(f.config.strategy)],
        ['state', f.state], ['best', fmt(f.bestFitness)], ['evaluations', fmt(f.evaluations)], ['generations', String(f.generations)], ['wall', wall]];
      for (const [k, v] of cells) row.append(el('td', { 'data-field': k, ...(k === 'state' ? { class: `state-${v}` } : {}) }, v));
      table.append(row);
    }
    box.append(table);
    for (const run of data.runs) for (const warning of run.warnings) box.append(el('p', { class: 'warning' }, `${run.id}: ${warning}`));
  }

  /** The panels of all runs merged by key, in the order they first appear. */
  function mergedPanels(): { key: string; title: string; yLabel: string; logY: boolean; note?: string; parts: { run: any; runIndex: number; panel: any }[] }[] {
    const out: any[] = [];
    data.runs.forEach((run: any, runIndex: number) => {
      for (const panel of run.panels) {
        let m = out.find((p) => p.key === panel.key);
        if (!m) out.push((m = { key: panel.key, title: panel.title, yLabel: panel.yLabel, logY: panel.logY, note: panel.note, parts: [] }));
        // A log axis only where every run's values allow one.
        if (!panel.logY && m.logY) {
          m.logY = false;
          m.title = panel.title;
        }
        m.parts.push({ run, runIndex, panel });
      }
    });
    return out;
  }

  function lineStyle(runIndex: number, seriesIndex: number, dashed: boolean): { stroke: string; dash: number[] } {
    const many = data.runs.length > 1;
    const stroke = data.palette[(many ? runIndex : seriesIndex) % data.palette.length];
    const dash = many ? DASHES[seriesIndex % DASHES.length]! : dashed ? [6, 4] : [];
    return { stroke, dash };
  }

  function axes(xLabel: string, yLabel: string, logY = false): any[] {
    const values = (_u: any, splits: number[]) => splits.map((v) => fmt(v));
    // A log axis labels powers of ten only, and over many decades every k-th, so that labels never overlap.
    const logValues = (_u: any, splits: number[]) => {
      const exps = splits.map((v) => Math.log10(v)).filter((e) => Math.abs(e - Math.round(e)) < 1e-9);
      const step = Math.max(1, Math.ceil(exps.length / 7));
      return splits.map((v) => {
        const e = Math.log10(v);
        return Math.abs(e - Math.round(e)) < 1e-9 && Math.round(e) % step === 0 ? fmt(v) : '';
      });
    };
    return [{ label: xLabel, values }, { label: yLabel, values: logY ? logValues : values, size: 72 }];
  }

  /** A vertical dashed line at each restart of each run, under the current x axis. */
  function restartHook(parts: { run: any }[], xName: string) {
    return (u: any) => {
      const ctx = u.ctx;
      ctx.save();
      ctx.strokeStyle = '#888';
      ctx.fillStyle = '#555';
      ctx.setLineDash([4, 4]);
      ctx.font = `${Math.round(10 * (w.devicePixelRatio || 1))}px sans-serif`;
      const seen = new Set<any>();
      for (const { run } of parts) {
        if (seen.has(run)) continue;
        seen.add(run);
        for (const r of run.restarts) {
          const x = run.x[xName][r.index];
          if (typeof x !== 'number') continue;
          const px = u.valToPos(x, 'x', true);
          ctx.beginPath();
          ctx.moveTo(px, u.bbox.top);
          ctx.lineTo(px, u.bbox.top + u.bbox.height);
          ctx.stroke();
          ctx.fillText(r.label, px + 3, u.bbox.top + 12);
        }
      }
      ctx.restore();
    };
  }

  /** uPlot options and aligned data of one merged panel under x axis `xName`. */
  function panelChart(m: any, xName: string): { opts: any; table: any[]; lines: number; hidden: number[]; sig: string } {
    const many = data.runs.length > 1;
    const series: any[] = [{ label: data.xLabels[xName], value: (_u: any, v: any) => (v === null || v === undefined ? '' : fmt(v)) }];
    const tables: any[] = [];
    const hidden: number[] = [];
    for (const { run, runIndex, panel } of m.parts) {
      const xs: number[] = run.x[xName];
      const keep = xs.map((x: any, i: number) => (typeof x === 'number' && Number.isFinite(x) ? i : -1)).filter((i: number) => i >= 0);
      const cols: any[] = [keep.map((i: number) => xs[i])];
      panel.series.forEach((s: any, si: number) => {
        const ys = keep.map((i: number) => {
          const v = s.y[i];
          return typeof v !== 'number' || !Number.isFinite(v) || (m.logY && v <= 0) ? null : v;
        });
        cols.push(ys);
        const style = lineStyle(runIndex, si, s.dashed === true);
        series.push({ label: many ? `${run.id}: ${s.name}` : s.name, stroke: style.stroke, dash: style.dash, width: 1.5, value: (_u: any, v: any) => (v === null || v === undefined ? '' : fmt(v)) });
        if (s.legend === false) hidden.push(series.length - 1);
      });
      tables.push(cols);
    }
    const table = UPlot.join(tables);
    const anyPositive = table.slice(1).some((col: any[]) => col.some((v) => typeof v === 'number'));
    const log = m.logY && anyPositive;
    const opts = {
      width: chartWidth(),
      height: 260,
      series,
      scales: { x: { time: false }, y: log ? { distr: 3 } : {} },
      axes: axes(data.xLabels[xName], m.yLabel, log),
      cursor: { sync: { key: 'evometa-x' } },
      legend: { live: true },
      hooks: { draw: [restartHook(m.parts, xName)] },
    };
    return { opts, table, lines: series.length - 1, hidden, sig: `${xName}|${log}|${series.map((s) => s.label).join('\u0000')}` };
  }

  /** One replay: a line per method with its ±1 std band. */
  function replayChart(r: any): { opts: any; table: any[]; lines: number; hidden: number[] } {
    const series: any[] = [{ label: r.xLabel }];
    const cols: any[] = [r.x];
    const bands: any[] = [];
    const hidden: number[] = [];
    r.series.forEach((s: any, si: number) => {
      const stroke = data.palette[si % data.palette.length];
      const value = (_u: any, v: any) => (v === null || v === undefined ? '' : fmt(v));
      series.push({ label: s.name, stroke, width: 1.5, value });
      cols.push(s.y);
      series.push({ label: `${s.name} + std`, stroke: 'transparent', value });
      cols.push(s.upper);
      series.push({ label: `${s.name} − std`, stroke: 'transparent', value });
      cols.push(s.lower);
      const n = series.length;
      hidden.push(n - 2, n - 1);
      bands.push({ series: [n - 2, n - 1], fill: `${stroke}33` });
    });
    const opts = {
      width: chartWidth(), height: 260, series, bands, scales: { x: { time: false } },
      axes: axes(r.xLabel, r.yLabel), legend: { live: true },
    };
    return { opts, table: cols, lines: r.series.length, hidden };
  }

  function hideLegendRows(plot: any, hidden: number[]): void {
    const rows = plot.root.querySelectorAll('.u-legend .u-series');
    for (const i of hidden) if (rows[i]) rows[i].style.display = 'none';
  }

  function section(parent: any, key: string, title: string, note?: string): any {
    const box = el('section', { class: 'panel', 'data-key': key });
    box.append(el('h2', {}, title));
    if (note) box.append(el('p', { class: 'note' }, note));
    const target = el('div', { class: 'chart' });
    box.append(target);
    parent.append(box);
    return target;
  }

  let drawn: { key: string; sig: string; plot: any }[] = [];

  function draw(): void {
    factsTable();
    const xName = handle.xAxis;
    const panelsBox = doc.getElementById('panels');
    const specs = mergedPanels().map((m) => ({ m, c: panelChart(m, xName) }));
    const same = specs.length === drawn.length && specs.every((s, i) => drawn[i]!.key === s.m.key && drawn[i]!.sig === s.c.sig);
    if (same) {
      specs.forEach((s, i) => drawn[i]!.plot.setData(s.c.table));
    } else {
      for (const d of drawn) d.plot.destroy();
      panelsBox.replaceChildren();
      drawn = specs.map((s) => {
        const plot = new UPlot(s.c.opts, s.c.table, section(panelsBox, s.m.key, s.m.title, s.m.note));
        hideLegendRows(plot, s.c.hidden);
        return { key: s.m.key, sig: s.c.sig, plot };
      });
    }
    const charts = specs.map((s, i) => ({ key: s.m.key, title: s.m.title, lines: s.c.lines, plot: drawn[i]!.plot }));

    const replayBox = doc.getElementById('replays');
    for (const c of handle.charts.filter((c) => c.key.startsWith('replay:'))) (c.plot as any).destroy();
    replayBox.replaceChildren();
    for (const run of data.runs) {
      for (const r of run.replays) {
        const c = replayChart(r);
        const title = data.runs.length > 1 ? `${run.id}: ${r.title}` : r.title;
        const plot = new UPlot(c.opts, c.table, section(replayBox, `replay:${run.id}:${r.file}`, title, `from ${r.file}`));
        hideLegendRows(plot, c.hidden);
        charts.push({ key: `replay:${run.id}:${r.file}`, title, lines: c.lines, plot });
      }
    }
    replayBox.style.display = charts.some((c) => c.key.startsWith('replay:')) ? '' : 'none';
    handle.charts = charts;
  }

  const select = doc.getElementById('x-axis');
  const preferred = data.runs.every((r: any) => r.defaultX === 'generation') ? 'generation' : 'evaluations';
  handle.xAxis = preferred;
  for (const name of ['evaluations', 'generation', 'wall']) {
    const o = el('option', { value: name }, data.xLabels[name]);
    if (name === preferred) o.setAttribute('selected', '');
    select.append(o);
  }
  select.addEventListener('change', () => {
    handle.xAxis = select.value;
    draw();
  });
  draw();

  const events = doc.body.getAttribute('data-events');
  if (events) {
    const status = doc.getElementById('live-status');
    status.textContent = 'live: connecting';
    const source = new w.EventSource(events);
    source.addEventListener('open', () => (status.textContent = 'live: waiting for generations'));
    source.addEventListener('dashboard', (e: any) => {
      data = JSON.parse(e.data);
      handle.updates++;
      draw();
      status.textContent = `live: updated ${new Date().toLocaleTimeString()}`;
    });
    source.addEventListener('error', () => (status.textContent = 'live: reconnecting'));
  }
}
