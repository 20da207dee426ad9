import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Actor } from '../../workflows/kernel/types';
import { CurrentActor } from '../auth/current-actor.decorator';
import { Roles } from '../common/roles.decorator';
import { ApiBearer, ApiErrors } from '../common/openapi';
import { IdempotencyKey } from '../common/idempotency-key.decorator';
import { InstanceViews } from '../engine/instance-view';
import { AnswerRecordDto, ApprovalMatrixDto, InboxDto } from './approval-responses.dto';
import { PrefersRepresentation } from '../common/prefer-representation.decorator';
import { AnswerDto, StatementRequestDto } from './approvals.dto';
import { ApprovalsService } from './approvals.service';
import { WriteLimit } from '../auth/user-rate-limit.guard';

@ApiTags('approvals')
@ApiBearer()
@Controller()
export class ApprovalsController {
  constructor(
    private readonly approvals: ApprovalsService,
    private readonly views: InstanceViews,
  ) {}

  @Get('approvals/inbox')
  @Roles('approver')
  @ApiOperation({
    summary: "What waits for my member state's answer: procedure, stage, draft version, deadline, days left",
  })
  @ApiOkResponse({ type: InboxDto })
  @ApiErrors({ status: 403, description: 'FORBIDDEN: member-state approvers only' })
  inbox(@CurrentActor() actor: Actor) {
    return this.approvals.inbox(actor);
  }

  @Get('approvals/history')
  @Roles('approver')
  @ApiOperation({ summary: 'Every answer my member state has given' })
  @ApiOkResponse({ type: AnswerRecordDto, isArray: true })
  @ApiErrors({ status: 403, description: 'FORBIDDEN: member-state approvers only' })
  history(@CurrentActor() actor: Actor) {
    return this.approvals.history(actor);
  }

  @Post('approvals/:instanceId/statement')
  @HttpCode(200)
  @Roles('approver')
  @ApiOperation({
    summary:
      'The statement to sign for an answer (nothing is recorded): canonical text for Ed25519, challenge for a passkey, valid 15 minutes',
  })
  @ApiOkResponse({ schema: { type: 'object', additionalProperties: true } })
  @ApiErrors(
    { status: 400, description: 'INVALID_PAYLOAD: invalid body, or an answer of the wrong kind for the round' },
    { status: 403, description: 'FORBIDDEN: member-state approvers only' },
    { status: 404, description: 'NOT_FOUND: no procedure with this id' },
    { status: 409, description: 'CONFLICT: nothing waits for an answer, or the draft version is outdated' },
    413,
  )
  statement(@CurrentActor() actor: Actor, @Param('instanceId') id: string, @Body() dto: StatementRequestDto) {
    return this.approvals.statement(id, actor, dto);
  }

  @WriteLimit('events')
  @Post('approvals/:instanceId/answer')
  @HttpCode(200)
  @Roles('approver')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiHeader({
    name: 'Prefer',
    required: false,
    description: '`return=representation`: the answer also carries the procedure as it stands after it (`instance`)',
  })
  @ApiOperation({
    summary: 'Answer for my member state on a named draft version: agree, reservation, objection, or comments',
  })
  // The recorded event; the procedure as it stands after it only when asked for (Prefer: return=representation).
  @ApiOkResponse({
    schema: {
      type: 'object',
      required: ['result'],
      properties: {
        result: { $ref: getSchemaPath('ApplyResultDto') },
        instance: {
          allOf: [{ $ref: getSchemaPath('InstanceViewDto') }],
          description: 'Only with `Prefer: return=representation`',
        },
      },
    },
  })
  @ApiErrors(
    {
      status: 400,
      description:
        'INVALID_PAYLOAD: invalid body, an answer of the wrong kind for the round, or a signature that does not verify for this answer',
    },
    {
      status: 403,
      description:
        'FORBIDDEN: member-state approvers only; the member state cannot be named in the request; answers must be signed (ANSWER_SIGNING=required); the signing key is pending or revoked',
    },
    { status: 404, description: 'NOT_FOUND: no procedure with this id' },
    {
      status: 409,
      description:
        'CONFLICT: nothing waits for an answer, the draft version is outdated (details.currentVersion), the stage refuses, or a concurrent update',
    },
    413,
  )
  async answer(
    @CurrentActor() actor: Actor,
    @Param('instanceId') id: string,
    @Body() dto: AnswerDto,
    @IdempotencyKey() key: string | null,
    @PrefersRepresentation() full: boolean,
  ) {
    const result = await this.approvals.answer(id, actor, dto, key);
    return full ? { result, instance: await this.views.view(result.instanceId, actor) } : { result };
  }

  @Get('instances/:id/approvals')
  @ApiOperation({
    summary: 'Approval matrix: every round, each member state × position, who, when, on which version, acting-for',
  })
  @ApiOkResponse({ type: ApprovalMatrixDto })
  @ApiErrors({ status: 404, description: 'NOT_FOUND: no procedure with this id' })
  matrix(@Param('id') id: string) {
    return this.approvals.matrix(id);
  }
}
