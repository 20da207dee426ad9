import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, type OnApplicationBootstrap, Optional } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JOB_METRICS, type JobMetricsHook } from './job-metrics.port';
import { DEADLINES_QUEUE, type DeadlineJobData } from './deadline-jobs';
import { DeadlineDelivery } from './deadline-delivery.service';
import { DEADLINE_SETTINGS, type DeadlineSettings } from './deadline-settings';

/** Jobs that fire within this window of the first one are delivered together. */
export const GROUP_WINDOW_MS = 5;
/** At most this many jobs per group (one engine transaction). */
export const GROUP_MAX = 25;

interface Pending {
  job: Job<DeadlineJobData>;
  token?: string;
  resolve: (result: string) => void;
  reject: (err: Error) => void;
}

/**
 * The BullMQ worker of the `deadlines` queue (registered only where workers run). BullMQ hands jobs
 * over one by one (it has no batches in its open-source version); the processor collects the jobs
 * that fire within GROUP_WINDOW_MS of each other (up to GROUP_MAX) into a group that
 * DeadlineDelivery.handleGroup delivers with one read and one transaction, while each job keeps
 * its own lock, result, retries and failure in BullMQ. At most DEADLINE_CONCURRENCY groups run at
 * once (each holds one database connection); the worker takes up to GROUP_MAX jobs per group slot.
 */
@Processor(DEADLINES_QUEUE)
export class DeadlineProcessor extends WorkerHost implements OnApplicationBootstrap {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | null = null;
  private running = 0;
  private readonly ready: Pending[][] = [];

  constructor(
    private readonly delivery: DeadlineDelivery,
    @Inject(DEADLINE_SETTINGS) private readonly settings: DeadlineSettings,
    @Optional() @Inject(JOB_METRICS) private readonly metrics: JobMetricsHook | null,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.on('completed', () => this.metrics?.jobFinished(DEADLINES_QUEUE, 'completed'));
    this.worker.on('failed', () => this.metrics?.jobFinished(DEADLINES_QUEUE, 'failed'));
    this.worker.concurrency = this.settings.deadlineConcurrency * GROUP_MAX;
  }

  process(job: Job<DeadlineJobData>, token?: string): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      this.pending.push({ job, token, resolve, reject });
      if (this.pending.length >= GROUP_MAX) this.cut();
      else this.timer ??= setTimeout(() => this.cut(), GROUP_WINDOW_MS);
    });
  }

  /** Closes the group being collected and runs it when a group slot is free. */
  private cut(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.pending.length) return;
    this.ready.push(this.pending);
    this.pending = [];
    this.drain();
  }

  private drain(): void {
    while (this.running < this.settings.deadlineConcurrency && this.ready.length) {
      const group = this.ready.shift()!;
      this.running++;
      void this.run(group).finally(() => {
        this.running--;
        this.drain();
      });
    }
  }

  private async run(group: Pending[]): Promise<void> {
    let results: (string | Error)[];
    try {
      results = await this.delivery.handleGroup(group.map(({ job, token }) => ({ job, token })));
    } catch (err) {
      const e = err instanceof Error ? err : new Error(String(err));
      results = group.map(() => e);
    }
    group.forEach((p, i) => {
      const r = results[i];
      if (r instanceof Error) p.reject(r);
      else p.resolve(r);
    });
  }
}
