/**
 * The run list's script, run in the browser: draws the table of runs from the page's JSON and refreshes it from
 * /api/runs every REFRESH_MS. Inlined by its source (page_script.ts), so it stays self-contained.
 */

/** Draws the list; `fmt` and `el` are the page helpers (page_script.ts); `refreshMs`: how often to fetch the list again. */
export function runListClient(fmt: (v: unknown) => string, el: (tag: string, attrs?: Record<string, string>, text?: string) => any, refreshMs: number): void {
  const w: any = globalThis;
  const doc: any = w.document;
  const dashboardUrl = (names: string[]) => `dashboard?${names.map((n) => `run=${encodeURIComponent(n)}`).join('&')}`;

  function draw(runs: any[]): void {
    const body = doc.getElementById('run-rows');
    const checked = new Set([...doc.querySelectorAll('input.pick:checked')].map((i: any) => i.value));
    body.replaceChildren();
    for (const r of runs) {
      const f = r.facts;
      const row = el('tr', { 'data-run': r.name });
      const pick = el('input', { type: 'checkbox', class: 'pick', value: r.name });
      if (checked.has(r.name)) pick.checked = true;
      row.append(el('td').appendChild(pick).parentNode);
      const link = el('a', { href: dashboardUrl([r.name]) }, r.name);
      row.append(el('td', { 'data-field': 'name' }).appendChild(link).parentNode);
      if (!f) {
        row.append(el('td', { colspan: '6', class: 'warning' }, r.error ?? 'unreadable'));
      } else {
        const cells: [string, string][] = [['task', String(f.config.task)], ['strategy', String(f.config.strategy)], ['state', f.state],
          ['best', fmt(f.bestFitness)], ['evaluations', fmt(f.evaluations)], ['generations', String(f.generations)]];
        for (const [k, v] of cells) row.append(el('td', { 'data-field': k, ...(k === 'state' ? { class: `state-${v}` } : {}) }, v));
      }
      body.append(row);
    }
    doc.getElementById('run-count').textContent = `${runs.length} run${runs.length === 1 ? '' : 's'}`;
  }

  doc.getElementById('compare').addEventListener('click', () => {
    const names = [...doc.querySelectorAll('input.pick:checked')].map((i: any) => i.value);
    if (names.length) w.location.href = dashboardUrl(names);
  });
  draw(JSON.parse(doc.getElementById('runs-data').textContent));
  setInterval(async () => {
    try {
      const res = await w.fetch('api/runs');
      if (res.ok) draw((await res.json()).runs);
    } catch {
      /* the server stopped; the table keeps its last state */
    }
  }, refreshMs);
}
