/**
 * An evaluator whose module is imported when first needed: the queue evaluator's client libraries (BullMQ, ioredis)
 * take about half a second to import, which a program that never uses a queue should not pay.
 */
import type { EvalJob, Evaluator, JobResult } from './protocol.js';

export class DeferredEvaluator implements Evaluator {
  private readonly inner: Promise<Evaluator>;

  constructor(
    make: () => Promise<Evaluator>,
    readonly workers: number,
  ) {
    this.inner = make();
    // A failure is reported by the first evaluate or close, not as an unhandled rejection.
    this.inner.catch(() => {});
  }

  async evaluate(jobs: readonly EvalJob[]): Promise<JobResult[]> {
    return (await this.inner).evaluate(jobs);
  }

  async close(): Promise<void> {
    await (await this.inner).close();
  }
}
