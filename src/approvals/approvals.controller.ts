import { Body, Controller, Get, HttpCode, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { Actor } from '../../workflows/kernel/types';
import { CurrentActor } from '../auth/current-actor.decorator';
import { Roles } from '../common/roles.decorator';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { IdempotencyKey } from '../common/idempotency-key.decorator';
import { InstanceViews } from '../engine/instance-view';
import { AnswerDto } from './approvals.dto';
import { ApprovalsService } from './approvals.service';

/**
 * The member state an answer counts for comes from the caller's identity only. A request that
 * tries to name one (query or header) is refused outright rather than silently ignored, so a
 * client bug or an attempt is visible.
 */
function refuseNamedState(req: Request, actor: Actor): void {
  const named = [req.query.memberState, req.query.state, req.headers['x-member-state']].filter((v) => v !== undefined);
  if (named.length)
    throw new DomainException(
      ErrorCode.FORBIDDEN,
      `The member state of an answer comes from your identity (${actor.memberState ?? 'none'}); it cannot be named in the request.`,
    );
}

@ApiTags('approvals')
@ApiBearerAuth()
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
  inbox(@CurrentActor() actor: Actor) {
    return this.approvals.inbox(actor);
  }

  @Get('approvals/history')
  @Roles('approver')
  @ApiOperation({ summary: 'Every answer my member state has given' })
  history(@CurrentActor() actor: Actor) {
    return this.approvals.history(actor);
  }

  @Post('approvals/:instanceId/answer')
  @HttpCode(200)
  @Roles('approver')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiOperation({
    summary: 'Answer for my member state on a named draft version: agree, reservation, objection, or comments',
  })
  async answer(
    @CurrentActor() actor: Actor,
    @Req() req: Request,
    @Param('instanceId') id: string,
    @Body() dto: AnswerDto,
    @IdempotencyKey() key: string | null,
  ) {
    refuseNamedState(req, actor);
    const result = await this.approvals.answer(id, actor, dto, key);
    return { result, instance: await this.views.view(result.instanceId, actor) };
  }

  @Get('instances/:id/approvals')
  @ApiOperation({
    summary: 'Approval matrix: every round, each member state × position, who, when, on which version, acting-for',
  })
  matrix(@Param('id') id: string) {
    return this.approvals.matrix(id);
  }
}
