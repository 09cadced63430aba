/** `evometa status --redis URL [--json]`: the queue workers that are alive, and the queue runs with their jobs. */
import { UsageError } from '../core/errors.js';
import { parseOptionValue } from '../engine/run_config.js';
import type { Command, ParsedArgs } from './command.js';
import { columns } from './layout.js';
import { JSON_SWITCH, REDIS, withHelp } from './options.js';

export const statusCommand: Command = {
  name: 'status',
  summary: 'the queue workers alive on a Redis server, and its runs with their queued jobs',
  usage: '--redis URL [--json]',
  description: 'Lists the `evometa worker` processes that sent a heartbeat in the last ten seconds (host, pid, threads, jobs done) and each announced run with its queue: waiting, active, finished jobs.',
  positionals: [],
  groups: [{ title: 'options', options: [withHelp(REDIS, 'the Redis server (redis://[:password@]host:port, rediss:// for TLS)'), JSON_SWITCH] }],
  run: status,
};

async function status(args: ParsedArgs): Promise<void> {
  const url = args.flags[REDIS.flag];
  if (url === undefined) throw new UsageError('status needs --redis URL: the Redis server to look at');
  const { parseRedisUrl } = await import('../evaluator/queue/redis_url.js');
  const target = parseRedisUrl(parseOptionValue(REDIS, url) as string);
  const { doesNotAnswer, readClusterStatus } = await import('../evaluator/queue/cluster_status.js');
  let s;
  try {
    s = await readClusterStatus(target);
  } catch (e) {
    throw new UsageError(doesNotAnswer(target, (e as Error).message));
  }
  if (args.switches.has('json')) {
    process.stdout.write(JSON.stringify(s) + '\n');
    return;
  }
  const out: string[] = [`redis: ${s.redis}`, `workers: ${s.workers.length}`];
  if (s.workers.length)
    out.push(...columns([['worker', 'threads', 'done', 'failed', 'active', 'runs', 'plug-ins'], ...s.workers.map((w) => [w.id, String(w.concurrency), String(w.jobsDone), String(w.jobsFailed), String(w.active), String(w.queues.length), w.plugins.join(' ') || '-'])], { indent: 2 }));
  out.push(`runs: ${s.runs.length}`);
  if (s.runs.length)
    out.push(...columns([['run', 'host', 'task', 'waiting', 'active', 'done', 'failed'], ...s.runs.map((r) => [r.runDir, `${r.host}:${r.pid}`, r.task, String(r.waiting), String(r.active), String(r.completed), String(r.failed)])], { indent: 2 }));
  process.stdout.write(out.join('\n') + '\n');
}
