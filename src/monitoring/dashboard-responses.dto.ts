/** What GET /monitoring/dashboard answers, for the OpenAPI document. */
import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { LabelsDto } from '../common/openapi';

export class DashboardTotalsDto {
  @ApiProperty({ type: 'integer' }) active!: number;
  @ApiProperty({ type: 'integer' }) done!: number;
  @ApiProperty({ type: 'integer', description: 'Procedures with an overdue deadline' }) overdue!: number;
  @ApiProperty({ type: 'integer', description: 'Procedures with a deadline due within seven days' })
  dueThisWeek!: number;
}

export class StageCountDto {
  @ApiProperty() state!: string;
  @ApiProperty({ enum: ['active', 'done'] }) status!: 'active' | 'done';
  @ApiProperty({ type: LabelsDto, nullable: true }) label!: LabelsDto | null;
  @ApiProperty({ type: 'integer' }) count!: number;
  @ApiProperty({ type: 'integer' }) overdue!: number;
}

export class ProcedureCountsDto {
  @ApiProperty() definitionId!: string;
  @ApiProperty({ example: '1(d)' }) measure!: string;
  @ApiProperty({ type: LabelsDto }) title!: LabelsDto;
  @ApiProperty({ type: 'integer' }) active!: number;
  @ApiProperty({ type: 'integer' }) done!: number;
  @ApiProperty({ type: 'integer' }) overdue!: number;
  @ApiProperty({ type: StageCountDto, isArray: true }) stages!: StageCountDto[];
}

export class HoldingUpDto {
  @ApiProperty() memberState!: string;
  @ApiProperty({ type: 'integer', description: 'Answers it owes' }) items!: number;
  @ApiProperty({ format: 'date-time' }) oldestSince!: string;
  @ApiProperty({ type: 'integer', description: 'Days since the oldest' }) days!: number;
  @ApiProperty({ type: String, isArray: true, description: 'Up to 20 procedures, oldest first' })
  instanceIds!: string[];
}

export class StageDurationDto {
  @ApiProperty() definitionId!: string;
  @ApiProperty() state!: string;
  @ApiProperty({ type: LabelsDto, nullable: true }) label!: LabelsDto | null;
  @ApiProperty({ description: 'Average days in the stage, one decimal' }) averageDays!: number;
  @ApiProperty({ type: 'integer' }) samples!: number;
}

export class DeadlineItemDto {
  @ApiProperty({ format: 'uuid' }) instanceId!: string;
  @ApiProperty() definitionId!: string;
  @ApiProperty() subject!: string;
  @ApiProperty() state!: string;
  @ApiProperty() deadlineKey!: string;
  @ApiProperty({ type: LabelsDto }) label!: LabelsDto;
  @ApiProperty({ format: 'date-time' }) dueAt!: string;
}

export class OverdueItemDto extends DeadlineItemDto {
  @ApiProperty({ type: 'integer' }) daysOverdue!: number;
}

export class DueSoonItemDto extends DeadlineItemDto {
  @ApiProperty({ type: 'integer' }) daysLeft!: number;
}

@ApiSchema({ description: 'Every direction-1 procedure at a glance' })
export class DashboardDto {
  @ApiProperty({ format: 'date-time' }) generatedAt!: string;
  @ApiProperty({ type: DashboardTotalsDto }) totals!: DashboardTotalsDto;
  @ApiProperty({ type: ProcedureCountsDto, isArray: true }) byProcedure!: ProcedureCountsDto[];
  @ApiProperty({ type: HoldingUpDto, isArray: true, description: 'Member states holding items up, and since when' })
  holdingUp!: HoldingUpDto[];
  @ApiProperty({ type: StageDurationDto, isArray: true }) stageDurations!: StageDurationDto[];
  @ApiProperty({ type: OverdueItemDto, isArray: true }) overdueItems!: OverdueItemDto[];
  @ApiProperty({ type: DueSoonItemDto, isArray: true }) dueThisWeekItems!: DueSoonItemDto[];
}
