import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsISO8601,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Min,
} from 'class-validator';
import { KeysetPageQuery } from '../common/keyset-page.dto';

export class StartInstanceDto {
  @ApiProperty({ example: 'model-memorandum-amendment', description: 'Definition id (GET /definitions lists them)' })
  @IsString()
  @Matches(/^[a-z][a-z0-9-]{1,63}$/, {
    message: 'definitionId must be a definition id such as model-memorandum-amendment',
  })
  definitionId!: string;

  @ApiProperty({
    description: "The definition's start input (see its inputSchema)",
    example: { proposedBy: 'Russian Federation', rationale: 'Align with the 2025 SCO partner status' },
  })
  @IsObject({ message: 'input must be an object' })
  input!: Record<string, unknown>;
}

export class SendEventDto {
  @ApiProperty({
    example: 'SUBMIT_FOR_REVIEW',
    description: 'An event the instance accepts now (see allowedEvents of GET /instances/:id)',
  })
  @IsString()
  @Matches(/^[A-Z][A-Z0-9_]{1,63}$/, { message: 'type must be an event name such as SUBMIT_FOR_REVIEW' })
  type!: string;

  @ApiPropertyOptional({ description: "The event's payload (see its payloadSchema)", example: { draftVersion: 1 } })
  @IsOptional()
  @IsObject({ message: 'payload must be an object' })
  payload?: Record<string, unknown>;
}

export class ListInstancesQuery extends KeysetPageQuery {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) definition?: string;
  @ApiPropertyOptional({ description: 'Current stage (state path)' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  state?: string;
  @ApiPropertyOptional({ description: 'Partner code, e.g. TR' })
  @IsOptional()
  @Matches(/^[A-Z][A-Z0-9]{1,15}$/, { message: 'partner must be a code such as TR' })
  partner?: string;
  @ApiPropertyOptional({ enum: ['active', 'done'] })
  @IsOptional()
  @IsIn(['active', 'done'], { message: 'status must be active or done' })
  status?: 'active' | 'done';
  @ApiPropertyOptional({ description: 'Only procedures with a deadline already passed' })
  @IsOptional()
  @Type(() => String)
  @IsIn(['true', 'false'], { message: 'overdue must be true or false' })
  overdue?: 'true' | 'false';
  @ApiPropertyOptional({ description: 'Opened by this parent procedure' })
  @IsOptional()
  @Matches(/^[0-9a-f-]{36}$/i, { message: 'parent must be a procedure id' })
  parent?: string;
  @ApiPropertyOptional({ description: 'Started by this user id, or `me`' })
  @IsOptional()
  @Matches(/^(me|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i, {
    message: 'startedBy must be me or a user id',
  })
  startedBy?: string;
}

export class MigrateInstanceDto {
  @ApiProperty() @IsInt() @Min(1) toVersion!: number;
  @ApiProperty({
    description: 'Current state path -> state path in the target version',
    example: { cnc_approval: 'coordinators_approval' },
  })
  @IsObject()
  stateMapping!: Record<string, string>;
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(2000) reason!: string;
}

export class ExtendDeadlineDto {
  @ApiProperty({ example: '2026-12-31T17:00:00Z' })
  @IsISO8601({ strict: true }, { message: 'dueAt must be an ISO 8601 date-time' })
  dueAt!: string;
  @ApiProperty() @IsString() @IsNotEmpty() @MaxLength(2000) reason!: string;
}

/**
 * Link a finding of a 1(a) analysis and a 1(c), 1(d) or 1(e) procedure. On a 1(a), name the
 * procedure (`procedureId`); on a 1(c)/(d)/(e), name the analysis (`analysisId`).
 */
export class LinkFindingDto {
  @ApiProperty({ example: 'F-TR-1', description: 'The id of the finding in its assessment' })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, {
    message: 'findingId must be a short id of letters, digits, dot, dash or underscore',
  })
  findingId!: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'On a 1(c)/(d)/(e): the 1(a) analysis the finding belongs to' })
  @IsOptional()
  @IsUUID('all', { message: 'analysisId must be the id (uuid) of a 1(a) analysis' })
  analysisId?: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'On a 1(a): the 1(c), 1(d) or 1(e) procedure the finding feeds' })
  @IsOptional()
  @IsUUID('all', { message: 'procedureId must be the id (uuid) of a 1(c), 1(d) or 1(e) procedure' })
  procedureId?: string;
}
