/**
 * The port through which the queue processors report finished jobs. The deadlines module
 * declares it; the metrics side (src/web) implements it. Optional: without a provider the
 * processors count nothing.
 */
export const JOB_METRICS = Symbol('JOB_METRICS');

export type JobOutcome = 'completed' | 'failed';

export interface JobMetricsHook {
  jobFinished(queue: string, outcome: JobOutcome): void;
}
