import {
  applyDecorators,
  HttpCode,
  Body,
  Controller,
  Delete,
  Get,
  Param,
  Injectable,
  PipeTransform,
  Patch,
  Post,
  Put,
  Query,
  Res,
  StreamableFile,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { Actor } from '../../workflows/kernel/types';
import { CurrentActor } from '../auth/current-actor.decorator';
import { Roles } from '../common/roles.decorator';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { ApiBearer, ApiErrors, ApiRefused, ApiRenderedDocument } from '../common/openapi';
import { AnalysisReportService } from './analysis-report.service';
import { DraftExportService, type RenderedExport } from './draft-export.service';
import { DraftReviewService } from './draft-review.service';
import { DraftsService } from './drafts.service';
import { SignedCommentsService } from './signed-comments.service';
import {
  AnalysisReportDto,
  BAD_QUERY,
  BAD_VERSION_NUMBER,
  DIFF_TOO_COSTLY,
  DIFF_TOO_LARGE,
  ComparisonDto,
  ConsolidationDto,
  DraftCommentDto,
  DraftDiffDto,
  CommentModerationDto,
  DraftDocumentDto,
  DRAFT_NOT_FOUND,
  DraftVersionViewDto,
  NOT_AN_ANALYSIS,
  REPORT_NOT_FOUND,
  VERSION_NOT_FOUND,
} from './document-responses.dto';
import {
  AddCommentDto,
  SignedCommentDto,
  ModerateCommentDto,
  ComparisonExportQuery,
  ComparisonQuery,
  ConsolidationQuery,
  CreateDraftDto,
  DiffQuery,
  ExportQuery,
  SaveVersionDto,
} from './documents.dto';
import { EXPORT_CSP } from './render/html';
import { WriteLimit } from '../auth/user-rate-limit.guard';

/** Largest version number the database stores (a PostgreSQL `integer`). */
const MAX_VERSION = 2_147_483_647;

/**
 * A draft version number in a path: a positive whole number the database can hold. `ParseIntPipe`
 * alone let `0`, `-5` and `99999999999999999999` through to the query (the last one failed there).
 */
@Injectable()
class VersionNumberPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    const n = /^[1-9][0-9]{0,9}$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n) || n > MAX_VERSION)
      throw new DomainException(
        ErrorCode.INVALID_PAYLOAD,
        'The version in the path must be a version number such as 3 (a whole number from 1).',
      );
    return n;
  }
}

const VersionParam = () => new VersionNumberPipe();

function send(res: Response, file: RenderedExport): StreamableFile {
  res.setHeader('Content-Security-Policy', EXPORT_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'private, no-store');
  return new StreamableFile(file.body, {
    type: file.contentType,
    disposition: `inline; filename="${file.filename}"`,
    length: file.body.length,
  });
}

const immutable = () =>
  new DomainException(
    ErrorCode.CONFLICT,
    'Draft versions are immutable; save a new version (POST /instances/:id/draft/versions) instead.',
    {
      allowed: ['GET'],
    },
  );

/** A legal officer hides or shows a comment: one route shape, documented once. */
function CommentModeration(action: 'hide' | 'show', summary: string): MethodDecorator {
  return applyDecorators(
    Post(`versions/:n/comments/:commentId/${action}`),
    HttpCode(200),
    Roles('legal_officer'),
    ApiOperation({ summary }),
    ApiOkResponse({ type: CommentModerationDto }),
    ApiErrors(
      400,
      { status: 403, description: 'FORBIDDEN: legal officers only' },
      { status: 404, description: 'NOT_FOUND: no such procedure, version or comment' },
      429,
    ),
  );
}

@ApiTags('drafts')
@ApiBearer()
@Controller('instances/:id/draft')
export class DraftsController {
  constructor(
    private readonly drafts: DraftsService,
    private readonly review: DraftReviewService,
    private readonly exports: DraftExportService,
    private readonly signedComments: SignedCommentsService,
  ) {}

