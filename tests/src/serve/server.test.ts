/** `evometa serve`'s server over real HTTP: the run list and states, read-only, nothing outside the folder, live events. */
import test from 'ava';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { startDashboardServer, type DashboardServer } from '../../../src/serve/server.js';
import { tempDir } from '../../helpers/run_files.js';
import { appendGeneration, writeFixtureRun } from '../report/html/fixture_runs.js';

interface Reply {
  status: number;
  type: string;
  body: string;
}

/** A request with the path sent exactly as given (no client-side normalisation of `..`). */
function send(server: DashboardServer, path: string, method = 'GET'): Promise<Reply> {
  const { hostname, port } = new URL(server.url);
  return new Promise((done, fail) => {
    const req = request({ host: hostname, port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => done({ status: res.statusCode!, type: String(res.headers['content-type']), body }));
    });
    req.on('error', fail);
    req.end();
  });
}

/** A results folder: finished, running (a lock held by this process) and stopped runs, and things that are not runs. */
function results() {
  const outside = tempDir();
  writeFixtureRun(outside, 'elsewhere');
  writeFileSync(join(outside, 'secret.txt'), 'secret');
  const root = tempDir();
  writeFixtureRun(root, 'fin', { finished: true, generations: 30 });
  writeFixtureRun(root, 'live', { running: true, generations: 4 });
  writeFixtureRun(root, 'dead', { generations: 7 });
  mkdirSync(join(root, 'notes'));
  symlinkSync(join(outside, 'elsewhere'), join(root, 'escape'));
  return root;
}

const servers: DashboardServer[] = [];
test.after.always(async () => {
  for (const s of servers) await s.close();
});

async function serve(root: string): Promise<DashboardServer> {
  const s = await startDashboardServer({ root, port: 0 });
  servers.push(s);
  return s;
}

test('binds 127.0.0.1 by default and lists the runs with their state, best and evaluations', async (t) => {
  const server = await serve(results());
  t.regex(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const r = await send(server, '/api/runs');
  t.is(r.status, 200);
  const runs = JSON.parse(r.body).runs as { name: string; facts: any }[];
  t.deepEqual(runs.map((x) => [x.name, x.facts.state, x.facts.generations, x.facts.evaluations]), [['dead', 'failed', 7, 56], ['fin', 'finished', 30, 240], ['live', 'running', 4, 32]]);
  t.is(runs[1]!.facts.bestFitness, 10 ** (-29 / 4));
  const page = await send(server, '/');
  t.is(page.status, 200);
  t.regex(page.type, /^text\/html/);
  t.true(page.body.includes('"name":"live"'));
  const dash = await send(server, '/dashboard?run=fin&run=dead');
  t.is(dash.status, 200);
  t.regex(dash.body, /data-events="events\?run=fin&amp;run=dead"/);
  t.regex(dash.body, /<title>evometa: 2 runs<\/title>/);
});

test('serves files inside the folder only: .. (plain or encoded) and symlinks out get 403, unknown runs 404', async (t) => {
  const root = results();
  const server = await serve(root);
  t.like(await send(server, '/files/fin/best.json'), { status: 200, type: 'application/json; charset=utf-8' });
  for (const path of ['/files/../secret.txt', '/files/fin/../../secret.txt', '/files/%2e%2e/secret.txt', '/files/fin/%2E%2E%2F%2E%2E%2Fsecret.txt', '/files/escape/manifest.json', '/dashboard?run=..', '/dashboard?run=escape', '/events?run=../x', '/api/dashboard?run=escape'])
    t.is((await send(server, path)).status, 403, path);
  const deep = join('fin', 'replay-' + 'x'.repeat(120));
  mkdirSync(join(root, deep));
  writeFileSync(join(root, deep, 'replay.json'), '{}');
  t.like(await send(server, `/files/${deep}/replay.json`), { status: 200, body: '{}' }, 'a path longer than 100 characters');
  t.like(await send(server, '/files/fin/missing.json'), { status: 404, body: 'not found: fin/missing.json' });
  t.like(await send(server, '/dashboard?run=nope'), { status: 404 });
  const notRun = await send(server, '/dashboard?run=notes');
  t.is(notRun.status, 404);
  t.regex(notRun.body, /notes\/manifest\.json: manifest\.json is missing/);
  t.like(await send(server, '/dashboard'), { status: 404, body: 'name a run: ?run=NAME (repeat run= to overlay several)' });
});

test('read-only: any method but GET and HEAD is 405 and changes nothing', async (t) => {
  const root = results();
  const server = await serve(root);
  for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) t.like(await send(server, '/files/fin/best.json', method), { status: 405, body: 'read-only: GET only' }, method);
  t.true(existsSync(join(root, 'fin', 'best.json')));
  t.is((await send(server, '/files/fin/best.json', 'HEAD')).status, 200);
});

test('the event stream sends the run\'s data at once and again within 2 s of a new generation', async (t) => {
  const root = results();
  const server = await serve(root);
  const { hostname, port } = new URL(server.url);
  const events: { at: number; data: any }[] = [];
  let buffer = '';
  const req = request({ host: hostname, port, path: '/events?run=live' }, (res) => {
    t.regex(String(res.headers['content-type']), /^text\/event-stream/);
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split('\n').find((l) => l.startsWith('data: '));
        if (block.startsWith('event: dashboard') && data) events.push({ at: Date.now(), data: JSON.parse(data.slice(6)) });
      }
    });
  });
  req.on('error', () => {});
  req.end();
  const waitFor = async (n: number, ms: number) => {
    const until = Date.now() + ms;
    while (events.length < n && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  };
  await waitFor(1, 5000);
  t.is(events.length, 1);
  t.is(events[0]!.data.runs[0].facts.generations, 4);
  const written = Date.now();
  appendGeneration(join(root, 'live'), 4);
  await waitFor(2, 2000);
  req.destroy();
  t.is(events.length, 2, 'a second event after the write');
  t.is(events[1]!.data.runs[0].facts.generations, 5);
  t.deepEqual(events[1]!.data.runs[0].x.generation.slice(-2), [3, 4]);
  t.true(events[1]!.at - written < 2000, `${events[1]!.at - written} ms`);
});
