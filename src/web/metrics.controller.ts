import { Controller, Get, Header, Headers, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/public.decorator';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { RUNTIME, type Runtime } from '../infra/runtime';
import { EngineMetrics } from './engine-metrics';
import { metricsTokenMatches } from './metrics-access';

/**
 * GET /metrics in the Prometheus text format, for operators' scrapers. It exposes counts and
 * timings only, never a procedure, a person or a text. Guarded by METRICS_TOKEN when set; not
 * served here when METRICS_PORT moves it to a listener of its own; and in production not served
 * on the public port without one of the two.
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: EngineMetrics,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  @Get()
  @Public()
  @Header('Cache-Control', 'no-store')
  async scrape(@Headers('authorization') authorization: string | undefined, @Res() res: Response): Promise<void> {
    const { METRICS_TOKEN: token, METRICS_PORT: port, NODE_ENV: nodeEnv } = this.runtime.env;
    if (port !== undefined) {
      throw new DomainException(ErrorCode.NOT_FOUND, `Metrics are served on their own port (METRICS_PORT=${port})`);
    }
    if (!token && nodeEnv === 'production') {
      throw new DomainException(
        ErrorCode.NOT_FOUND,
        'Metrics are not served on the public port in production: set METRICS_TOKEN or METRICS_PORT',
      );
    }
    if (token && !metricsTokenMatches(token, authorization)) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      throw new DomainException(
        ErrorCode.UNAUTHENTICATED,
        'Send the metrics token: Authorization: Bearer <METRICS_TOKEN>',
      );
    }
    const text = await this.metrics.registry.metrics();
    res.setHeader('Content-Type', this.metrics.registry.contentType);
    res.send(Buffer.from(text)); // a Buffer: Express would rewrite the parameters of a string's Content-Type
  }
}
