import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, type OnApplicationBootstrap, Optional } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JOB_METRICS, type JobMetricsHook } from './job-metrics.port';
import { WEBHOOKS_QUEUE } from './deadline-jobs';
import { DEADLINE_SETTINGS, type DeadlineSettings } from './deadline-settings';
import type { WebhookJobData } from './notifications.service';
import { WebhooksService } from './webhooks.service';

/** The BullMQ worker of the `webhooks` queue (registered only where workers run). */
@Processor(WEBHOOKS_QUEUE)
export class WebhookProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly webhooks: WebhooksService,
    @Inject(DEADLINE_SETTINGS) private readonly settings: DeadlineSettings,
    @Optional() @Inject(JOB_METRICS) private readonly metrics: JobMetricsHook | null,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.on('completed', () => this.metrics?.jobFinished(WEBHOOKS_QUEUE, 'completed'));
    this.worker.on('failed', () => this.metrics?.jobFinished(WEBHOOKS_QUEUE, 'failed'));
    this.worker.concurrency = this.settings.webhookConcurrency;
  }

  process(job: Job<WebhookJobData>): Promise<string> {
    return this.webhooks.deliver(job);
  }
}
