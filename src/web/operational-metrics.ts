import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import { Counter, Gauge, Histogram } from 'prom-client';
import { DataSource } from 'typeorm';
import { DEADLINES_QUEUE, WEBHOOKS_QUEUE } from '../deadlines/deadline-jobs';
import { EXPORTS_QUEUE } from '../documents/exports/export-jobs';
import type { JobMetricsHook, JobOutcome } from '../deadlines/job-metrics.port';
import { CLOCK, type Clock } from '../infra/clock';
import { EngineMetrics } from './engine-metrics';

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized'] as const;

/**
 * What an operator watches besides the engine's counters, in the same registry: HTTP request
 * durations by route, BullMQ queue depths and job outcomes, open overdue deadlines and the
 * outbox lag. Gauges read from PostgreSQL and Redis are computed when scraped.
 */
@Injectable()
export class OperationalMetrics implements JobMetricsHook {
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly jobs: Counter<'queue' | 'outcome'>;

  constructor(
    metrics: EngineMetrics,
    @InjectDataSource() ds: DataSource,
    @Inject(CLOCK) clock: Clock,
    @InjectQueue(DEADLINES_QUEUE) deadlines: Queue,
    @InjectQueue(WEBHOOKS_QUEUE) webhooks: Queue,
    @InjectQueue(EXPORTS_QUEUE) exports: Queue,
  ) {
    const registers = [metrics.registry];
    this.httpDuration = new Histogram({
      name: 'amendflow_http_request_duration_seconds',
      help: 'HTTP requests by method, route pattern (not the concrete path) and status code',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.jobs = new Counter({
      name: 'amendflow_queue_jobs_total',
      help: 'BullMQ jobs finished by this process, by queue and outcome (failed = an attempt failed)',
      labelNames: ['queue', 'outcome'] as const,
      registers,
    });
    new Gauge({
      name: 'amendflow_queue_jobs',
      help: 'BullMQ jobs by queue and state (computed on scrape)',
      labelNames: ['queue', 'state'] as const,
      registers,
      async collect() {
        for (const queue of [deadlines, webhooks, exports]) {
          const counts = await queue.getJobCounts(...QUEUE_STATES);
          for (const state of QUEUE_STATES) this.set({ queue: queue.name, state }, counts[state] ?? 0);
        }
      },
    });
    new Gauge({
      name: 'amendflow_deadlines_overdue',
      help: 'Open deadlines whose due time has passed (computed on scrape)',
      registers,
      async collect() {
        const [row] = await ds.query<{ n: number }[]>(
          `SELECT count(*)::int AS n FROM deadline WHERE status = 'open' AND due_at < $1`,
          [clock.now()],
        );
        this.set(row?.n ?? 0);
      },
    });
    new Gauge({
      name: 'amendflow_outbox_lag_seconds',
      help: 'Age of the oldest unprocessed outbox message (deadline scheduling, notifications, child procedures); 0 when none waits',
      registers,
      async collect() {
        const [row] = await ds.query<{ lag: number | null }[]>(
          `SELECT extract(epoch FROM ($1::timestamptz - min(available_at)))::float AS lag FROM outbox_message WHERE processed_at IS NULL AND available_at <= $1`,
          [clock.now()],
        );
        this.set(Math.max(0, Number(row?.lag ?? 0)));
      },
    });
  }

  httpRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status: String(status) }, seconds);
  }

  jobFinished(queue: string, outcome: JobOutcome): void {
    this.jobs.inc({ queue, outcome });
  }
}
