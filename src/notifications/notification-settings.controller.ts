import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Res, Sse } from '@nestjs/common';
import type { Observable } from 'rxjs';
import type { Response } from 'express';
import { ApiExcludeEndpoint, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../../workflows/kernel/types';
import { CurrentActor } from '../auth/current-actor.decorator';
import { Public } from '../auth/public.decorator';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { ApiBearer, ApiErrors } from '../common/openapi';
import { CalendarFeed } from './calendar-feed.service';
import { CalendarFeedDto, NotificationSettingsDto, UpdateNotificationSettingsDto } from './notification-settings.dto';
import { NotificationSettings } from './notification-settings.service';
import { NotificationStream, type UnreadEvent } from './notification-stream.service';

@ApiTags('notifications')
@ApiBearer()
@Controller('notifications')
export class NotificationSettingsController {
  constructor(private readonly settings: NotificationSettings) {}

  @Get('settings')
  @ApiOperation({
    summary: 'My notification settings: language, time zone, digest hour, delivery per topic, followed partners',
  })
  @ApiOkResponse({ type: NotificationSettingsDto })
  get(@CurrentActor() actor: Actor) {
    return this.settings.get(actor.id);
  }

  @Put('settings')
  @ApiOperation({ summary: 'Change my notification settings (only the fields given)' })
  @ApiOkResponse({ type: NotificationSettingsDto })
  @ApiErrors({
    status: 400,
    description: 'INVALID_PAYLOAD: an unknown language, time zone, topic, delivery or partner',
  })
  update(@CurrentActor() actor: Actor, @Body() dto: UpdateNotificationSettingsDto) {
    return this.settings.update(actor.id, dto);
  }

  @Post('calendar')
  @HttpCode(200)
  @ApiOperation({
    summary: 'A new private calendar (iCalendar) address for my deadlines; the previous one stops working',
  })
  @ApiOkResponse({ type: CalendarFeedDto })
  calendar(@CurrentActor() actor: Actor) {
    return this.settings.newCalendarToken(actor.id);
  }

  @Delete('calendar')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke my calendar address' })
  @ApiNoContentResponse()
  async revoke(@CurrentActor() actor: Actor): Promise<void> {
    await this.settings.revokeCalendar(actor.id);
  }
}

@ApiTags('notifications')
@ApiBearer()
@Controller('notifications')
export class NotificationStreamController {
  constructor(private readonly live: NotificationStream) {}

  // An endless text/event-stream: kept out of the OpenAPI document (documented in docs/notifications.md),
  // so clients generated from it, and the document's own conformance and fuzzing, do not wait on it.
  @Sse('stream')
  @ApiExcludeEndpoint()
  stream(@CurrentActor() actor: Actor): Observable<UnreadEvent> {
    return this.live.stream(actor.id);
  }
}

/** The calendar feed itself: public, the token in the address is the credential. */
@Public()
@Controller('calendar')
export class CalendarController {
  constructor(private readonly feed: CalendarFeed) {}

  @Get(':file')
  @ApiExcludeEndpoint()
  async get(@Param('file') file: string, @Res({ passthrough: true }) res: Response): Promise<string> {
    if (!file.endsWith('.ics'))
      throw new DomainException(
        ErrorCode.NOT_FOUND,
        'A calendar address ends in .ics; copy it whole from your notification settings.',
      );
    const body = await this.feed.feed(file.slice(0, -4));
    res.set({ 'Content-Type': 'text/calendar; charset=utf-8', 'Cache-Control': 'private, no-store' });
    return body;
  }
}
