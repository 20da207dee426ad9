/** What the draft and report routes answer (drafts, versions, comments, diff, consolidation, comparison, 1(a) report), for the OpenAPI document. */
import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import { POSITION_KINDS, type RoundOutcome } from '../../workflows/kernel/consensus';
import { LabelsDto } from '../common/openapi';
import { LANGUAGES, SOURCE_KINDS, type Lang, type SourceKind } from './draft.types';

const LANGUAGE_STATUSES = ['current', 'out_of_date', 'possibly_stale'] as const;
type LanguageStatus = (typeof LANGUAGE_STATUSES)[number];
const CHANGE_KINDS = ['added', 'removed', 'moved', 'renumbered', 'changed', 'unchanged'] as const;
type ChangeKind = (typeof CHANGE_KINDS)[number];
const ROUND_OUTCOMES: RoundOutcome[] = ['open', 'consensus', 'objected', 'superseded'];

export class ArticleTextsDto {
  @ApiProperty({ description: 'Russian (authentic)' }) ru!: string;
  @ApiProperty({ description: 'Chinese (authentic)' }) zh!: string;
  @ApiProperty({ description: 'English (working text)' }) en!: string;
}

export class LanguageVersionsDto {
  @ApiProperty({ type: 'integer' }) ru!: number;
  @ApiProperty({ type: 'integer' }) zh!: number;
  @ApiProperty({ type: 'integer' }) en!: number;
}

export class LanguageStatusesDto {
  @ApiProperty({ enum: LANGUAGE_STATUSES }) ru!: LanguageStatus;
  @ApiProperty({ enum: LANGUAGE_STATUSES }) zh!: LanguageStatus;
  @ApiProperty({ enum: LANGUAGE_STATUSES }) en!: LanguageStatus;
}

export class DraftSourceDto {
  @ApiProperty({ enum: SOURCE_KINDS }) kind!: SourceKind;
  @ApiProperty({ type: String, nullable: true, description: 'The memorandum id, for a memorandum source' })
  ref!: string | null;
  @ApiProperty({ type: LabelsDto, nullable: true, description: 'Where the text comes from; null for a blank draft' })
  notice!: LabelsDto | null;
}

export class VersionArticleDto {
  @ApiProperty({ format: 'uuid' }) articleId!: string;
  @ApiProperty({ type: 'integer' }) position!: number;
  @ApiProperty({ example: '3' }) number!: string;
  @ApiProperty({ type: ArticleTextsDto }) text!: ArticleTextsDto;
  @ApiProperty({ type: LanguageVersionsDto, description: "The version in which each language's text last changed" })
  updatedAtVersion!: LanguageVersionsDto;
  @ApiProperty({ type: LanguageStatusesDto }) languages!: LanguageStatusesDto;
  @ApiProperty({ description: 'The Russian and Chinese texts disagree in freshness' }) drifted!: boolean;
  @ApiProperty({ enum: LANGUAGES, isArray: true, description: 'Languages confirmed unchanged in this version' })
  confirmed!: Lang[];
}

@ApiSchema({ description: 'One draft version with its articles' })
export class DraftVersionViewDto {
  @ApiProperty({ type: 'integer' }) number!: number;
  @ApiProperty({ description: 'Whether this is the latest version' }) latest!: boolean;
  @ApiProperty() authorId!: string;
  @ApiProperty() authorRole!: string;
  @ApiProperty() note!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: 'integer', nullable: true }) basedOn!: number | null;
  @ApiProperty() contentHash!: string;
  @ApiProperty({ type: String, isArray: true, description: 'Articles whose Russian and Chinese texts disagree' })
  driftedArticles!: string[];
  @ApiProperty({ type: String, isArray: true, description: 'Articles whose English text may be stale' })
  englishPossiblyStale!: string[];
  @ApiProperty({ type: VersionArticleDto, isArray: true }) articles!: VersionArticleDto[];
}

