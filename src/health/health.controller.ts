import { Controller, Get, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, TypeOrmHealthIndicator, type HealthCheckResult } from '@nestjs/terminus';
import { Public } from '../auth/public.decorator';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { ApiErrors } from '../common/openapi';
import { HealthReportDto, LivenessDto } from './health-responses.dto';
import { Readiness } from './readiness';
import { RedisHealthIndicator } from './redis.health';

@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly redis: RedisHealthIndicator,
    private readonly readiness: Readiness,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process runs and answers (no dependency is checked)' })
  @ApiOkResponse({ type: LivenessDto, description: 'The process answers' })
  @ApiErrors({
    status: 400,
    description: 'INVALID_PAYLOAD: the request cannot be read (e.g. a body that does not decompress)',
  })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: PostgreSQL and Redis answer and the process is not shutting down' })
  @ApiOkResponse({ type: HealthReportDto, description: 'Ready for traffic' })
  @ApiErrors({ status: 503, description: 'UNAVAILABLE: shutting down, or PostgreSQL or Redis does not answer' })
  async ready(): Promise<HealthCheckResult> {
    if (!this.readiness.ready) {
      throw new DomainException(ErrorCode.UNAVAILABLE, 'Not ready: this process is shutting down', {
        status: 'shutting_down',
      });
    }
    return this.check();
  }

  @Get()
  @ApiOperation({ summary: 'Liveness and dependencies: PostgreSQL and Redis' })
  @ApiOkResponse({ type: HealthReportDto, description: 'PostgreSQL and Redis answer' })
  @ApiErrors({
    status: 503,
    description: 'UNAVAILABLE: PostgreSQL or Redis does not answer; `details` has the per-dependency report',
  })
  async check(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([
        () => this.db.pingCheck('database', { timeout: 1500 }),
        () => this.redis.pingCheck('redis', 1500),
      ]);
    } catch (err) {
      if (err instanceof ServiceUnavailableException) {
        const report = err.getResponse() as HealthCheckResult;
        const down = Object.keys(report.error ?? {});
        throw new DomainException(
          ErrorCode.UNAVAILABLE,
          `Unhealthy: ${down.length ? down.join(' and ') : 'a dependency'} ${down.length > 1 ? 'do' : 'does'} not answer`,
          report,
        );
      }
      throw err;
    }
  }
}
