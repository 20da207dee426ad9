import { BullModule } from '@nestjs/bullmq';
import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { ReferenceModule } from '../reference/reference.module';
import { MailProcessor } from './mail.processor';
import { MailTransport } from './mail-transport';
import { MAIL_QUEUE, NotificationMail } from './notification-mail.service';

/**
 * Notifications that reach people: mail at once or in a daily digest (the `mail` queue), the
 * readers' preferences, calendar feeds and the live unread count. The notifications themselves
 * are stored by the deadlines module's `notify` outbox handler; this module hangs off it (found
 * in the application, not imported: the deadlines module is registered once, by the app).
 * `workers: true` also runs the mail worker (as DeadlinesModule does for its queues).
 */
@Module({})
export class NotificationDeliveryModule {
  static register(options: { workers: boolean }): DynamicModule {
    const workerProviders: Provider[] = options.workers ? [MailProcessor] : [];
    return {
      module: NotificationDeliveryModule,
      imports: [ReferenceModule, BullModule.registerQueue({ name: MAIL_QUEUE })],
      providers: [MailTransport, NotificationMail, ...workerProviders],
      exports: [NotificationMail],
    };
  }
}
