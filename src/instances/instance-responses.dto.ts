/** What the procedure routes answer (definitions, one procedure, lists, history, chain check), for the OpenAPI document. */
import { ApiExtraModels, ApiProperty, ApiSchema, getSchemaPath } from '@nestjs/swagger';
import { ROLES, type Role } from '../../workflows/kernel/types';
import { ANY_OBJECT, LabelsDto } from '../common/openapi';

const STATUSES = ['active', 'done'] as const;
type Status = (typeof STATUSES)[number];

export class DeadlineRuleDto {
  @ApiProperty({ type: 'integer', description: 'Length of the period' }) days!: number;
  @ApiProperty({ enum: ['calendar', 'working'], required: false, description: 'Default calendar' })
  unit?: 'calendar' | 'working';
  @ApiProperty({ type: 'integer', isArray: true, description: 'Days before the due time at which reminders go out' })
  remindBefore!: number[];
  @ApiProperty({ enum: ROLES, isArray: true, description: 'Who is told when the deadline passes' })
  escalateTo!: Role[];
}

export class StateTransitionDto {
  @ApiProperty({ example: 'SUBMIT', description: 'Event type, or "(automatic)"' }) event!: string;
  @ApiProperty({ type: String, isArray: true, description: 'Target state paths' }) targets!: string[];
}

export class DefinitionStateDto {
  @ApiProperty({ example: 'drafting' }) path!: string;
  @ApiProperty({ enum: ['atomic', 'compound', 'parallel', 'final', 'history'] }) type!: string;
  @ApiProperty({ type: LabelsDto, nullable: true }) label!: LabelsDto | null;
  @ApiProperty({ enum: ROLES, nullable: true }) responsible!: Role | null;
  @ApiProperty({ type: DeadlineRuleDto, nullable: true }) deadline!: DeadlineRuleDto | null;
  @ApiProperty({ type: String, isArray: true, description: 'Events the state accepts' }) events!: string[];
  @ApiProperty({ type: StateTransitionDto, isArray: true }) transitions!: StateTransitionDto[];
}

export class DefinitionEventDto {
  @ApiProperty() description!: string;
  @ApiProperty({ enum: ROLES, isArray: true, description: 'Roles that may send it' }) roles!: Role[];
  @ApiProperty({ ...ANY_OBJECT, description: 'JSON Schema of the payload' }) payloadSchema!: Record<string, unknown>;
}

@ApiSchema({ description: 'A procedure definition (its newest version)' })
@ApiExtraModels(DefinitionEventDto)
export class DefinitionDto {
  @ApiProperty({ example: 'model-memorandum-amendment' }) id!: string;
  @ApiProperty({ type: 'integer' }) version!: number;
  @ApiProperty({ type: 'integer', isArray: true, description: 'Every version known' }) versions!: number[];
  @ApiProperty({ example: '1(d)', description: 'The roadmap measure' }) measure!: string;
  @ApiProperty({ type: LabelsDto }) title!: LabelsDto;
  @ApiProperty() description!: string;
  @ApiProperty({ enum: ROLES, isArray: true }) startRoles!: Role[];
  @ApiProperty({ ...ANY_OBJECT, description: 'JSON Schema of the start input' }) inputSchema!: Record<string, unknown>;
  @ApiProperty({ type: String, nullable: true }) initial!: string | null;
  @ApiProperty({ type: DefinitionStateDto, isArray: true }) states!: DefinitionStateDto[];
  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(DefinitionEventDto) },
    description: 'Events by type',
  })
  events!: Record<string, DefinitionEventDto>;
}

export class DefinitionRefDto {
  @ApiProperty() id!: string;
  @ApiProperty({ type: 'integer' }) version!: number;
  @ApiProperty() measure!: string;
  @ApiProperty({ type: LabelsDto }) title!: LabelsDto;
}

export class ActiveStageDto {
  @ApiProperty() path!: string;
  @ApiProperty({ type: LabelsDto }) label!: LabelsDto;
  @ApiProperty({ enum: ROLES }) responsible!: Role;
}

