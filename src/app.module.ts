import { BullModule } from '@nestjs/bullmq';
import { Module, type DynamicModule, type ModuleMetadata } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import { AuthModule } from './auth/auth.module';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { createValidationPipe } from './common/validation';
import { DocumentsModule } from './documents/documents.module';
import { DeadlinesModule } from './deadlines/deadlines.module';
import { HealthModule } from './health/health.module';
import { buildDataSourceOptions } from './infra/data-source';
import { createRootLogger, httpLoggerOptions } from './infra/logging';
import { RedisModule } from './infra/redis.module';
import { RUNTIME, type Runtime } from './infra/runtime';
import { RuntimeModule } from './infra/runtime.module';
import { ReferenceModule } from './reference/reference.module';
import { InstancesModule } from './instances/instances.module';
import { ApprovalsModule } from './approvals/approvals.module';
import { MonitoringModule } from './monitoring/monitoring.module';
import { NotificationDeliveryModule } from './notifications/notifications-delivery.module';
import { WebModule } from './web/web.module';
import { EvidenceModule, EvidenceWorkersModule } from './record/evidence.module';

/**
 * The application. Boot it with a resolved Runtime (see src/bootstrap.ts or
 * test/support/test-app.ts). Feature modules go in `imports` below.
 */
@Module({})
export class AppModule {
  /** `extra`: modules added last (test hooks providing optional ports such as ENGINE_FAULTS). */
  static forRoot(runtime: Runtime, extra: NonNullable<ModuleMetadata['imports']> = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        RuntimeModule.forRoot(runtime),
        LoggerModule.forRootAsync({
          inject: [RUNTIME],
          useFactory: (rt: Runtime) => ({ pinoHttp: httpLoggerOptions(rt.logger ?? createRootLogger(rt.env)) }),
        }),
        TypeOrmModule.forRootAsync({
          inject: [RUNTIME],
          useFactory: (rt: Runtime) => ({
            ...buildDataSourceOptions(rt.postgresUrl, {
              poolSize: rt.env.DB_POOL_SIZE,
              queryTimeoutMs: rt.env.DB_QUERY_TIMEOUT_MS,
            }),
            autoLoadEntities: true,
            retryAttempts: 2,
            retryDelay: 1000,
          }),
        }),
        RedisModule,
        BullModule.forRootAsync({
          inject: [RUNTIME],
          useFactory: (rt: Runtime) => ({
            connection: { url: rt.redisUrl },
            prefix: rt.env.REDIS_PREFIX,
          }),
        }),
        HealthModule,
        AuthModule,
        ReferenceModule,
        InstancesModule,
        DocumentsModule.register({ workers: runtime.env.WORKERS_IN_PROCESS }),
        DeadlinesModule.register({ workers: runtime.env.WORKERS_IN_PROCESS }),
        NotificationDeliveryModule.register({ workers: runtime.env.WORKERS_IN_PROCESS }),
        ApprovalsModule,
        MonitoringModule,
        WebModule,
        EvidenceModule,
        ...(runtime.env.WORKERS_IN_PROCESS ? [EvidenceWorkersModule] : []),
        ...extra,
      ],
      providers: [
        { provide: APP_FILTER, useClass: HttpExceptionFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