  @Post()
  @Roles('legal_officer')
  @ApiOperation({
    summary:
      "Create the procedure's draft from the Regulation, the model Memorandum, an existing memorandum or blank (version 1)",
  })
  @ApiCreatedResponse({ type: DraftDocumentDto })
  @ApiErrors(
    400,
    { status: 403, description: 'FORBIDDEN: legal officers only' },
    { status: 404, description: 'NOT_FOUND: no procedure with this id, or no such memorandum' },
    { status: 409, description: 'CONFLICT: the procedure already has a draft, or it is closed' },
    413,
  )
  create(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() dto: CreateDraftDto) {
    return this.drafts.create(id, { source: dto.source, memorandumId: dto.memorandumId, title: dto.title }, actor);
  }

  @Get()
  @ApiOperation({ summary: 'The draft: its latest version (articles, language status) and the list of every version' })
  @ApiOkResponse({ type: DraftDocumentDto })
  @ApiErrors(DRAFT_NOT_FOUND)
  document(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return this.drafts.document(id, actor);
  }

  @WriteLimit('versions')
  @Post('versions')
  @Roles('legal_officer')
  @ApiOperation({
    summary:
      'Save a new version: every article in order; without articleId an article is new, an article left out is removed',
  })
  @ApiCreatedResponse({ type: DraftVersionViewDto })
  @ApiErrors(
    400,
    { status: 403, description: 'FORBIDDEN: legal officers only' },
    DRAFT_NOT_FOUND,
    { status: 409, description: 'CONFLICT: the procedure is closed, or a newer version was saved meanwhile' },
    { status: 413, description: 'TOO_LARGE: more articles, or longer texts, than a version holds' },
  )
  save(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() dto: SaveVersionDto) {
    return this.drafts.saveVersion(id, { note: dto.note, basedOn: dto.basedOn, articles: dto.articles }, actor);
  }

  @Get('versions/:n')
  @ApiOperation({ summary: 'One version with its articles, drifted articles and English working-text status' })
  @ApiOkResponse({ type: DraftVersionViewDto })
  @ApiErrors(BAD_VERSION_NUMBER, VERSION_NOT_FOUND)
  async version(@CurrentActor() actor: Actor, @Param('id') id: string, @Param('n', VersionParam()) n: number) {
    await this.drafts.assertReadable(actor, id, [n]);
    return this.drafts.version(id, n);
  }

  @Put('versions/:n')
  @ApiOperation({ summary: 'Refused: versions are immutable (409); save a new version' })
  @ApiRefused('CONFLICT: draft versions are immutable; save a new version')
  @ApiErrors(BAD_VERSION_NUMBER, VERSION_NOT_FOUND)
  async put(@Param('id') id: string, @Param('n', VersionParam()) n: number): Promise<never> {
    await this.drafts.version(id, n);
    throw immutable();
  }

  @Patch('versions/:n')
  @ApiOperation({ summary: 'Refused: versions are immutable (409); save a new version' })
  @ApiRefused('CONFLICT: draft versions are immutable; save a new version')
  @ApiErrors(BAD_VERSION_NUMBER, VERSION_NOT_FOUND)
  async patch(@Param('id') id: string, @Param('n', VersionParam()) n: number): Promise<never> {
    await this.drafts.version(id, n);
    throw immutable();
  }

  @Delete('versions/:n')
  @ApiOperation({ summary: 'Refused: versions are immutable (409); every version is kept' })
  @ApiRefused('CONFLICT: draft versions are immutable; every version is kept')
  @ApiErrors(BAD_VERSION_NUMBER, VERSION_NOT_FOUND)
  async remove(@Param('id') id: string, @Param('n', VersionParam()) n: number): Promise<never> {
    await this.drafts.version(id, n);
    throw immutable();
  }

  @Get('versions/:n/comments')
  @ApiOperation({ summary: 'Comments on a version, oldest first (member state, or the Secretariat)' })
  @ApiOkResponse({ type: DraftCommentDto, isArray: true })
  @ApiErrors(BAD_VERSION_NUMBER, VERSION_NOT_FOUND)
  async comments(@CurrentActor() actor: Actor, @Param('id') id: string, @Param('n', VersionParam()) n: number) {
    await this.drafts.assertReadable(actor, id, [n]);
    return this.drafts.comments(id, n, actor);
  }