export class AllowedEventDto {
  @ApiProperty({ example: 'SUBMIT' }) type!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ ...ANY_OBJECT, description: 'JSON Schema of the payload' }) payloadSchema!: Record<string, unknown>;
}

export class DeadlineExtensionDto {
  @ApiProperty({ format: 'date-time' }) from!: string;
  @ApiProperty({ format: 'date-time' }) to!: string;
  @ApiProperty({ description: 'User id' }) by!: string;
  @ApiProperty() reason!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

export class OpenDeadlineDto {
  @ApiProperty({ example: 'circulation' }) key!: string;
  @ApiProperty({ type: LabelsDto }) label!: LabelsDto;
  @ApiProperty({ enum: ROLES }) responsible!: Role;
  @ApiProperty({ type: String, nullable: true, description: 'User id, when one person owes it' })
  assignee!: string | null;
  @ApiProperty({ format: 'date-time' }) startsAt!: string;
  @ApiProperty({ format: 'date-time' }) dueAt!: string;
  @ApiProperty({ enum: ['calendar', 'working'] }) unit!: 'calendar' | 'working';
  @ApiProperty({ type: 'integer', isArray: true }) remindBefore!: number[];
  @ApiProperty() overdue!: boolean;
  @ApiProperty({ type: 'integer', description: 'Negative when overdue' }) daysLeft!: number;
  @ApiProperty({ type: DeadlineExtensionDto, isArray: true }) extensions!: DeadlineExtensionDto[];
}

export class ChildProcedureDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() definitionId!: string;
  @ApiProperty({ description: 'Key under the parent' }) key!: string;
  @ApiProperty() state!: string;
  @ApiProperty({ enum: STATUSES }) status!: Status;
  @ApiProperty({ type: String, nullable: true }) outcome!: string | null;
}

@ApiSchema({
  description:
    'A finding of a 1(a) analysis linked to a 1(c), 1(d) or 1(e) procedure; shown on both procedures, made from either side at any time',
})
export class FindingLinkDto {
  @ApiProperty({ format: 'uuid', description: 'The 1(a) analysis the finding belongs to' }) analysisId!: string;
  @ApiProperty() findingId!: string;
  @ApiProperty({ format: 'uuid', description: 'The 1(c), 1(d) or 1(e) procedure the finding feeds' })
  procedureId!: string;
  @ApiProperty() procedureDefinitionId!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The memorandum assessed' }) memorandumId!: string | null;
  @ApiProperty({ description: 'The text of the finding when it was linked' }) findingText!: string;
  @ApiProperty() linkedBy!: string;
  @ApiProperty({ format: 'date-time' }) linkedAt!: string;
  @ApiProperty({
    enum: ['analysis', 'procedure', 'start'],
    description: 'Made from the analysis, from the procedure, or by starting the procedure from the finding',
  })
  linkedFrom!: 'analysis' | 'procedure' | 'start';
}

@ApiSchema({ description: 'One procedure as the caller sees it now' })
export class InstanceViewDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: DefinitionRefDto }) definition!: DefinitionRefDto;
  @ApiProperty({ description: 'State path (parallel regions joined)' }) state!: string;
  @ApiProperty({ type: ActiveStageDto, isArray: true }) stages!: ActiveStageDto[];
  @ApiProperty({ enum: STATUSES }) status!: Status;
  @ApiProperty({ type: String, nullable: true }) outcome!: string | null;
  @ApiProperty() subject!: string;
  @ApiProperty({ type: String, nullable: true }) partner!: string | null;
  @ApiProperty({ type: String, nullable: true }) memorandum!: string | null;
  @ApiProperty({ type: String, nullable: true }) treaty!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) parentId!: string | null;
  @ApiProperty({ type: String, nullable: true }) parentKey!: string | null;
  @ApiProperty({ description: 'User id' }) startedBy!: string;
  @ApiProperty({ type: 'integer', description: 'Number of the last event' }) seq!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({ ...ANY_OBJECT, description: "The machine's context (depends on the definition)" })
  context!: Record<string, unknown>;
  @ApiProperty({ type: AllowedEventDto, isArray: true, description: 'Events the caller may send now' })
  allowedEvents!: AllowedEventDto[];
  @ApiProperty({ type: String, isArray: true, description: 'Events the current stage accepts from anyone' })
  acceptedEvents!: string[];
  @ApiProperty({ type: OpenDeadlineDto, isArray: true }) deadlines!: OpenDeadlineDto[];
  @ApiProperty({ type: ChildProcedureDto, isArray: true }) children!: ChildProcedureDto[];
  @ApiProperty({ type: FindingLinkDto, isArray: true }) findingLinks!: FindingLinkDto[];
}

