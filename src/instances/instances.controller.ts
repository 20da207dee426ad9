import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../../workflows/kernel/types';
import { AuthService } from '../auth/auth.service';
import { CurrentActor } from '../auth/current-actor.decorator';
import { Roles } from '../auth/roles.decorator';
import { WorkflowEngine } from '../engine/engine.service';
import { CLOCK, type Clock } from '../infra/clock';
import { IdempotencyKey } from './idempotency-key.decorator';
import {
  ExtendDeadlineDto,
  ListInstancesQuery,
  MigrateInstanceDto,
  SendEventDto,
  StartInstanceDto,
} from './instances.dto';
import { InstancesService } from './instances.service';
import { WriteLimit } from '../auth/user-rate-limit.guard';

const IDEMPOTENCY_HEADER = {
  name: 'Idempotency-Key',
  required: false,
  description: 'Repeat a request safely: the same key returns the first result and applies nothing.',
};

@ApiTags('definitions')
@ApiBearerAuth()
@Controller('definitions')
export class DefinitionsController {
  constructor(private readonly instances: InstancesService) {}

  @Get()
  @ApiOperation({
    summary: 'The procedure definitions: states with labels, deadlines, events with roles and payload schemas',
  })
  list() {
    return this.instances.definitions();
  }

  @Get(':id')
  @ApiOperation({ summary: 'One procedure definition (newest version)' })
  one(@Param('id') id: string) {
    return this.instances.definition(id);
  }
}

@ApiTags('instances')
@ApiBearerAuth()
@Controller('instances')
export class InstancesController {
  constructor(
    private readonly engine: WorkflowEngine,
    private readonly instances: InstancesService,
    private readonly auth: AuthService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Start a procedure' })
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
  list(@CurrentActor() actor: Actor, @Query() query: ListInstancesQuery) {
    return this.instances.list(query, actor);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One procedure: stage, context, the events you may send now, open deadlines, children' })
  view(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return this.instances.view(id, actor);
  }

  @WriteLimit('events')
  @Post(':id/events')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send an event to a procedure' })
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

  @Get(':id/history')
  @ApiOperation({ summary: 'Every event applied, in order, with who, when and the hash chain' })
  history(@Param('id') id: string, @CurrentActor() actor: Actor) {
    return this.instances.history(id, actor);
  }

  @Get(':id/verify')
  @ApiOperation({ summary: "Verify the instance's hash chain; reports the first broken link" })
  verify(@Param('id') id: string) {
    return this.instances.verify(id);
  }

  @Post(':id/migrate')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Move a running procedure to another version of its definition (audited)' })
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
