/**
 * `evometa worker --redis URL [--concurrency N] [--plugin MODULE]... [--backend B]`: a long-running process, on any
 * host that reaches the Redis server, that evaluates the jobs of every queue run whose task and genome kind it knows.
 */
import { availableParallelism } from 'node:os';
import { parseOptionValue, type OptionSpec } from '../engine/run_config.js';
import type { BackendRequest } from '../runtime/backend_names.js';
import type { Command, ParsedArgs } from './command.js';
import { BACKEND, PLUGIN, REDIS, withHelp } from './options.js';
import { UsageError } from '../core/errors.js';

const CONCURRENCY: OptionSpec<string> = { flag: 'concurrency', key: 'concurrency', kind: 'int', min: 1, max: 256, help: 'jobs evaluated at once, each in its own worker thread (default: number of cores)' };
const LOCK_MS: OptionSpec<string> = { flag: 'lock-ms', key: 'lockMs', kind: 'int', value: 'MS', min: 500, max: 3_600_000, help: "how long a job stays this worker's after it stops answering: a worker killed mid-job gives its job back after this (default 30000)" };
const MAX_JOB_BYTES: OptionSpec<string> = { flag: 'max-job-bytes', key: 'maxJobBytes', kind: 'int', value: 'N', min: 1024, max: 2 ** 30, help: 'refuse a job whose payload is larger than this (default 8388608)' };
const HEAP: OptionSpec<string> = { flag: 'worker-heap-mb', key: 'workerHeapMb', kind: 'int', value: 'MB', min: 16, max: 1048576, help: 'heap limit of each thread in MB (default: half the memory shared by the threads)' };

export const workerCommand: Command = {
  name: 'worker',
  summary: 'evaluate the jobs of queue runs (search --redis) from any host, until stopped',
  usage: '--redis URL [--concurrency N] [--plugin MODULE]... [--backend NAME]',
  description:
    'Serves every run announced on the Redis server whose task and genome kind this worker knows (the built-ins and the ' +
    'plug-ins given here; a job is never loaded as code). Each job runs in a thread, as with --workers. Ctrl-C (or ' +
    'SIGTERM) finishes the jobs in hand and leaves; a worker killed outright loses its jobs to the others after --lock-ms.',
  positionals: [],
  groups: [
    {
      title: 'options',
      options: [
        withHelp(REDIS, 'the Redis server of the runs (redis://[:password@]host:port, rediss:// for TLS; NODE_EXTRA_CA_CERTS for a private CA)'),
        CONCURRENCY,
        withHelp(PLUGIN, 'a module adding tasks, genome kinds or strategies, as the runs were started with; repeatable'),
        withHelp(BACKEND, "TensorFlow.js backend for jobs that ask for 'auto' (default: auto, as a search's own threads)"),
        LOCK_MS,
        MAX_JOB_BYTES,
        HEAP,
      ],
    },
  ],
  run: worker,
};

async function worker(args: ParsedArgs): Promise<void> {
  const flag = <T>(o: OptionSpec<string>): T | undefined => (args.flags[o.flag] === undefined ? undefined : (parseOptionValue(o, args.flags[o.flag]) as T));
  const url = flag<string>(REDIS);
  if (url === undefined) throw new UsageError('worker needs --redis URL: the Redis server the searches put their jobs on');
  const { parseRedisUrl } = await import('../evaluator/queue/redis_url.js');
  const target = parseRedisUrl(url);
  const concurrency = flag<number>(CONCURRENCY) ?? availableParallelism();
  const backend = flag<BackendRequest>(BACKEND);
  const { loadRegistry, threadPool } = await import('../plugins.js');
  const registry = await loadRegistry(args.lists['plugin'] ?? []);
  await (await import('../evaluator/queue/cluster_status.js')).requireRedis(target);
  const { QueueWorkerService } = await import('../evaluator/queue/queue_worker.js');
  const lockMs = flag<number>(LOCK_MS);
  const maxJobBytes = flag<number>(MAX_JOB_BYTES);
  const service = new QueueWorkerService({
    target,
    registry,
    evaluator: threadPool(registry, concurrency, flag<number>(HEAP)),
    concurrency,
    ...(backend && backend !== 'auto' ? { backend } : {}),
    ...(lockMs !== undefined ? { lockMs } : {}),
    ...(maxJobBytes !== undefined ? { maxJobBytes } : {}),
    log: (line) => process.stderr.write(`evometa worker: ${line}\n`),
  });
  await service.start();
  process.stderr.write(`evometa worker ${service.id}: serving ${target.shown} with ${concurrency} thread${concurrency === 1 ? '' : 's'}; tasks: ${Object.keys(registry.tasks).length}, plug-ins: ${registry.plugins.join(', ') || 'none'}\n`);
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      process.stderr.write(`evometa worker: ${signal}: finishing the jobs in hand\n`);
      void service.stop().then(resolve, resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}
