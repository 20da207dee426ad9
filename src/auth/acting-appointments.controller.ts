import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Actor } from '../../workflows/kernel/types';
import { ActingAppointmentDto, CreateActingAppointmentDto, ListActingAppointmentsQueryDto } from './auth.dto';
import { ActingAppointmentsService } from './acting-appointments.service';
import { ClientIp } from './client-ip.decorator';
import { CurrentActor } from './current-actor.decorator';
import { Roles } from './roles.decorator';
import { MemberStateAsData } from './member-state-naming.guard';

@ApiTags('acting appointments')
@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'The caller lacks the role the route needs' })
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
  async list(
    @Query() query: ListActingAppointmentsQueryDto,
    @CurrentActor() actor: Actor,
  ): Promise<ActingAppointmentDto[]> {
    const memberState = actor.role === 'approver' ? (actor.memberState ?? undefined) : query.memberState;
    return (await this.appointments.list({ ...query, memberState })).map(ActingAppointmentDto.from);
  }

  @Delete(':id')
  @Roles('manager', 'admin')
  @ApiOperation({ summary: 'Revoke an acting appointment (the record is kept)' })
  @ApiOkResponse({ type: ActingAppointmentDto })
  async revoke(
    @Param('id', ParseUUIDPipe) id: string,
    @CurrentActor() actor: Actor,
    @ClientIp() ip: string | null,
  ): Promise<ActingAppointmentDto> {
    return ActingAppointmentDto.from(await this.appointments.revoke(id, { actor, ip }));
  }
}
