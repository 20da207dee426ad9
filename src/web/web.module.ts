import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { DEADLINES_QUEUE, WEBHOOKS_QUEUE } from '../deadlines/deadline-jobs';
import { JOB_METRICS } from '../deadlines/job-metrics.port';
import { EXPORTS_QUEUE } from '../documents/exports/export-jobs';
import { ENGINE_METRICS } from '../engine/engine-metrics.port';
import { EngineMetrics } from './engine-metrics';
import { MetricsController } from './metrics.controller';
import { MetricsListener } from './metrics-listener';
import { OperationalMetrics } from './operational-metrics';
import { WebController } from './web.controller';

/**
 * The web application (static files at /app/) and /metrics (on the API port, or on a listener of
 * its own with METRICS_PORT, which is how worker processes expose theirs). Global so the workflow
 * engine finds its optional ENGINE_METRICS hook and the queue processors their job counters
 * without importing this module.
 */
@Global()
@Module({
  imports: [BullModule.registerQueue({ name: DEADLINES_QUEUE }, { name: WEBHOOKS_QUEUE }, { name: EXPORTS_QUEUE })],
  controllers: [WebController, MetricsController],
  providers: [
    EngineMetrics,
    { provide: ENGINE_METRICS, useExisting: EngineMetrics },
    OperationalMetrics,
    { provide: JOB_METRICS, useExisting: OperationalMetrics },
    MetricsListener,
  ],
  exports: [ENGINE_METRICS, JOB_METRICS, EngineMetrics, OperationalMetrics, MetricsListener],
})
export class WebModule {}
