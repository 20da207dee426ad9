import { BullModule } from '@nestjs/bullmq';
import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { EngineModule } from '../engine/engine.module';
import { RUNTIME, type Runtime } from '../infra/runtime';
import { ReferenceModule } from '../reference/reference.module';
import { BullBoardMount } from './bull-board';
import { DeadlineDelivery } from './deadline-delivery.service';
import { DEADLINES_QUEUE, WEBHOOKS_QUEUE } from './deadline-jobs';
import { DeadlineReconciler, RECONCILE_AUTOMATICALLY } from './deadline-reconciler.service';
import { DeadlineScheduler } from './deadline-scheduler.service';
import { DEADLINE_SETTINGS, deadlineSettingsOf } from './deadline-settings';
import { DeadlineProcessor } from './deadline.processor';
import { DeadlinesAdminController } from './deadlines-admin.controller';
import { NotificationsController, WebhooksController } from './notifications.controller';
import { NotificationsService } from './notifications.service';
import { WebhookProcessor } from './webhook.processor';
import { WebhooksService } from './webhooks.service';

/**
 * Deadlines, reminders and notifications: the `deadlines` and `webhooks` queues, the outbox
 * handlers `deadline.sync` and `notify`, the reconciler (also POST /admin/deadlines/reconcile),
 * /notifications, /webhooks and Bull Board at /admin/queues. `workers: true` also registers the BullMQ workers and reconciles at start and
 * periodically (the API with WORKERS_IN_PROCESS=true, and `npm run start:worker`).
 */
@Module({})
export class DeadlinesModule {
  static register(options: { workers: boolean }): DynamicModule {
    const workerProviders: Provider[] = options.workers ? [DeadlineProcessor, WebhookProcessor] : [];
    return {
      module: DeadlinesModule,
      imports: [
        EngineModule,
        AuthModule,
        ReferenceModule,
        BullModule.registerQueue({ name: DEADLINES_QUEUE }, { name: WEBHOOKS_QUEUE }),
      ],
      controllers: [NotificationsController, WebhooksController, DeadlinesAdminController],
      providers: [
        { provide: DEADLINE_SETTINGS, inject: [RUNTIME], useFactory: (rt: Runtime) => deadlineSettingsOf(rt.env) },
        { provide: RECONCILE_AUTOMATICALLY, useValue: options.workers },
        DeadlineScheduler,
        DeadlineDelivery,
        DeadlineReconciler,
        NotificationsService,
        WebhooksService,
        BullBoardMount,
        ...workerProviders,
      ],
      exports: [DeadlineScheduler, DeadlineReconciler, DeadlineDelivery, NotificationsService, WebhooksService],
    };
  }
}
