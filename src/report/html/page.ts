/**
 * The dashboard page: one self-contained HTML file (uPlot's script and styles, the run data as JSON and the drawing
 * script all inline), the same for `evometa report --html` and for a run opened from `evometa serve`.
 */
import { escapeXml } from '../svg_plot.js';
import { dashboardClient } from './dashboard_client.js';
import type { DashboardData } from './dashboard_data.js';
import { uplotAssets } from './uplot_assets.js';
import { inlineScript, pageScript } from './page_script.js';

export interface PageOptions {
  /** Server-sent events URL that sends a fresh DashboardData (event `dashboard`) whenever a run writes a generation. */
  events?: string;
  /** A link back (to the run list of `evometa serve`). */
  back?: { href: string; label: string };
}

/** JSON that can sit inside a <script> element: no `<` can close it. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Styles shared by the dashboard and the run list. */
export const PAGE_CSS = `
body { font: 14px/1.4 Helvetica, Arial, sans-serif; margin: 16px 24px; color: #222; }
h1 { font-size: 20px; margin: 0 0 8px; }
h2 { font-size: 15px; margin: 18px 0 4px; }
table.facts { border-collapse: collapse; margin: 8px 0; }
table.facts th, table.facts td { border-bottom: 1px solid #ddd; padding: 3px 10px; text-align: left; }
table.facts td[data-field=best], table.facts td[data-field=evaluations], table.facts td[data-field=generations] { text-align: right; }
.state-running { color: #1f77b4; } .state-finished { color: #2a7d2a; } .state-failed { color: #c0392b; }
.note, .muted { color: #666; font-size: 12px; margin: 0 0 4px; }
.warning { color: #a05a00; font-size: 12px; margin: 2px 0; }
.controls { margin: 8px 0; }
#live-status { color: #1f77b4; font-size: 12px; }
a { color: #2f5f98; }
`;

export function pageShell(title: string, head: string, body: string, bodyAttrs = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${escapeXml(title)}</title>
<style>${PAGE_CSS}</style>
${head}
</head>
<body${bodyAttrs}>
${body}
</body>
</html>
`;
}

export function dashboardPage(data: DashboardData, options: PageOptions = {}): string {
  const uplot = uplotAssets();
  const head = `<style>${uplot.css}</style>\n<script>${inlineScript(uplot.js)}</script>`;
  const back = options.back ? `<p><a href="${escapeXml(options.back.href)}">${escapeXml(options.back.label)}</a></p>\n` : '';
  const body = `${back}<h1>${escapeXml(data.title)}</h1>
<div id="live-status"></div>
<section id="runs"></section>
<div class="controls"><label>x axis <select id="x-axis"></select></label> <span class="muted">hover a chart for values; drag to zoom, double-click to reset</span></div>
<main id="panels"></main>
<section id="replays"></section>
<p class="muted">drawn with uPlot ${escapeXml(uplot.version)}</p>
<script type="application/json" id="dashboard-data">${scriptJson(data)}</script>
${pageScript(dashboardClient)}`;
  const attrs = options.events ? ` data-events="${escapeXml(options.events)}"` : '';
  return pageShell(data.title, head, body, attrs);
}
