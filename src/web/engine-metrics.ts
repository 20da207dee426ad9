import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EngineMetricsHook } from '../engine/engine-metrics.port';

/**
 * Prometheus registry of the service (one per application, so parallel test apps do not share
 * counters) with the engine's counters. Gauges read from the database are added by MetricsController.
 */
@Injectable()
export class EngineMetrics implements EngineMetricsHook {
  readonly registry = new Registry();

  private readonly applied = new Counter({
    name: 'amendflow_events_applied_total',
    help: 'Workflow events applied by the engine (replays of an idempotency key are not counted)',
    labelNames: ['definition', 'event'] as const,
    registers: [this.registry],
  });

  private readonly latency = new Histogram({
    name: 'amendflow_transition_duration_seconds',
    help: 'Time to apply one event: lock, transition, persist, deadlines and outbox, in one transaction',
    labelNames: ['definition'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'amendflow_' });
  }

  eventApplied(definitionId: string, eventType: string, seconds: number): void {
    this.applied.inc({ definition: definitionId, event: eventType });
    this.latency.observe({ definition: definitionId }, seconds);
  }
}