  @Post('versions/:n/comments/statement')
  @HttpCode(200)
  @Roles('approver')
  @ApiOperation({
    summary:
      "The statement to sign for a member state's comment (nothing is recorded): canonical text for Ed25519, challenge for a passkey",
  })
  @ApiOkResponse({ schema: { type: 'object', additionalProperties: true } })
  @ApiErrors(400, { status: 403, description: 'FORBIDDEN: member-state approvers only' }, VERSION_NOT_FOUND, 413)
  async commentStatement(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Param('n', VersionParam()) n: number,
    @Body() dto: AddCommentDto,
  ) {
    await this.drafts.assertReadable(actor, id, [n]);
    return this.signedComments.statement(id, n, { articleId: dto.articleId, text: dto.text }, actor);
  }

  @WriteLimit('comments')
  @Post('versions/:n/comments')
  @Roles('approver', 'legal_officer')
  @ApiOperation({
    summary:
      'Comment on a version or one of its articles: approvers for their own member state (signed, see .../comments/statement), legal officers for the Secretariat',
  })
  @ApiCreatedResponse({ type: DraftCommentDto })
  @ApiErrors(
    { status: 400, description: 'INVALID_PAYLOAD: invalid body, or a signature that does not verify for this comment' },
    {
      status: 403,
      description:
        "FORBIDDEN: approvers (for their own member state) and legal officers only; member states' comments must be signed (ANSWER_SIGNING=required); the signing key is pending or revoked",
    },
    VERSION_NOT_FOUND,
    { status: 409, description: 'CONFLICT: the procedure is closed, or the statement is stale or used already' },
    413,
  )
  async comment(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Param('n', VersionParam()) n: number,
    @Body() dto: SignedCommentDto,
  ) {
    const cmd = { articleId: dto.articleId, text: dto.text };
    const signature = await this.signedComments.signatureFor(id, n, cmd, actor, dto.signature);
    return this.drafts.addComment(id, n, cmd, actor, signature);
  }

  @CommentModeration(
    'hide',
    'Hide an abusive comment from the views (recorded with the reason; the comment itself is kept)',
  )
  hideComment(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Param('n', VersionParam()) n: number,
    @Param('commentId') commentId: string,
    @Body() dto: ModerateCommentDto,
  ) {
    return this.drafts.moderateComment(id, n, commentId, 'hide', dto.reason, actor);
  }

  @CommentModeration('show', 'Show a hidden comment again (recorded with the reason)')
  showComment(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Param('n', VersionParam()) n: number,
    @Param('commentId') commentId: string,
    @Body() dto: ModerateCommentDto,
  ) {
    return this.drafts.moderateComment(id, n, commentId, 'show', dto.reason, actor);
  }

  @Put('versions/:n/comments/:commentId')
  @ApiOperation({ summary: 'Refused: comments are kept as made (409); add another comment' })
  @ApiRefused('CONFLICT: comments are append-only; add another comment')
  editComment(): never {
    throw new DomainException(ErrorCode.CONFLICT, 'Comments are append-only; add another comment instead.');
  }

  @Patch('versions/:n/comments/:commentId')
  @ApiOperation({ summary: 'Refused: comments are kept as made (409); add another comment' })
  @ApiRefused('CONFLICT: comments are append-only; add another comment')
  patchComment(): never {
    throw new DomainException(ErrorCode.CONFLICT, 'Comments are append-only; add another comment instead.');
  }

  @Delete('versions/:n/comments/:commentId')
  @ApiOperation({ summary: 'Refused: comments are kept as made (409)' })
  @ApiRefused('CONFLICT: comments are append-only and cannot be deleted')
  deleteComment(): never {
    throw new DomainException(ErrorCode.CONFLICT, 'Comments are append-only and cannot be deleted.');
  }

