import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import { RUNTIME, type Runtime } from '../infra/runtime';
import { MAIL_QUEUE, NotificationMail, type MailJobData } from './notification-mail.service';

/** The BullMQ worker of the `mail` queue: one mail, one digest, or the hourly digest look (registered only where workers run). */
@Processor(MAIL_QUEUE)
export class MailProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly mail: NotificationMail,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.runtime.env.MAIL_CONCURRENCY;
  }

  async process(job: Job<MailJobData>): Promise<string> {
    const attempt = job.attemptsMade + 1;
    const attempts = job.opts.attempts ?? 1;
    const d = job.data;
    if ('notificationId' in d) return this.mail.sendNotification(d.notificationId, attempt, attempts);
    if ('digestId' in d) return this.mail.sendDigest(d.digestId, attempt, attempts);
    return `${await this.mail.digestTick()} digest(s) queued`;
  }
}
