import { Global, Module } from '@nestjs/common';
import { ENGINE_METRICS } from '../engine/engine-metrics.port';
import { EngineMetrics } from './engine-metrics';
import { MetricsController } from './metrics.controller';
import { WebController } from './web.controller';

/**
 * The web application (static files at /app/) and /metrics. Global so the workflow engine can
 * find its optional ENGINE_METRICS hook without importing this module.
 */
@Global()
@Module({
  controllers: [WebController, MetricsController],
  providers: [EngineMetrics, { provide: ENGINE_METRICS, useExisting: EngineMetrics }],
  exports: [ENGINE_METRICS, EngineMetrics],
})
export class WebModule {}
