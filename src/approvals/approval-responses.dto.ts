/** What the approval routes answer (inbox, history, approval matrix), for the OpenAPI document. */
import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { POSITION_KINDS, type PositionKind, type RoundOutcome } from '../../workflows/kernel/consensus';
import { ANY_OBJECT, LabelsDto } from '../common/openapi';
import { ANSWER_KINDS, type AnswerKind } from './approvals.dto';

const ROUND_OUTCOMES: RoundOutcome[] = ['open', 'consensus', 'objected', 'superseded'];

export class InboxItemDto {
  @ApiProperty({ format: 'uuid' }) instanceId!: string;
  @ApiProperty() definitionId!: string;
  @ApiProperty({ type: String, nullable: true, example: '1(d)' }) measure!: string | null;
  @ApiProperty({ type: LabelsDto, nullable: true }) title!: LabelsDto | null;
  @ApiProperty() subject!: string;
  @ApiProperty({ type: String, nullable: true }) partner!: string | null;
  @ApiProperty({ description: 'State path of the stage that waits' }) stage!: string;
  @ApiProperty({ type: LabelsDto, nullable: true }) stageLabel!: LabelsDto | null;
  @ApiProperty({ enum: ['position', 'comments'], description: 'What is asked: a position, or comments' })
  question!: 'position' | 'comments';
  @ApiProperty({ enum: ['POSITION', 'RESPOND'], description: 'The event an answer sends' }) event!: string;
  @ApiProperty({ type: 'integer' }) round!: number;
  @ApiProperty({ type: 'integer' }) draftVersion!: number;
  @ApiProperty({ format: 'date-time' }) waitingSince!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) dueAt!: string | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Negative when overdue' }) daysLeft!: number | null;
  @ApiProperty({ enum: ANSWER_KINDS, isArray: true, description: 'The answers this question takes' })
  answers!: AnswerKind[];
}

@ApiSchema({ description: "What waits for the caller's member state" })
export class InboxDto {
  @ApiProperty({ example: 'KZ' }) memberState!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The approver the caller stands in for now, if any' })
  actingFor!: string | null;
  @ApiProperty({ type: InboxItemDto, isArray: true }) items!: InboxItemDto[];
}

export class AnswerRecordDto {
  @ApiProperty({ format: 'uuid' }) instanceId!: string;
  @ApiProperty() definitionId!: string;
  @ApiProperty() subject!: string;
  @ApiProperty({ type: 'integer' }) seq!: number;
  @ApiProperty({ enum: ['POSITION', 'RESPOND'] }) type!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The stage answered in' }) stage!: string | null;
  @ApiProperty({ ...ANY_OBJECT, description: 'The answer as sent (draftVersion, kind, text or comments)' })
  payload!: Record<string, unknown>;
  @ApiProperty({ description: 'User id' }) by!: string;
  @ApiProperty({ type: String, nullable: true }) actingFor!: string | null;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

export class ObjectionDto {
  @ApiProperty() memberState!: string;
  @ApiProperty() reason!: string;
}

/** How an answer was signed: the key, its kind and the hash of the signed statement. */
export class AnswerSignedDto {
  @ApiProperty({ format: 'uuid', description: 'The signing key (GET /signing-keys/...)' }) keyId!: string;
  @ApiProperty({ enum: ['ed25519', 'webauthn'] }) keyType!: 'ed25519' | 'webauthn';
  @ApiProperty({ description: 'SHA-256 of the canonical statement, hex' }) statementHash!: string;
  @ApiProperty({ description: 'SHA-256 of the draft version signed on, hex' }) draftSha256!: string;
  @ApiProperty({ type: 'integer', description: 'The event the answer was recorded as' }) seq!: number;
}

export class MatrixPositionDto {
  @ApiProperty() memberState!: string;
  @ApiProperty({ enum: [...POSITION_KINDS, 'silence', 'no_answer'] })
  position!: PositionKind | 'silence' | 'no_answer';
  @ApiProperty({ type: String, nullable: true, description: 'Reservation text or the reason of an objection' })
  text!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'User id ("system" for silence)' }) by!: string | null;
  @ApiProperty({ type: String, nullable: true }) actingFor!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) at!: string | null;
  @ApiProperty({ type: 'integer' }) draftVersion!: number;
  @ApiProperty({
    type: AnswerSignedDto,
    nullable: true,
    description: 'The signature of the answer; null when unsigned',
  })
  signed!: AnswerSignedDto | null;
}

