import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../../workflows/kernel/types';
import { CurrentActor } from '../auth/current-actor.decorator';
import { Roles } from '../auth/roles.decorator';
import { IdempotencyKey } from '../instances/idempotency-key.decorator';
import { InstancesService } from '../instances/instances.service';
import { AnswerDto } from './approvals.dto';
import { ApprovalsService } from './approvals.service';
import { WriteLimit } from '../auth/user-rate-limit.guard';

@ApiTags('approvals')
@ApiBearerAuth()
@Controller()
export class ApprovalsController {
  constructor(
    private readonly approvals: ApprovalsService,
    private readonly instances: InstancesService,
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

  @WriteLimit('events')
  @Post('approvals/:instanceId/answer')
  @HttpCode(200)
  @Roles('approver')
  @ApiHeader({ name: 'Idempotency-Key', required: false })
  @ApiOperation({
    summary: 'Answer for my member state on a named draft version: agree, reservation, objection, or comments',
  })
  async answer(
    @CurrentActor() actor: Actor,
    @Param('instanceId') id: string,
    @Body() dto: AnswerDto,
    @IdempotencyKey() key: string | null,
  ) {
    const result = await this.approvals.answer(id, actor, dto, key);
    return { result, instance: await this.instances.view(result.instanceId, actor) };
  }

  @Get('instances/:id/approvals')
  @ApiOperation({
    summary: 'Approval matrix: every round, each member state × position, who, when, on which version, acting-for',
  })
  matrix(@Param('id') id: string) {
    return this.approvals.matrix(id);
  }
}
