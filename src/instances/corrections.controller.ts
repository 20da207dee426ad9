import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../../workflows/kernel/types';
import { CurrentActor } from '../auth/current-actor.decorator';
import { WriteLimit } from '../auth/user-rate-limit.guard';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { IdempotencyKey } from '../common/idempotency-key.decorator';
import { ApiBearer, ApiErrors } from '../common/openapi';
import { Roles } from '../common/roles.decorator';
import { WorkflowEngine } from '../engine/engine.service';
import { InstanceViews } from '../engine/instance-view';
import { CorrectionsViewDto, ProposeCorrectionDto, RejectCorrectionDto } from './corrections.dto';
import { TransitionResponseDto } from './instance-responses.dto';
import { InstancesService } from './instances.service';

const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description: 'Repeat a request safely: the same key returns the first result and applies nothing.',
};

const CorrectionParam = () =>
  new ParseIntPipe({
    exceptionFactory: () =>
      new DomainException(ErrorCode.INVALID_PAYLOAD, 'The correction in the path must be its number, such as 17.'),
  });

const DECIDE_ERRORS = [
  { status: 400, description: 'INVALID_PAYLOAD: the correction number or the body is invalid' },
  { status: 403, description: 'FORBIDDEN: legal officers and managers only' },
  { status: 404, description: 'NOT_FOUND: no procedure, or no such correction on it' },
  {
    status: 409,
    description:
      'CONFLICT: already decided, four-eyes (the proposer cannot confirm), the record changed meanwhile, a rule of the original event refuses the corrected record, or an idempotency key reused',
  },
  413,
] as const;

/**
 * Corrections of wrongly recorded facts: proposed with a reason, confirmed by a second officer
 * (four-eyes) or rejected; each step an event in the procedure's history.
 */
@ApiTags('instances')
@ApiBearer()
@Controller('instances/:id/corrections')
export class CorrectionsController {
  constructor(
    private readonly engine: WorkflowEngine,
    private readonly views: InstanceViews,
    private readonly instances: InstancesService,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'The corrections of a procedure (who, why, old and new value, review) and what may be corrected',
  })
  @ApiOkResponse({ type: CorrectionsViewDto })
  @ApiErrors({ status: 404, description: 'NOT_FOUND: no procedure with this id' })
  list(@Param('id') id: string) {
    return this.views.corrections(id);
  }

  @WriteLimit('events')
  @Post()
  @HttpCode(200)
  @Roles('legal_officer', 'manager')
  @ApiOperation({
    summary:
      'Propose the correction of a recorded fact, with a reason; it takes effect once another officer confirms it',
  })
  @ApiOkResponse({ type: TransitionResponseDto })
  @ApiErrors(
    {
      status: 400,
      description: 'INVALID_PAYLOAD: invalid body, a fact that cannot be corrected, or a value that fails its schema',
    },
    { status: 403, description: 'FORBIDDEN: legal officers and managers only' },
    { status: 404, description: 'NOT_FOUND: no procedure with this id' },
    {
      status: 409,
      description:
        'CONFLICT: nothing recorded yet, the same value, a correction of the fact already pending, a rule of the original event refuses it, or an idempotency key reused',
    },
    413,
  )
  @ApiHeader(IDEMPOTENCY_HEADER)
  async propose(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() dto: ProposeCorrectionDto,
    @IdempotencyKey() key: string | null,
  ) {
    const result = await this.engine.proposeCorrection({
      instanceId: id,
      field: dto.field,
      value: dto.value,
      reason: dto.reason,
      actor,
      idempotencyKey: key,
    });
    return { result, instance: await this.instances.view(result.instanceId, actor) };
  }

  @WriteLimit('events')
  @Post(':n/confirm')
  @HttpCode(200)
  @Roles('legal_officer', 'manager')
  @ApiOperation({ summary: 'Confirm a proposed correction (not its proposer): the record reads the new value' })
  @ApiOkResponse({ type: TransitionResponseDto })
  @ApiErrors(...DECIDE_ERRORS)
  @ApiHeader(IDEMPOTENCY_HEADER)
  async confirm(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Param('n', CorrectionParam()) n: number,
    @IdempotencyKey() key: string | null,
  ) {
    const result = await this.engine.decideCorrection({
      instanceId: id,
      correction: n,
      decision: 'confirm',
      actor,
      idempotencyKey: key,
    });
    return { result, instance: await this.instances.view(result.instanceId, actor) };
  }

  @WriteLimit('events')
  @Post(':n/reject')
  @HttpCode(200)
  @Roles('legal_officer', 'manager')
  @ApiOperation({ summary: 'Reject a proposed correction, with a reason (its proposer may take it back so)' })
  @ApiOkResponse({ type: TransitionResponseDto })
  @ApiErrors(...DECIDE_ERRORS)
  @ApiHeader(IDEMPOTENCY_HEADER)
  async reject(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Param('n', CorrectionParam()) n: number,
    @Body() dto: RejectCorrectionDto,
    @IdempotencyKey() key: string | null,
  ) {
    const result = await this.engine.decideCorrection({
      instanceId: id,
      correction: n,
      decision: 'reject',
      reason: dto.reason,
      actor,
      idempotencyKey: key,
    });
    return { result, instance: await this.instances.view(result.instanceId, actor) };
  }
}