export class DraftVersionSummaryDto {
  @ApiProperty({ type: 'integer' }) number!: number;
  @ApiProperty() authorId!: string;
  @ApiProperty() authorRole!: string;
  @ApiProperty() note!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: 'integer', nullable: true }) basedOn!: number | null;
  @ApiProperty() contentHash!: string;
  @ApiProperty({ type: 'integer' }) articleCount!: number;
  @ApiProperty({ type: 'integer' }) driftedArticleCount!: number;
  @ApiProperty({ type: 'integer' }) englishPossiblyStaleCount!: number;
}

export class DraftDocumentRefDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) instanceId!: string;
  @ApiProperty({ type: LabelsDto }) title!: LabelsDto;
  @ApiProperty({ type: DraftSourceDto }) source!: DraftSourceDto;
  @ApiProperty() createdBy!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

@ApiSchema({ description: "A procedure's draft: its latest version and the list of every version" })
export class DraftDocumentDto extends DraftDocumentRefDto {
  @ApiProperty({ type: DraftVersionViewDto, nullable: true }) latest!: DraftVersionViewDto | null;
  @ApiProperty({ type: DraftVersionSummaryDto, isArray: true }) versions!: DraftVersionSummaryDto[];
}

@ApiSchema({ description: 'A comment on a draft version (append-only)' })
export class DraftCommentDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: 'integer' }) version!: number;
  @ApiProperty({ type: String, nullable: true, description: 'Null for a comment on the whole version' })
  articleId!: string | null;
  @ApiProperty() authorId!: string;
  @ApiProperty() authorRole!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Null for the Secretariat' }) memberState!: string | null;
  @ApiProperty({ type: String, nullable: true }) actingFor!: string | null;
  @ApiProperty() text!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class VersionRefDto {
  @ApiProperty({ type: 'integer' }) number!: number;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty() authorId!: string;
  @ApiProperty() note!: string;
}

export class ArticlePlaceDto {
  @ApiProperty({ type: 'integer' }) position!: number;
  @ApiProperty() number!: string;
}

export class RedlineSegmentDto {
  @ApiProperty({ enum: ['equal', 'insert', 'delete'] }) op!: 'equal' | 'insert' | 'delete';
  @ApiProperty() text!: string;
}

export class RedlinesDto {
  @ApiProperty({ type: RedlineSegmentDto, isArray: true, required: false }) ru?: RedlineSegmentDto[];
  @ApiProperty({ type: RedlineSegmentDto, isArray: true, required: false }) zh?: RedlineSegmentDto[];
  @ApiProperty({ type: RedlineSegmentDto, isArray: true, required: false }) en?: RedlineSegmentDto[];
}

export class ArticleDiffDto {
  @ApiProperty({ format: 'uuid' }) articleId!: string;
  @ApiProperty({ type: ArticlePlaceDto, nullable: true, description: 'Null when added' }) from!: ArticlePlaceDto | null;
  @ApiProperty({ type: ArticlePlaceDto, nullable: true, description: 'Null when removed' }) to!: ArticlePlaceDto | null;
  @ApiProperty({ enum: CHANGE_KINDS, isArray: true }) kinds!: ChangeKind[];
  @ApiProperty({ enum: LANGUAGES, isArray: true }) changedLanguages!: Lang[];
  @ApiProperty({ type: RedlinesDto, description: 'Word-level redlines in the requested languages' })
  redlines!: RedlinesDto;
  @ApiProperty({ enum: LANGUAGES, isArray: true, description: 'Languages out of date in the later version' })
  outOfDate!: Lang[];
}

export class DiffSummaryDto {
  @ApiProperty({ type: 'integer' }) added!: number;
  @ApiProperty({ type: 'integer' }) removed!: number;
  @ApiProperty({ type: 'integer' }) moved!: number;
  @ApiProperty({ type: 'integer' }) renumbered!: number;
  @ApiProperty({ type: 'integer' }) changed!: number;
  @ApiProperty({ type: 'integer' }) unchanged!: number;
}

