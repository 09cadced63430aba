/**
 * `evometa serve`: a read-only web server over a results folder. It lists the runs, opens each run's dashboard (or
 * several overlaid), streams updates while runs write, and serves the folder's files, nothing outside it. Only GET
 * (and HEAD) requests are answered; it binds to 127.0.0.1 unless told otherwise.
 */
import { createReadStream, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { UsageError } from '../core/errors.js';
import { dashboardData } from '../report/html/dashboard_data.js';
import { dashboardPage, pageShell, scriptJson } from '../report/html/page.js';
import { pageScript } from '../report/html/page_script.js';
import { escapeXml } from '../report/svg_plot.js';
import { streamDashboard, type LiveStream } from './live_updates.js';
import { listRuns } from './run_list.js';
import { runListClient } from './run_list_client.js';
import { resolveInside } from './safe_path.js';

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;
/** How often the run list page fetches the list again. */
export const LIST_REFRESH_MS = 2000;

export interface ServeOptions {
  /** The results folder served. */
  root: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
}

export interface DashboardServer {
  app: FastifyInstance;
  /** e.g. http://127.0.0.1:8080/ */
  url: string;
  close(): Promise<void>;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.json': 'application/json; charset=utf-8', '.jsonl': 'application/x-ndjson; charset=utf-8', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.html': 'text/html; charset=utf-8', '.txt': 'text/plain; charset=utf-8', '.log': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8', '.bin': 'application/octet-stream',
};

function listPage(root: string): string {
  const runs = listRuns(root);
  const body = `<h1>evometa runs in ${escapeXml(root)}</h1>
<p class="muted"><span id="run-count"></span>; the list refreshes every ${LIST_REFRESH_MS / 1000} s. Open a run for its dashboard, or tick several and
<button id="compare" type="button">compare</button></p>
<table class="facts"><thead><tr><th></th><th>run</th><th>task</th><th>strategy</th><th>state</th><th>best f</th><th>evaluations</th><th>generations</th></tr></thead>
<tbody id="run-rows"></tbody></table>
<script type="application/json" id="runs-data">${scriptJson(runs)}</script>
${pageScript(runListClient, LIST_REFRESH_MS)}`;
  return pageShell(`evometa runs: ${root}`, '', body);
}

/** The `run` query values as run folder paths; a name that is not a run folder of `root` is a 403 or 404. */
function runDirs(root: string, query: unknown, reply: FastifyReply): string[] | null {
  const raw = (query as { run?: string | string[] }).run;
  const names = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  if (!names.length) {
    void reply.code(404).type('text/plain').send('name a run: ?run=NAME (repeat run= to overlay several)');
    return null;
  }
  const dirs: string[] = [];
  for (const name of names) {
    const r = resolveInside(root, name);
    if (!r.ok || name.includes('/') || !statSync(r.path).isDirectory()) {
      void reply.code(r.ok ? 404 : r.status).type('text/plain').send(r.ok ? `not a run folder: ${name}` : r.reason);
      return null;
    }
    dirs.push(r.path);
  }
  return dirs;
}

export async function startDashboardServer(options: ServeOptions): Promise<DashboardServer> {
  const root = resolve(options.root);
  const streams = new Set<LiveStream>();
  // Paths under /files/ can be long (a run folder, a replay folder inside it, a file): fastify's limit is 100 characters.
  const app = Fastify({ logger: false, forceCloseConnections: true, routerOptions: { maxParamLength: 4096 } });

  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return reply.code(405).header('allow', 'GET, HEAD').type('text/plain').send('read-only: GET only');
  });
  app.addHook('onSend', async (_request, reply) => {
    void reply.header('x-content-type-options', 'nosniff');
  });
  // A folder that is not a run (a manifest missing or damaged) is named in one line, as on the command line.
  app.setErrorHandler(async (error, _request, reply) => {
    const usage = error instanceof UsageError;
    return reply.code(usage ? 404 : 500).type('text/plain').send(usage ? error.message : `internal error: ${(error as Error).message}`);
  });
  app.addHook('onClose', async () => {
    for (const s of [...streams]) s.close();
  });

  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(listPage(root)));
  app.get('/api/runs', async () => ({ root, runs: listRuns(root) }));
  app.get('/dashboard', async (request, reply) => {
    const dirs = runDirs(root, request.query, reply);
    if (!dirs) return reply;
    const query = new URL(request.url, 'http://x').search;
    return reply.type('text/html; charset=utf-8').send(dashboardPage(dashboardData(dirs), { events: `events${query}`, back: { href: './', label: '← all runs' } }));
  });
  app.get('/api/dashboard', async (request, reply) => {
    const dirs = runDirs(root, request.query, reply);
    return dirs ? dashboardData(dirs) : reply;
  });
  app.get('/events', (request, reply) => {
    const dirs = runDirs(root, request.query, reply);
    if (!dirs) return reply;
    reply.hijack();
    const stream = streamDashboard(reply.raw, dirs, () => streams.delete(stream));
    streams.add(stream);
    return undefined;
  });
  app.get('/files/*', async (request, reply) => {
    const r = resolveInside(root, (request.params as { '*': string })['*']);
    if (!r.ok) return reply.code(r.status).type('text/plain').send(r.reason);
    if (!statSync(r.path).isFile()) return reply.code(404).type('text/plain').send('not a file');
    return reply.type(CONTENT_TYPES[extname(r.path).toLowerCase()] ?? 'text/plain; charset=utf-8').send(createReadStream(r.path));
  });

  await app.listen({ host: options.host ?? DEFAULT_HOST, port: options.port ?? DEFAULT_PORT });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const host = options.host ?? DEFAULT_HOST;
  return { app, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`, close: () => app.close() };
}
