/** What GET /health answers when every dependency is up, for the OpenAPI document. */
import { ApiExtraModels, ApiProperty, getSchemaPath } from '@nestjs/swagger';

export class DependencyStatusDto {
  @ApiProperty({ enum: ['up', 'down'] }) status!: 'up' | 'down';
}

const BY_DEPENDENCY = {
  type: 'object',
  additionalProperties: { $ref: getSchemaPath(DependencyStatusDto) },
  example: { database: { status: 'up' }, redis: { status: 'up' } },
} as const;

@ApiExtraModels(DependencyStatusDto)
export class HealthReportDto {
  @ApiProperty({ enum: ['ok'], description: 'ok: PostgreSQL and Redis answer (otherwise the answer is a 503)' })
  status!: 'ok';
  @ApiProperty({ ...BY_DEPENDENCY, description: 'The dependencies that answer' })
  info!: Record<string, DependencyStatusDto>;
  @ApiProperty({ ...BY_DEPENDENCY, description: 'The dependencies that do not (empty when healthy)' })
  error!: Record<string, DependencyStatusDto>;
  @ApiProperty({ ...BY_DEPENDENCY, description: 'Every dependency' })
  details!: Record<string, DependencyStatusDto>;
}

/** What GET /health/live answers: the process runs (no dependency is checked). */
export class LivenessDto {
  @ApiProperty({ enum: ['ok'] }) status!: 'ok';
}
