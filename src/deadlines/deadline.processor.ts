import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import { DEADLINES_QUEUE, type DeadlineJobData } from './deadline-jobs';
import { DeadlineDelivery } from './deadline-delivery.service';
import { DEADLINE_SETTINGS, type DeadlineSettings } from './deadline-settings';

/** The BullMQ worker of the `deadlines` queue (registered only where workers run). */
@Processor(DEADLINES_QUEUE)
export class DeadlineProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly delivery: DeadlineDelivery,
    @Inject(DEADLINE_SETTINGS) private readonly settings: DeadlineSettings,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.settings.deadlineConcurrency;
  }

  process(job: Job<DeadlineJobData>, token?: string): Promise<string> {
    return this.delivery.handle(job, token);
  }
}
