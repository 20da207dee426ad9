import { BullModule } from '@nestjs/bullmq';
import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { EngineModule } from '../engine/engine.module';
import { ReferenceModule } from '../reference/reference.module';
import { CalendarFeed } from './calendar-feed.service';
import { MailProcessor } from './mail.processor';
import {
  CalendarController,
  NotificationSettingsController,
  NotificationStreamController,
} from './notification-settings.controller';
import { NotificationStream } from './notification-stream.service';
import { NotificationSettings } from './notification-settings.service';
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
      imports: [ReferenceModule, EngineModule, BullModule.registerQueue({ name: MAIL_QUEUE })],
      controllers: [NotificationSettingsController, NotificationStreamController, CalendarController],
      providers: [
        MailTransport,
        NotificationMail,
        NotificationSettings,
        CalendarFeed,
        NotificationStream,
        ...workerProviders,
      ],
      exports: [NotificationMail],
    };
  }
}