export class SupersededPositionDto extends MatrixPositionDto {
  @ApiProperty({ format: 'date-time', description: 'When a later answer replaced it, or its state left the round' })
  supersededAt!: string;
}

export class StatedViewDto {
  @ApiProperty() memberState!: string;
  @ApiProperty({ description: 'The reason of the objection, or the text of the reservation' }) text!: string;
}

export class EarlyCloseDto {
  @ApiProperty({ description: 'User id of the manager' }) by!: string;
  @ApiProperty() reason!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

export class RoundJoinDto {
  @ApiProperty() memberState!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

export class RoundLeaveDto {
  @ApiProperty() memberState!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty() reason!: string;
}

export class ApprovalRoundDto {
  @ApiProperty({ type: 'integer' }) round!: number;
  @ApiProperty({ example: 'circulation' }) stage!: string;
  @ApiProperty({ type: 'integer' }) draftVersion!: number;
  @ApiProperty({ enum: ROUND_OUTCOMES }) outcome!: RoundOutcome;
  @ApiProperty({ description: "Whether the round uses the silence procedure (the stage's rule)" })
  silenceProcedure!: boolean;
  @ApiProperty({ description: 'The consensus counts at least one state as agreeing by silence' })
  settledBySilence!: boolean;
  @ApiProperty({
    type: String,
    isArray: true,
    description: 'States that objected to the previous version: silence never counts for them',
  })
  mustAnswer!: string[];
  @ApiProperty({ format: 'date-time' }) openedAt!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) closedAt!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    format: 'date-time',
    description: 'When the deadline passed while the round stayed open',
  })
  deadlinePassedAt!: string | null;
  @ApiProperty({ type: EarlyCloseDto, nullable: true, description: 'A manager closed the round early' })
  closedEarly!: EarlyCloseDto | null;
  @ApiProperty({ type: ObjectionDto, nullable: true, description: 'The first objection (see objections for all)' })
  objection!: ObjectionDto | null;
  @ApiProperty({
    type: StatedViewDto,
    isArray: true,
    description: 'Every objection standing (when settled: at settlement)',
  })
  objections!: StatedViewDto[];
  @ApiProperty({ type: StatedViewDto, isArray: true, description: 'Every reservation standing' })
  reservations!: StatedViewDto[];
  @ApiProperty({ type: RoundJoinDto, isArray: true, description: 'States added while the round was open' })
  joined!: RoundJoinDto[];
  @ApiProperty({ type: RoundLeaveDto, isArray: true, description: 'States removed while the round was open' })
  left!: RoundLeaveDto[];
  @ApiProperty({ type: MatrixPositionDto, isArray: true, description: "Each state's current answer" })
  states!: MatrixPositionDto[];
  @ApiProperty({
    type: SupersededPositionDto,
    isArray: true,
    description: 'Earlier answers, replaced or set aside, oldest first',
  })
  superseded!: SupersededPositionDto[];
}

export class MatrixCommentAnswerDto {
  @ApiProperty() memberState!: string;
  @ApiProperty({ enum: ['comments', 'no_comments', 'no_answer'] }) answer!: 'comments' | 'no_comments' | 'no_answer';
  @ApiProperty({ type: String, nullable: true }) text!: string | null;
  @ApiProperty({ type: String, nullable: true }) by!: string | null;
  @ApiProperty({ type: String, nullable: true }) actingFor!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) at!: string | null;
  @ApiProperty({ type: 'integer' }) draftVersion!: number;
  @ApiProperty({
    type: AnswerSignedDto,
    nullable: true,
    description: 'The signature of the answer; null when unsigned',
  })
  signed!: AnswerSignedDto | null;
}

export class CommentRoundDto {
  @ApiProperty({ type: 'integer' }) round!: number;
  @ApiProperty({ type: 'integer' }) draftVersion!: number;
  @ApiProperty({ format: 'date-time' }) openedAt!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) closedAt!: string | null;
  @ApiProperty({ type: MatrixCommentAnswerDto, isArray: true }) states!: MatrixCommentAnswerDto[];
}

@ApiSchema({ description: "Every round of a procedure, each member state's answer" })
export class ApprovalMatrixDto {
  @ApiProperty({ format: 'uuid' }) instanceId!: string;
  @ApiProperty({ type: ApprovalRoundDto, isArray: true }) approvalRounds!: ApprovalRoundDto[];
  @ApiProperty({ type: CommentRoundDto, isArray: true }) commentRounds!: CommentRoundDto[];
}
