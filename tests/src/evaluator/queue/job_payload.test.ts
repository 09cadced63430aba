import test from 'ava';
import type { EvalJob } from '../../../../src/evaluator/protocol.js';
import { decodeJob, decodeResult, encodeJob, encodeResult } from '../../../../src/evaluator/queue/job_payload.js';

const job: EvalJob = {
  genomeKind: 'vector',
  genomeConfig: { dim: 2 },
  task: { name: 'sphere', config: {} },
  generation: 3,
  items: [{ index: 0, genome: [1, -0], wants: 'fitness', seed: 42 }],
  batched: false,
  seed: 42,
  timeoutMs: 1000,
  backend: 'auto',
};

test('a job and a result cross as text and come back equal', (t) => {
  const back = decodeJob(encodeJob(job));
  t.deepEqual(back, job);
  t.true(Object.is((back.items[0]!.genome as number[])[1], -0));
  const r = decodeResult(encodeResult({ results: [{ status: 'nan', fitness: Number.NaN, error: 'fitness is NaN' }], wallMs: 1, backend: null, worker: 'h:1' }), 'c0j0');
  t.true(Number.isNaN(r.results[0]!.fitness));
  t.is(r.worker, 'h:1');
});

test('the size is checked before the text is parsed', (t) => {
  const big = { payload: `{"x":"${'a'.repeat(5000)}"}` };
  t.throws(() => decodeJob(big, 1024), { message: /job payload of 5008 characters exceeds this worker's limit of 1024 \(--max-job-bytes\)/ });
});

test('each malformed field is named', (t) => {
  const bad = (patch: Record<string, unknown>) => ({ payload: JSON.stringify({ ...job, ...patch }) });
  t.throws(() => decodeJob({ nope: 1 }), { message: "job data has no text 'payload'; it was not put on the queue by evometa" });
  t.throws(() => decodeJob({ payload: '{oops' }), { message: /job payload is not JSON/ });
  t.throws(() => decodeJob(bad({ genomeKind: 5 })), { message: "job field 'genomeKind' is not a name" });
  t.throws(() => decodeJob(bad({ task: 'sphere' })), { message: "job field 'task' is not { name, config }" });
  t.throws(() => decodeJob(bad({ seed: -1 })), { message: "job field 'seed' is not a 32-bit unsigned integer" });
  t.throws(() => decodeJob(bad({ backend: 'cuda' })), { message: /job field 'backend' is not one of auto, / });
  t.throws(() => decodeJob(bad({ items: [] })), { message: "job field 'items' is not a list of 1 to 4096 candidates" });
  t.throws(() => decodeJob(bad({ items: [{ index: 0, genome: [1], wants: 'all', seed: 1 }] })), { message: "job field 'items[0].wants' is not 'fitness' or 'fitness+grad'" });
  t.throws(() => decodeJob(bad({ timeoutMs: 0 })), { message: "job field 'timeoutMs' is not a number in (0, 1e9]" });
});

test('a result that is not evometa\'s is an error naming the job', (t) => {
  t.throws(() => decodeResult({ x: 1 }, 'c1j2'), { message: 'job c1j2: its worker returned no evometa result' });
  t.throws(() => decodeResult({ payload: '{"results":5}' }, 'c1j2'), { message: 'job c1j2: its worker returned a damaged result' });
});
