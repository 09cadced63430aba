/**
 * Live dashboards by server-sent events: each open page gets a `dashboard` event with fresh DashboardData as soon as
 * one of its runs writes (generations.jsonl, best.json, summary.json or its run lock changes). The files are polled
 * (a stat every POLL_MS) rather than watched: inotify misses writes on network and container file systems, and a
 * stat of four files is cheap.
 */
import type { ServerResponse } from 'node:http';
import { dashboardData } from '../report/html/dashboard_data.js';
import { runFingerprint } from './run_list.js';

/** How often the run folders are checked; well under the 2 s in which a new generation should show. */
export const POLL_MS = 200;
/** A comment line this often keeps proxies and the browser from closing an idle stream. */
export const KEEPALIVE_MS = 15_000;

export interface LiveStream {
  close(): void;
}

/** Streams updates of the run folders `dirs` to `res` until the client goes away or close() is called. */
export function streamDashboard(res: ServerResponse, dirs: readonly string[], onClose: () => void): LiveStream {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-content-type-options': 'nosniff' });
  let last = '';
  let closed = false;
  const send = () => {
    const print = dirs.map(runFingerprint).join('\n');
    if (print === last) return;
    last = print;
    let payload: string;
    try {
      payload = JSON.stringify(dashboardData(dirs));
    } catch (e) {
      // A run folder caught mid-rename (or deleted): say so and try again on the next change.
      res.write(`event: problem\ndata: ${JSON.stringify((e as Error).message)}\n\n`);
      return;
    }
    res.write(`event: dashboard\ndata: ${payload}\n\n`);
  };
  const poll = setInterval(send, POLL_MS);
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEPALIVE_MS);
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(poll);
    clearInterval(keepAlive);
    res.end();
    onClose();
  };
  res.on('close', close);
  send();
  return { close };
}
