import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../../workflows/kernel/types';
import { AuthService } from '../auth/auth.service';
import { CurrentActor } from '../auth/current-actor.decorator';
import { ApiBearer, ApiErrors } from '../common/openapi';
import { Roles } from '../common/roles.decorator';
import { WorkflowEngine } from '../engine/engine.service';
import { CLOCK, type Clock } from '../infra/clock';
import { IdempotencyKey } from '../common/idempotency-key.decorator';
import {
  ExtendDeadlineDto,
  LinkFindingDto,
  ListInstancesQuery,
  MigrateInstanceDto,
  SendEventDto,
  StartInstanceDto,
} from './instances.dto';
import {
  DefinitionDto,
  EventRecordDto,
  InstancePageDto,
  InstanceViewDto,
  TransitionResponseDto,
} from './instance-responses.dto';
import { InstancesService } from './instances.service';
import { EvidenceVerificationDto } from '../record/evidence.dto';
import { EvidenceService } from '../record/evidence.service';
import { WriteLimit } from '../auth/user-rate-limit.guard';

const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description: 'Repeat a request safely: the same key returns the first result and applies nothing.',
};

@ApiTags('definitions')
@ApiBearer()
@Controller('definitions')
export class DefinitionsController {
  constructor(private readonly instances: InstancesService) {}

  @Get()
  @ApiOperation({
    summary: 'The procedure definitions: states with labels, deadlines, events with roles and payload schemas',
  })
  @ApiOkResponse({ type: DefinitionDto, isArray: true })
  list() {
    return this.instances.definitions();
  }

  @Get(':id')
  @ApiOperation({ summary: 'One procedure definition (newest version)' })
  @ApiOkResponse({ type: DefinitionDto })
  @ApiErrors({ status: 404, description: 'NOT_FOUND: no definition with this id' })
  one(@Param('id') id: string) {
    return this.instances.definition(id);
  }
}

