import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../../workflows/kernel/types';
import { ApiBearer, ApiErrors } from '../common/openapi';
import { ActingAppointmentDto, CreateActingAppointmentDto, ListActingAppointmentsQueryDto } from './auth.dto';
import { ActingAppointmentsService } from './acting-appointments.service';
import { ClientIp } from './client-ip.decorator';
import { CurrentActor } from './current-actor.decorator';
import { Roles } from '../common/roles.decorator';
import { MemberStateAsData } from '../common/member-state-as-data.decorator';

@ApiTags('acting appointments')
@ApiBearer()
@Controller('acting-appointments')
export class ActingAppointmentsController {
  constructor(private readonly appointments: ActingAppointmentsService) {}

  @MemberStateAsData('manager', 'admin')
  @Post()
  @Roles('manager', 'admin')
  @ApiOperation({
    summary: 'Appoint an approver to stand in for an absent approver of the same member state during a period',
  })
  @ApiCreatedResponse({ type: ActingAppointmentDto })
  @ApiErrors(
    { status: 400, description: 'INVALID_PAYLOAD: invalid body, or validTo not later than validFrom' },
    { status: 403, description: 'FORBIDDEN: managers and administrators only' },
    { status: 404, description: 'NOT_FOUND: one of the two users does not exist' },
    { status: 409, description: 'CONFLICT: an appointment already involves one of these approvers in that period' },
    413,
    {
      status: 422,
      description:
        'UNPROCESSABLE: the period has ended, the users are not approvers of that member state, the same person, or deactivated',
    },
  )
  async appoint(
    @Body() body: CreateActingAppointmentDto,
    @CurrentActor() actor: Actor,
    @ClientIp() ip: string | null,
  ): Promise<ActingAppointmentDto> {
    return ActingAppointmentDto.from(await this.appointments.appoint(body, { actor, ip }));
  }

  @MemberStateAsData('manager', 'admin', 'legal_officer')
  @Get()
  @ApiOperation({ summary: 'List acting appointments; approvers see those of their own member state only' })
  @ApiOkResponse({ type: ActingAppointmentDto, isArray: true })
  @ApiErrors(400)
  async list(
    @Query() query: ListActingAppointmentsQueryDto,
    @CurrentActor() actor: Actor,
  ): Promise<ActingAppointmentDto[]> {
    const memberState = actor.role === 'approver' ? (actor.memberState ?? undefined) : query.memberState;
    return (await this.appointments.list({ ...query, memberState })).map((a) => ActingAppointmentDto.from(a));
  }

  @Delete(':id')
  @Roles('manager', 'admin')
  @ApiOperation({ summary: 'Revoke an acting appointment (the record is kept)' })
  @ApiOkResponse({ type: ActingAppointmentDto })
  @ApiErrors(
    { status: 400, description: 'INVALID_PAYLOAD: the id is not a UUID' },
    { status: 403, description: 'FORBIDDEN: managers and administrators only' },
    { status: 404, description: 'NOT_FOUND: no acting appointment with this id' },
    { status: 409, description: 'CONFLICT: the appointment was already revoked' },
  )
  async revoke(
    @Param('id', ParseUUIDPipe) id: string,
    @CurrentActor() actor: Actor,
    @ClientIp() ip: string | null,
  ): Promise<ActingAppointmentDto> {
    return ActingAppointmentDto.from(await this.appointments.revoke(id, { actor, ip }));
  }
}