@ApiSchema({ description: 'Article-by-article comparison of two versions' })
export class DraftDiffDto {
  @ApiProperty({ type: VersionRefDto }) from!: VersionRefDto;
  @ApiProperty({ type: VersionRefDto }) to!: VersionRefDto;
  @ApiProperty({ enum: LANGUAGES, isArray: true }) languages!: Lang[];
  @ApiProperty({ type: DiffSummaryDto }) summary!: DiffSummaryDto;
  @ApiProperty({ type: ArticleDiffDto, isArray: true }) articles!: ArticleDiffDto[];
}

export class ProcedureRefDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() definitionId!: string;
  @ApiProperty() state!: string;
}

export class RoundObjectionDto {
  @ApiProperty() memberState!: string;
  @ApiProperty() reason!: string;
}

/** A member state's answer to a circulation for comments. */
export class CommentResponseDto {
  @ApiProperty() memberState!: string;
  @ApiProperty() hasComments!: boolean;
  @ApiProperty({ type: String, nullable: true }) comments!: string | null;
  @ApiProperty() by!: string;
  @ApiProperty({ type: String, nullable: true }) actingFor!: string | null;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

/** A member state's position in a consensus round. */
export class PositionDto {
  @ApiProperty() memberState!: string;
  @ApiProperty({ enum: [...POSITION_KINDS, 'silence'] }) kind!: string;
  @ApiProperty({ type: String, nullable: true }) text!: string | null;
  @ApiProperty({ description: 'User id ("system" for silence)' }) by!: string;
  @ApiProperty({ type: String, nullable: true }) actingFor!: string | null;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

export class StatePositionDto {
  @ApiProperty({ type: 'integer' }) round!: number;
  @ApiProperty() stage!: string;
  @ApiProperty({ type: 'integer' }) draftVersion!: number;
  @ApiProperty({ enum: [...POSITION_KINDS, 'silence'] }) kind!: string;
  @ApiProperty({ type: String, nullable: true }) text!: string | null;
  @ApiProperty() by!: string;
  @ApiProperty({ type: String, nullable: true }) actingFor!: string | null;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

export class StateResponseDto {
  @ApiProperty({ type: 'integer' }) round!: number;
  @ApiProperty({ type: 'integer' }) draftVersion!: number;
  @ApiProperty() hasComments!: boolean;
  @ApiProperty({ type: String, nullable: true }) comments!: string | null;
  @ApiProperty() by!: string;
  @ApiProperty({ type: String, nullable: true }) actingFor!: string | null;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

export class CirculationRoundDto {
  @ApiProperty({ type: 'integer' }) round!: number;
  @ApiProperty({ format: 'date-time' }) openedAt!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) closedAt!: string | null;
  @ApiProperty({ type: String, isArray: true }) unanswered!: string[];
  @ApiProperty({ type: CommentResponseDto, isArray: true }) responses!: CommentResponseDto[];
}

export class ConsensusRoundSummaryDto {
  @ApiProperty({ type: 'integer' }) round!: number;
  @ApiProperty() stage!: string;
  @ApiProperty({ enum: ROUND_OUTCOMES }) outcome!: RoundOutcome;
  @ApiProperty({ type: RoundObjectionDto, nullable: true }) objection!: RoundObjectionDto | null;
  @ApiProperty({ type: PositionDto, isArray: true }) positions!: PositionDto[];
}

export class ConsolidatedStateDto {
  @ApiProperty() memberState!: string;
  @ApiProperty({ type: LabelsDto }) name!: LabelsDto;
  @ApiProperty({ type: DraftCommentDto, isArray: true }) comments!: DraftCommentDto[];
  @ApiProperty({ type: StateResponseDto, nullable: true }) response!: StateResponseDto | null;
  @ApiProperty({ type: StatePositionDto, nullable: true }) position!: StatePositionDto | null;
}

export class ConsolidatedArticleDto {
  @ApiProperty({ format: 'uuid' }) articleId!: string;
  @ApiProperty() number!: string;
  @ApiProperty({ type: 'integer' }) position!: number;
  @ApiProperty({ type: LanguageStatusesDto }) languages!: LanguageStatusesDto;
  @ApiProperty({ type: Boolean, nullable: true, description: 'Whether the next version changed it (null: none yet)' })
  addressed!: boolean | null;
  @ApiProperty({ enum: CHANGE_KINDS, isArray: true, nullable: true }) nextVersionChange!: ChangeKind[] | null;
  @ApiProperty({ type: DraftCommentDto, isArray: true }) secretariat!: DraftCommentDto[];
  @ApiProperty({ type: ConsolidatedStateDto, isArray: true }) states!: ConsolidatedStateDto[];
}

@ApiSchema({ description: "For each article of a version: every state's comments and position" })
export class ConsolidationDto {
  @ApiProperty({ type: DraftDocumentRefDto }) document!: DraftDocumentRefDto;
  @ApiProperty({ type: ProcedureRefDto }) procedure!: ProcedureRefDto;
  @ApiProperty({ type: 'integer' }) version!: number;
  @ApiProperty({ type: 'integer', nullable: true }) nextVersion!: number | null;
  @ApiProperty({ type: CirculationRoundDto, isArray: true }) circulation!: CirculationRoundDto[];
  @ApiProperty({ type: ConsensusRoundSummaryDto, isArray: true }) consensus!: ConsensusRoundSummaryDto[];
  @ApiProperty({ type: DraftCommentDto, isArray: true }) generalComments!: DraftCommentDto[];
  @ApiProperty({ type: ConsolidatedArticleDto, isArray: true }) articles!: ConsolidatedArticleDto[];
}

export class RoundStatedViewDto {
  @ApiProperty() memberState!: string;
  @ApiProperty() text!: string;
}

export class RoundEarlyCloseDto {
  @ApiProperty() by!: string;
  @ApiProperty() reason!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

export class ComparisonRoundDto {
  @ApiProperty({ type: 'integer' }) number!: number;
  @ApiProperty() stage!: string;
  @ApiProperty({ enum: ROUND_OUTCOMES }) outcome!: RoundOutcome;
  @ApiProperty({ type: RoundObjectionDto, nullable: true, description: 'The first objection (see objections)' })
  objection!: RoundObjectionDto | null;
  @ApiProperty({ type: RoundStatedViewDto, isArray: true, description: 'Every objection standing' })
  objections!: RoundStatedViewDto[];
  @ApiProperty({ description: 'The consensus counts at least one state as agreeing by silence' })
  settledBySilence!: boolean;
  @ApiProperty({ type: RoundEarlyCloseDto, nullable: true, description: 'A manager closed the round early' })
  closedEarly!: RoundEarlyCloseDto | null;
}

export class ComparisonStateColumnDto {
  @ApiProperty() memberState!: string;
  @ApiProperty({ type: LabelsDto }) name!: LabelsDto;
  @ApiProperty({ type: StatePositionDto, nullable: true }) position!: StatePositionDto | null;
  @ApiProperty({ type: StatePositionDto, isArray: true, description: 'Reservations, carried forward' })
  reservations!: StatePositionDto[];
  @ApiProperty({ type: StateResponseDto, isArray: true }) responses!: StateResponseDto[];
}

export class ComparisonRowDto {
  @ApiProperty({ format: 'uuid' }) articleId!: string;
  @ApiProperty({ enum: CHANGE_KINDS, isArray: true }) kinds!: ChangeKind[];
  @ApiProperty({ type: ArticlePlaceDto, nullable: true }) from!: ArticlePlaceDto | null;
  @ApiProperty({ type: ArticlePlaceDto, nullable: true }) to!: ArticlePlaceDto | null;
  @ApiProperty({ type: String, nullable: true }) base!: string | null;
  @ApiProperty({ type: String, nullable: true }) proposed!: string | null;
  @ApiProperty({ type: RedlineSegmentDto, isArray: true }) redline!: RedlineSegmentDto[];
  @ApiProperty({ enum: LANGUAGE_STATUSES, nullable: true }) language!: LanguageStatus | null;
  @ApiProperty({ type: DraftCommentDto, isArray: true }) comments!: DraftCommentDto[];
}

@ApiSchema({ description: "The comparison table: base | proposed | the member states' comments and positions" })
export class ComparisonDto {
  @ApiProperty({ type: DraftDocumentRefDto }) document!: DraftDocumentRefDto;
  @ApiProperty({ type: ProcedureRefDto }) procedure!: ProcedureRefDto;
  @ApiProperty({ enum: LANGUAGES }) lang!: Lang;
  @ApiProperty({ type: VersionRefDto }) from!: VersionRefDto;
  @ApiProperty({ type: VersionRefDto }) to!: VersionRefDto;
  @ApiProperty({ type: ComparisonRoundDto, nullable: true }) round!: ComparisonRoundDto | null;
  @ApiProperty({ type: ComparisonStateColumnDto, isArray: true }) states!: ComparisonStateColumnDto[];
  @ApiProperty({ type: ComparisonRowDto, isArray: true }) rows!: ComparisonRowDto[];
  @ApiProperty({ type: DraftCommentDto, isArray: true }) generalComments!: DraftCommentDto[];
  @ApiProperty({ type: DiffSummaryDto }) summary!: DiffSummaryDto;
}

// ---------------------------------------------------------------------------- 1(a) final information

export class ReportProcedureDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() state!: string;
  @ApiProperty({ enum: ['active', 'done'] }) status!: 'active' | 'done';
}

export class ReportScopeDto {
  @ApiProperty({ type: String, isArray: true }) memoranda!: string[];
  @ApiProperty() by!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

export class ReportRoundDto {
  @ApiProperty({ type: 'integer' }) number!: number;
  @ApiProperty({ type: 'integer' }) draftVersion!: number;
  @ApiProperty({ enum: ROUND_OUTCOMES }) outcome!: RoundOutcome;
  @ApiProperty({ type: RoundObjectionDto, nullable: true }) objection!: RoundObjectionDto | null;
}

export class ReportApprovalDto {
  @ApiProperty() approved!: boolean;
  @ApiProperty({ type: 'integer', nullable: true }) version!: number | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) completedAt!: string | null;
  @ApiProperty({ type: ReportRoundDto, nullable: true }) round!: ReportRoundDto | null;
}

const COUNTS = { type: 'object', additionalProperties: { type: 'integer' } } as const;

export class ReportSummaryDto {
  @ApiProperty({ type: 'integer' }) memoranda!: number;
  @ApiProperty({ type: 'integer' }) submitted!: number;
  @ApiProperty({ type: String, isArray: true, description: 'Memoranda whose assessment is not submitted' })
  awaited!: string[];
  @ApiProperty({ type: 'integer' }) findings!: number;
  @ApiProperty({ ...COUNTS, description: 'Findings by severity' }) bySeverity!: Record<string, number>;
  @ApiProperty({ ...COUNTS, description: 'Findings by suggested measure ("none" when none)' })
  byMeasure!: Record<string, number>;
}

export class ReportFindingDto {
  @ApiProperty() id!: string;
  @ApiProperty() text!: string;
  @ApiProperty() severity!: string;
  @ApiProperty({ type: String, nullable: true }) suggestedMeasure!: string | null;
  @ApiProperty({ type: String, isArray: true, description: 'Procedures opened from this finding' }) links!: string[];
}

export class ReportAssessmentDto {
  @ApiProperty() memorandumId!: string;
  @ApiProperty() partner!: string;
  @ApiProperty({ type: LabelsDto }) partnerName!: LabelsDto;
  @ApiProperty() assignee!: string;
  @ApiProperty({ format: 'date-time' }) dueAt!: string;
  @ApiProperty({ enum: ['assigned', 'overdue', 'submitted'] }) status!: 'assigned' | 'overdue' | 'submitted';
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) submittedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) submittedBy!: string | null;
  @ApiProperty({ type: ReportFindingDto, isArray: true }) findings!: ReportFindingDto[];
}

export class FinalTextArticleDto {
  @ApiProperty({ format: 'uuid' }) articleId!: string;
  @ApiProperty() number!: string;
  @ApiProperty({ type: ArticleTextsDto }) text!: ArticleTextsDto;
  @ApiProperty({ type: LanguageStatusesDto }) languages!: LanguageStatusesDto;
}

export class FinalTextDto {
  @ApiProperty({ type: 'integer' }) version!: number;
  @ApiProperty({ type: FinalTextArticleDto, isArray: true }) articles!: FinalTextArticleDto[];
}

@ApiSchema({ description: '1(a): the final information assembled from the per-memorandum assessments' })
export class AnalysisReportDto {
  @ApiProperty({ type: ReportProcedureDto }) procedure!: ReportProcedureDto;
  @ApiProperty() title!: string;
  @ApiProperty({ type: String, isArray: true }) criteria!: string[];
  @ApiProperty({ type: ReportScopeDto, nullable: true }) scope!: ReportScopeDto | null;
  @ApiProperty({ type: ReportApprovalDto }) approval!: ReportApprovalDto;
  @ApiProperty({ type: ReportSummaryDto }) summary!: ReportSummaryDto;
  @ApiProperty({ type: ReportAssessmentDto, isArray: true }) assessments!: ReportAssessmentDto[];
  @ApiProperty({
    type: FinalTextDto,
    nullable: true,
    description: 'The approved (or latest) text; null without a draft',
  })
  finalText!: FinalTextDto | null;
}

// ---------------------------------------------------------------------------- errors the routes share

export const PROCEDURE_NOT_FOUND = { status: 404, description: 'NOT_FOUND: no procedure with this id' } as const;
export const DRAFT_NOT_FOUND = {
  status: 404,
  description: 'NOT_FOUND: no procedure with this id, or it has no draft',
} as const;
export const VERSION_NOT_FOUND = {
  status: 404,
  description:
    'NOT_FOUND: no procedure, draft or version with these numbers, or (approvers) a version not circulated to the member states',
} as const;
export const BAD_VERSION_NUMBER = {
  status: 400,
  description: 'INVALID_PAYLOAD: the version in the path is not a number',
} as const;
export const BAD_QUERY = { status: 400, description: 'INVALID_PAYLOAD: a query parameter is invalid' } as const;
export const DIFF_TOO_LARGE = {
  status: 413,
  description: 'TOO_LARGE: the versions hold more text than one comparison may cover; compare one language',
} as const;
export const DIFF_TOO_COSTLY = {
  status: 422,
  description: 'UNPROCESSABLE: the versions differ too much to compare word by word within the time allowed',
} as const;
export const REPORT_NOT_FOUND = {
  status: 404,
  description:
    'NOT_FOUND: no procedure with this id, or (approvers) an analysis not yet circulated to the member states',
} as const;
export const NOT_AN_ANALYSIS = {
  status: 409,
  description: 'CONFLICT: the procedure is not an analysis of the memoranda (1(a))',
} as const;

/** What hiding or showing a comment answers: the comment and its moderation record. */
export class CommentModerationDto {
  @ApiProperty({ format: 'uuid' }) commentId!: string;
  @ApiProperty({ description: 'Whether the comment is now hidden from the views' }) hidden!: boolean;
  @ApiProperty() reason!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
}
