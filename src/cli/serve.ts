/** `evometa serve [RESULTS_DIR] [--port P] [--host H]`: a local, read-only web page of the runs of a results folder. */
import { existsSync, statSync } from 'node:fs';
import { UsageError } from '../core/errors.js';
import type { OptionSpec } from '../engine/run_config.js';
import type { Command, ParsedArgs } from './command.js';
import { optionValues } from './options.js';

const PORT: OptionSpec<'port'> = { flag: 'port', key: 'port', kind: 'int', min: 0, max: 65535, value: 'P', help: 'TCP port (default 8080; 0 picks a free one)' };
const HOST: OptionSpec<'host'> = { flag: 'host', key: 'host', kind: 'string', value: 'ADDR', help: 'address to bind (default 127.0.0.1: this machine only; 0.0.0.0 opens it to the network)' };

export const serveCommand: Command = {
  name: 'serve',
  summary: 'a local web page of the runs of a results folder, each with its live dashboard',
  usage: '[RESULTS_DIR] [--port P] [--host ADDR]',
  description: 'Serves RESULTS_DIR (default results) read-only: a page listing its runs (task, strategy, running/finished/failed, best f, evaluations), each opening its dashboard, which updates within a second while the run writes generations.jsonl; tick several runs to overlay them. Only files inside RESULTS_DIR are served. Ctrl-C stops the server.',
  positionals: [{ name: 'RESULTS_DIR', required: false }],
  groups: [{ title: 'options', options: [PORT, HOST] }],
  run: serve,
};

async function serve(args: ParsedArgs): Promise<void> {
  const root = args.positional[0] ?? 'results';
  if (!existsSync(root)) throw new UsageError(`${root} not found; give the results folder that holds the run folders (default results)`);
  if (!statSync(root).isDirectory()) throw new UsageError(`${root} is a file; give the results folder that holds the run folders`);
  const o = optionValues(args, [PORT, HOST]);
  const { startDashboardServer, DEFAULT_HOST, DEFAULT_PORT } = await import('../serve/server.js');
  const port = (o.port as number | undefined) ?? DEFAULT_PORT;
  let server;
  try {
    server = await startDashboardServer({ root, host: (o.host as string | undefined) ?? DEFAULT_HOST, port });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new UsageError(`--port ${port} is in use; pick another port with --port (0 picks a free one)`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new UsageError(`--host ${String(o.host)} is not an address of this machine; leave it out for 127.0.0.1`);
    throw e;
  }
  process.stdout.write(`serving ${root} at ${server.url} (read-only; Ctrl-C stops)\n`);
  await new Promise<void>((done) => {
    const stop = () => void server.close().then(done);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