@ApiTags('instances')
@ApiBearer()
@Controller('instances')
export class InstancesController {
  constructor(
    private readonly engine: WorkflowEngine,
    private readonly instances: InstancesService,
    private readonly auth: AuthService,
    private readonly evidence: EvidenceService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Start a procedure' })
  @ApiCreatedResponse({ type: TransitionResponseDto })
  @ApiErrors(
    { status: 400, description: 'INVALID_PAYLOAD: the body or the start input does not match its schema' },
    { status: 403, description: 'FORBIDDEN: your role may not start this procedure' },
    { status: 404, description: 'NOT_FOUND: no definition with this id' },
    { status: 409, description: 'CONFLICT: the idempotency key was used for another request' },
    413,
  )
  @ApiHeader(IDEMPOTENCY_HEADER)
  async start(@CurrentActor() actor: Actor, @Body() dto: StartInstanceDto, @IdempotencyKey() key: string | null) {
    const result = await this.engine.start({
      definitionId: dto.definitionId,
      input: dto.input,
      actor,
      idempotencyKey: key,
    });
    return { result, instance: await this.instances.view(result.instanceId, actor) };
  }

  @Get()
  @ApiOperation({ summary: 'List procedures, filtered and paginated' })
  @ApiOkResponse({ type: InstancePageDto })
  @ApiErrors(400)
  list(@CurrentActor() actor: Actor, @Query() query: ListInstancesQuery) {
    return this.instances.list(query, actor);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One procedure: stage, context, the events you may send now, open deadlines, children' })
  @ApiOkResponse({ type: InstanceViewDto })
  @ApiErrors({ status: 404, description: 'NOT_FOUND: no procedure with this id' })
  view(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return this.instances.view(id, actor);
  }

  @WriteLimit('events')
  @Post(':id/events')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send an event to a procedure' })
  @ApiOkResponse({ type: TransitionResponseDto })
  @ApiErrors(
    { status: 400, description: 'INVALID_PAYLOAD: unknown event type, or the payload does not match its schema' },
    { status: 403, description: 'FORBIDDEN: your role (or member state) may not send this event' },
    { status: 404, description: 'NOT_FOUND: no procedure with this id' },
    {
      status: 409,
      description:
        'CONFLICT: the stage refuses the event, a business rule forbids it, the procedure is closed, a concurrent update, or an idempotency key reused',
    },
    413,
  )
  @ApiHeader(IDEMPOTENCY_HEADER)
  async send(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() dto: SendEventDto,
    @IdempotencyKey() key: string | null,
  ) {
    // An acting approver answers with both identities recorded (memberState, actingFor).
    const sender = actor.role === 'approver' ? await this.auth.resolveActing(actor, this.clock.now()) : actor;
    const result = await this.engine.apply({
      instanceId: id,
      type: dto.type,
      payload: dto.payload ?? {},
      actor: sender,
      idempotencyKey: key,
    });
    return { result, instance: await this.instances.view(result.instanceId, actor) };
  }

  @WriteLimit('events')
  @Post(':id/finding-links')
  @HttpCode(200)
  @Roles('legal_officer')
  @ApiOperation({
    summary:
      'Link a finding of a 1(a) analysis and a 1(c), 1(d) or 1(e) procedure, from either side, at any stage (a closed procedure included); recorded as an event on both',
  })
  @ApiOkResponse({ type: TransitionResponseDto })
  @ApiErrors(
    {
      status: 400,
      description:
        'INVALID_PAYLOAD: invalid body, no such finding, or the other procedure does not exist or is not of a kind a finding feeds',
    },
    { status: 403, description: 'FORBIDDEN: legal officers only' },
    { status: 404, description: 'NOT_FOUND: no procedure with this id' },
    {
      status: 409,
      description: 'CONFLICT: already linked, this procedure takes no finding links, or an idempotency key reused',
    },
    413,
  )
  @ApiHeader(IDEMPOTENCY_HEADER)
  async linkFinding(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Body() dto: LinkFindingDto,
    @IdempotencyKey() key: string | null,
  ) {
    const sides = await this.instances.linkSides(id, dto);
    const result = await this.engine.linkFinding({ ...sides, actor, idempotencyKey: key });
    return { result, instance: await this.instances.view(id, actor) };
  }

  @Get(':id/history')
  @ApiOperation({ summary: 'Every event applied, in order, with who, when and the hash chain' })
  @ApiOkResponse({ type: EventRecordDto, isArray: true })
  @ApiErrors({ status: 404, description: 'NOT_FOUND: no procedure with this id' })
  history(@Param('id') id: string, @CurrentActor() actor: Actor) {
    return this.instances.history(id, actor);
  }

  @Get(':id/verify')
  @ApiOperation({
    summary:
      "Verify the procedure's record: the hash chain (first broken link), the events replayed through the machine against the stored snapshot and read models, the service's signed checkpoints and the signed answers",
  })
  @ApiOkResponse({ type: EvidenceVerificationDto })
  @ApiErrors({ status: 404, description: 'NOT_FOUND: no procedure with this id' })
  verify(@Param('id') id: string) {
    return this.evidence.verifySummary(id);
  }

  @Post(':id/migrate')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Move a running procedure to another version of its definition (audited)' })
  @ApiOkResponse({ type: TransitionResponseDto })
  @ApiErrors(
    { status: 400, description: 'INVALID_PAYLOAD: invalid body, or a state of the mapping does not exist' },
    { status: 403, description: 'FORBIDDEN: administrators only' },
    { status: 404, description: 'NOT_FOUND: no procedure, or no such version of its definition' },
    {
      status: 409,
      description:
        'CONFLICT: already on that version, the procedure is closed, or the mapping would move it into a final stage or past a review or consensus its record does not show (BUSINESS_RULE)',
    },
    413,
  )
  async migrate(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() dto: MigrateInstanceDto) {
    const result = await this.engine.migrate({
      instanceId: id,
      toVersion: dto.toVersion,
      stateMapping: dto.stateMapping,
      reason: dto.reason,
      actor,
    });
    return { result, instance: await this.instances.view(result.instanceId, actor) };
  }

  @Post(':id/deadlines/:key/extend')
  @HttpCode(200)
  @Roles('manager')
  @ApiOperation({ summary: 'Extend an open deadline, with a reason (managers)' })
  @ApiOkResponse({ type: TransitionResponseDto })
  @ApiErrors(
    { status: 400, description: 'INVALID_PAYLOAD: invalid body, or the new due date is not in the future' },
    { status: 403, description: 'FORBIDDEN: managers only' },
    { status: 404, description: 'NOT_FOUND: no procedure, or no open deadline with this key' },
    { status: 409, description: 'CONFLICT: a concurrent update, or an idempotency key reused' },
    413,
  )
  @ApiHeader(IDEMPOTENCY_HEADER)
  async extend(
    @CurrentActor() actor: Actor,
    @Param('id') id: string,
    @Param('key') deadlineKey: string,
    @Body() dto: ExtendDeadlineDto,
    @IdempotencyKey() key: string | null,
  ) {
    const result = await this.engine.extendDeadline({
      instanceId: id,
      deadlineKey,
      dueAt: new Date(dto.dueAt),
      reason: dto.reason,
      actor,
      idempotencyKey: key,
    });
    return { result, instance: await this.instances.view(result.instanceId, actor) };
  }
}
