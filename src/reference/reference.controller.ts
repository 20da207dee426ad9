import { Roles } from '../common/roles.decorator';
import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query, Req } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { ApiBearer, ApiErrors } from '../common/openapi';
import {
  AtQueryDto,
  KIND_BY_PATH,
  parseCalendarDate,
  PartnerItemDto,
  RecordChangeDto,
  RecordEndDto,
  RecordPathDto,
  ReferenceItemDto,
  ReferenceVersionDto,
} from './reference.dto';
import { KIND_LABEL, ReferenceService } from './reference.service';
import type { PartnerItem, ReferenceItem, ReferenceVersion } from './reference.types';
import { MemberStateAsData } from '../common/member-state-as-data.decorator';

/** `?at=` as the start (UTC) of that day; undefined means now. Already validated by AtQueryDto. */
function atOf(query: AtQueryDto): Date | undefined {
  return query.at === undefined ? undefined : parseCalendarDate(query.at);
}

/**
 * Versioned reference data. Responses keep nulls as null: null means "not
 * confirmed" and is shown as such, never filled in.
 */
@ApiTags('reference')
@ApiBearer()
@Controller('reference')
export class ReferenceController {
  constructor(private readonly reference: ReferenceService) {}

  @Get('member-states')
  @ApiOperation({ summary: 'Member states valid at a date (default today), sorted by code' })
  @ApiOkResponse({ type: ReferenceItemDto, isArray: true })
  @ApiErrors({ status: 400, description: 'INVALID_PAYLOAD: at is not a YYYY-MM-DD date' })
  memberStates(@Query() query: AtQueryDto): Promise<ReferenceItem[]> {
    return this.reference.memberStates(atOf(query));
  }

  @Get('partners')
  @ApiOperation({ summary: 'Partners of every status (dialogue partners, observers, SCO partners) valid at a date' })
  @ApiOkResponse({ type: PartnerItemDto, isArray: true })
  @ApiErrors({ status: 400, description: 'INVALID_PAYLOAD: at is not a YYYY-MM-DD date' })
  partners(@Query() query: AtQueryDto): Promise<PartnerItem[]> {
    return this.reference.partners(atOf(query));
  }

  @Get('treaties')
  @ApiOperation({ summary: 'Treaties valid at a date (default today)' })
  @ApiOkResponse({ type: ReferenceItemDto, isArray: true })
  @ApiErrors({ status: 400, description: 'INVALID_PAYLOAD: at is not a YYYY-MM-DD date' })
  treaties(@Query() query: AtQueryDto): Promise<ReferenceItem[]> {
    return this.reference.treaties(atOf(query));
  }

  @Get('bodies')
  @ApiOperation({ summary: 'SCO bodies valid at a date (default today)' })
  @ApiOkResponse({ type: ReferenceItemDto, isArray: true })
  @ApiErrors({ status: 400, description: 'INVALID_PAYLOAD: at is not a YYYY-MM-DD date' })
  bodies(@Query() query: AtQueryDto): Promise<ReferenceItem[]> {
    return this.reference.bodies(atOf(query));
  }

  @Get(':kind/:code/history')
  @ApiOperation({ summary: 'Every version of one record, oldest first, with who recorded it and why' })
  @ApiOkResponse({ type: ReferenceVersionDto, isArray: true })
  @ApiErrors(
    { status: 400, description: 'INVALID_PAYLOAD: unknown kind' },
    { status: 404, description: 'NOT_FOUND: no record with this code' },
  )
  history(@Param() params: RecordPathDto): Promise<ReferenceVersion[]> {
    return this.reference.history(KIND_BY_PATH[params.kind], params.code);
  }

  @Get(':kind/:code')
  @ApiOperation({ summary: 'One record as valid at a date (default today)' })
  @ApiOkResponse({ type: ReferenceItemDto })
  @ApiErrors(
    { status: 400, description: 'INVALID_PAYLOAD: unknown kind or bad date' },
    { status: 404, description: 'NOT_FOUND: no record with this code valid at that date' },
  )
  async one(@Param() params: RecordPathDto, @Query() query: AtQueryDto): Promise<ReferenceItem> {
    const kind = KIND_BY_PATH[params.kind];
    const item = await this.reference.find(kind, params.code, atOf(query));
    if (item) return item;
    const known = await this.reference.history(kind, params.code); // NOT_FOUND when the code is unknown
    throw new DomainException(
      ErrorCode.NOT_FOUND,
      `The ${KIND_LABEL[kind]} "${params.code}" is not valid ${query.at ? `on ${query.at}` : 'today'} (see its ${known.length} version(s) in /history)`,
      { kind, code: params.code, at: query.at ?? null },
    );
  }

  // Reference data is changed by administrators and by nobody else; `recordedBy` is the caller.
  @MemberStateAsData('admin')
  @Post(':kind/:code')
  @Roles('admin')
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({
    summary:
      'Record a new version of a record (never an in-place edit): closes the current version at validFrom and adds the next one',
  })
  @ApiCreatedResponse({ type: ReferenceVersionDto })
  @ApiErrors(
    { status: 400, description: 'INVALID_PAYLOAD: invalid kind, body or data; nothing is written' },
    { status: 403, description: 'FORBIDDEN: administrators only' },
    { status: 404, description: 'NOT_FOUND: unknown code (send "create": true to add a record)' },
    { status: 409, description: 'CONFLICT: "create" on an existing code, or a concurrent change' },
    413,
    { status: 422, description: 'UNPROCESSABLE: validFrom earlier than the start of the current version' },
  )
  recordChange(
    @Param() params: RecordPathDto,
    @Body() body: RecordChangeDto,
    @Req() request: Request,
  ): Promise<ReferenceVersion> {
    return this.reference.recordChange(KIND_BY_PATH[params.kind], params.code, body.data, {
      by: recordedBy(request),
      note: body.note,
      validFrom: parseCalendarDate(body.validFrom) as Date,
      create: body.create ?? false,
    });
  }

  // Ending a record (a state ceases to be a member) is its own route, never mistaken for a new version.
  @MemberStateAsData('admin')
  @Post(':kind/:code/end')
  @Roles('admin')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    summary:
      'End a record without a successor (e.g. a state ceases to be a member): closes its current version at validTo, with who and why; open consensus rounds follow',
  })
  @ApiOkResponse({ type: ReferenceVersionDto })
  @ApiErrors(
    { status: 400, description: 'INVALID_PAYLOAD: invalid kind or body; nothing is written' },
    { status: 403, description: 'FORBIDDEN: administrators only' },
    { status: 404, description: 'NOT_FOUND: unknown code' },
    { status: 409, description: 'CONFLICT: the record has already ended, or a concurrent change' },
    413,
    { status: 422, description: 'UNPROCESSABLE: validTo earlier than the start of the current version' },
  )
  endRecord(
    @Param() params: RecordPathDto,
    @Body() body: RecordEndDto,
    @Req() request: Request,
  ): Promise<ReferenceVersion> {
    return this.reference.endRecord(KIND_BY_PATH[params.kind], params.code, {
      by: recordedBy(request),
      note: body.note,
      validTo: parseCalendarDate(body.validTo) as Date,
    });
  }
}

/** The authenticated administrator's id (the global auth guard has set it). */
function recordedBy(request: Request): string {
  return (request as Request & { actor: { id: string } }).actor.id;
}
