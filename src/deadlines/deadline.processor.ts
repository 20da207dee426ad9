import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, type OnApplicationBootstrap, Optional } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JOB_METRICS, type JobMetricsHook } from './job-metrics.port';
import { DEADLINES_QUEUE, type DeadlineJobData } from './deadline-jobs';
import { DeadlineDelivery } from './deadline-delivery.service';
import { DEADLINE_SETTINGS, type DeadlineSettings } from './deadline-settings';

/** The BullMQ worker of the `deadlines` queue (registered only where workers run). */
@Processor(DEADLINES_QUEUE)
export class DeadlineProcessor extends WorkerHost implements OnApplicationBootstrap {
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
    this.worker.concurrency = this.settings.deadlineConcurrency;
  }

  process(job: Job<DeadlineJobData>, token?: string): Promise<string> {
    return this.delivery.handle(job, token);
  }
}