  @Get('versions/:n/export')
  @ApiOperation({ summary: 'The version as HTML or PDF in one language' })
  @ApiRenderedDocument('The version, rendered')
  @ApiErrors(BAD_QUERY, VERSION_NOT_FOUND)
  async exportVersion(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Param('n', VersionParam()) n: number,
    @Query() q: ExportQuery,
    @Res({ passthrough: true }) res: Response,
  ) {
    await this.drafts.assertReadable(actor, id, [n]);
    return send(res, await this.exports.version(id, n, q.format ?? 'html', q.lang ?? 'ru'));
  }

  @Get('diff')
  @ApiOperation({
    summary:
      'Article-by-article comparison of two versions: added, removed, moved, renumbered, changed, with word-level redlines',
  })
  @ApiOkResponse({ type: DraftDiffDto })
  @ApiErrors(BAD_QUERY, VERSION_NOT_FOUND, DIFF_TOO_LARGE, DIFF_TOO_COSTLY)
  async diff(@CurrentActor() actor: Actor, @Param('id') id: string, @Query() q: DiffQuery) {
    await this.drafts.assertReadable(actor, id, [q.from, q.to]);
    return this.review.diff(id, q.from, q.to, q.lang);
  }

  @Get('consolidation')
  @ApiOperation({
    summary:
      "For each article of a version: every state's comments and position, and whether the next version changed it",
  })
  @ApiOkResponse({ type: ConsolidationDto })
  @ApiErrors(BAD_QUERY, VERSION_NOT_FOUND, DIFF_TOO_LARGE, DIFF_TOO_COSTLY)
  async consolidation(@CurrentActor() actor: Actor, @Param('id') id: string, @Query() q: ConsolidationQuery) {
    await this.drafts.assertReadable(actor, id, [q.version]);
    return this.review.consolidation(id, q.version, actor);
  }

  @Get('comparison')
  @ApiOperation({
    summary:
      "The comparison table: base text | proposed text | the member states' comments, positions and reservations",
  })
  @ApiOkResponse({ type: ComparisonDto })
  @ApiErrors(BAD_QUERY, VERSION_NOT_FOUND, DIFF_TOO_LARGE, DIFF_TOO_COSTLY)
  async comparison(@CurrentActor() actor: Actor, @Param('id') id: string, @Query() q: ComparisonQuery) {
    await this.drafts.assertReadable(actor, id, [q.from, q.to]);
    return this.review.comparison(id, q.from, q.to, q.lang ?? 'ru', actor);
  }

  @Get('comparison/export')
  @ApiOperation({ summary: 'The comparison table as HTML or PDF' })
  @ApiRenderedDocument('The comparison table, rendered')
  @ApiErrors(BAD_QUERY, VERSION_NOT_FOUND, DIFF_TOO_LARGE, DIFF_TOO_COSTLY)
  async exportComparison(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Query() q: ComparisonExportQuery,
    @Res({ passthrough: true }) res: Response,
  ) {
    await this.drafts.assertReadable(actor, id, [q.from, q.to]);
    return send(res, await this.exports.comparison(id, q.from, q.to, q.format ?? 'html', q.lang ?? 'ru', actor));
  }
}

@ApiTags('drafts')
@ApiBearer()
@Controller('instances/:id/report')
export class AnalysisReportController {
  constructor(private readonly reports: AnalysisReportService) {}

  @Get()
  @ApiOperation({
    summary: '1(a): the final information assembled from the per-memorandum assessments and their findings',
  })
  @ApiOkResponse({ type: AnalysisReportDto })
  @ApiErrors(REPORT_NOT_FOUND, NOT_AN_ANALYSIS)
  report(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return this.reports.report(id, actor);
  }

  @Get('export')
  @ApiOperation({ summary: '1(a): the final information as HTML or PDF' })
  @ApiRenderedDocument('The final information, rendered')
  @ApiErrors(BAD_QUERY, REPORT_NOT_FOUND, NOT_AN_ANALYSIS)
  async export(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Query() q: ExportQuery,
    @Res({ passthrough: true }) res: Response,
  ) {
    return send(res, await this.reports.export(id, q.format ?? 'html', q.lang ?? 'ru', actor));
  }
}