export class InstanceListItemDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() definitionId!: string;
  @ApiProperty({ type: 'integer' }) definitionVersion!: number;
  @ApiProperty({ type: String, nullable: true }) measure!: string | null;
  @ApiProperty() state!: string;
  @ApiProperty({ type: LabelsDto, nullable: true }) stateLabel!: LabelsDto | null;
  @ApiProperty({ enum: STATUSES }) status!: Status;
  @ApiProperty({ type: String, nullable: true }) outcome!: string | null;
  @ApiProperty() subject!: string;
  @ApiProperty({ type: String, nullable: true }) partner!: string | null;
  @ApiProperty({ type: String, nullable: true }) memorandum!: string | null;
  @ApiProperty({ type: String, nullable: true }) treaty!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) parentId!: string | null;
  @ApiProperty({ type: 'integer' }) seq!: number;
  @ApiProperty({ type: String, nullable: true, format: 'date-time', description: 'Earliest open deadline' })
  nextDue!: string | null;
  @ApiProperty() overdue!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class InstancePageDto {
  @ApiProperty({ type: 'integer' }) page!: number;
  @ApiProperty({ type: 'integer' }) pageSize!: number;
  @ApiProperty({ type: 'integer' }) total!: number;
  @ApiProperty({ type: InstanceListItemDto, isArray: true }) items!: InstanceListItemDto[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as cursor to read the next page; null on the last page',
  })
  nextCursor!: string | null;
}

/** What applying one command did (POST /instances, /events, /migrate, /extend, an approval answer). */
export class ApplyResultDto {
  @ApiProperty({ format: 'uuid' }) instanceId!: string;
  @ApiProperty({ type: 'integer', description: 'Number of the event written (or replayed)' }) seq!: number;
  @ApiProperty({ example: 'SUBMIT' }) type!: string;
  @ApiProperty({ description: 'State path after the event' }) state!: string;
  @ApiProperty({ enum: STATUSES }) status!: Status;
  @ApiProperty({ type: String, nullable: true }) outcome!: string | null;
  @ApiProperty({ description: 'True when the idempotency key was seen before and nothing was applied this time' })
  replayed!: boolean;
}

@ApiSchema({ description: 'What the command did, and the procedure as it stands after it' })
export class TransitionResponseDto {
  @ApiProperty({ type: ApplyResultDto }) result!: ApplyResultDto;
  @ApiProperty({ type: InstanceViewDto }) instance!: InstanceViewDto;
}

export class EventActorDto {
  @ApiProperty({ description: 'User id, or "system"' }) id!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ type: String, nullable: true }) memberState!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The approver an acting approver stood in for' })
  actingFor!: string | null;
}

export class EventRecordDto {
  @ApiProperty({ type: 'integer' }) seq!: number;
  @ApiProperty({ example: 'SUBMIT' }) type!: string;
  @ApiProperty(ANY_OBJECT) payload!: Record<string, unknown>;
  @ApiProperty({ type: EventActorDto }) actor!: EventActorDto;
  @ApiProperty({ type: String, nullable: true }) idempotencyKey!: string | null;
  @ApiProperty({ type: 'integer' }) definitionVersion!: number;
  @ApiProperty({ type: String, nullable: true, description: 'Null for the start event' }) stateBefore!: string | null;
  @ApiProperty() stateAfter!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ description: 'Hash of the event before (the genesis hash for the first)' }) prevHash!: string;
  @ApiProperty() hash!: string;
}
