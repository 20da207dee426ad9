import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { Public } from '../auth/public.decorator';
import { CLOCK, type Clock } from '../infra/clock';
import { queryRows } from '../infra/sql';
import { EngineMetrics } from './engine-metrics';

/**
 * GET /metrics in the Prometheus text format, for operators' scrapers. Public (no bearer token):
 * it exposes counts and timings only, never a procedure, a person or a text.
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: EngineMetrics,
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    new Gauge({
      name: 'amendflow_deadlines_overdue',
      help: 'Open deadlines whose due time has passed (computed on scrape)',
      registers: [metrics.registry],
      async collect() {
        const [row] = await queryRows<{ n: number }>(
          ds,
          `SELECT count(*)::int AS n FROM deadline WHERE status = 'open' AND due_at < $1`,
          [clock.now()],
        );
        this.set(row.n);
      },
    });
    new Gauge({
      name: 'amendflow_outbox_lag_seconds',
      help: 'Age of the oldest unprocessed outbox message (deadline scheduling, notifications, child procedures); 0 when none waits',
      registers: [metrics.registry],
      async collect() {
        const [row] = await queryRows<{ lag: number | null }>(
          ds,
          `SELECT extract(epoch FROM ($1::timestamptz - min(available_at)))::float AS lag FROM outbox_message WHERE processed_at IS NULL AND available_at <= $1`,
          [clock.now()],
        );
        this.set(Math.max(0, Number(row?.lag ?? 0)));
      },
    });
  }

  @Get()
  @Public()
  @Header('Cache-Control', 'no-store')
  async scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
