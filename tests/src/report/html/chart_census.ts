/** What a dashboard page in the browser has drawn, read from its uPlot charts, for the browser tests. */
import type { Page } from 'playwright-core';

/** Per chart: key, lines drawn (uPlot series less the x), legend rows shown, and the canvas's non-background pixels. */
export function chartCensus(page: Page): Promise<{ key: string; lines: number; series: number; legendRows: number; canvases: number; inked: number; xMax: number }[]> {
  return page.evaluate(() => (globalThis as any).evometaDashboard.charts.map((c: any) => {
    const root = c.plot.root;
    const canvas = root.querySelector('canvas');
    const px = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let inked = 0;
    for (let i = 0; i < px.length; i += 4) if (px[i + 3] > 0 && (px[i] < 200 || px[i + 1] < 200 || px[i + 2] < 200)) inked++;
    const rows = [...root.querySelectorAll('.u-legend .u-series')].filter((r: any) => r.style.display !== 'none');
    const xs = c.plot.data[0] as number[];
    return { key: c.key, lines: c.lines, series: c.plot.series.length - 1, legendRows: rows.length - 1, canvases: root.querySelectorAll('canvas').length, inked, xMax: xs[xs.length - 1] };
  }));
}
