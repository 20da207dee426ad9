import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../../workflows/kernel/types';
import { CurrentActor } from '../auth/current-actor.decorator';
import { MemberStateAsData } from '../common/member-state-as-data.decorator';
import { Roles } from '../common/roles.decorator';
import { assertOnePosition, MAX_PAGE } from '../common/keyset-cursor';
import { ApiBearer, ApiErrors } from '../common/openapi';
import {
  CreatedWebhookSubscriptionDto,
  MarkedReadDto,
  NotificationDto,
  NotificationPageDto,
  UnreadCountDto,
  WebhookSubscriptionDto,
} from './notification-responses.dto';
import { CreateWebhookDto, ListNotificationsQuery } from './notifications.dto';
import { NotificationsService } from './notifications.service';
import { WebhooksService } from './webhooks.service';

@ApiTags('notifications')
@ApiBearer()
@Controller('notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @ApiOperation({
    summary: 'My notifications, newest first, paginated (?unread=true for the unread ones, ?topic= for one topic)',
    description: `page up to ${MAX_PAGE}; further with cursor=<nextCursor of the previous page>`,
  })
  @ApiOkResponse({ type: NotificationPageDto })
  @ApiErrors(400)
  list(@CurrentActor() actor: Actor, @Query() q: ListNotificationsQuery) {
    assertOnePosition(q.page, q.cursor);
    return this.notifications.list(actor.id, {
      unread: q.unread === 'true',
      topic: q.topic,
      page: q.page ?? 1,
      pageSize: q.pageSize ?? 25,
      cursor: q.cursor,
    });
  }

  @Get('unread-count')
  @ApiOperation({ summary: 'How many of my notifications are unread' })
  @ApiOkResponse({ type: UnreadCountDto })
  unreadCount(@CurrentActor() actor: Actor) {
    return this.notifications.unreadCount(actor.id);
  }

  @Post('read-all')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark all my notifications read' })
  @ApiOkResponse({ type: MarkedReadDto })
  readAll(@CurrentActor() actor: Actor) {
    return this.notifications.markAllRead(actor.id);
  }

  @Post(':id/read')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark one of my notifications read' })
  @ApiOkResponse({ type: NotificationDto })
  @ApiErrors({ status: 404, description: 'NOT_FOUND: you have no notification with this id' })
  read(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return this.notifications.markRead(actor.id, id);
  }
}

@ApiTags('notifications')
@ApiBearer()
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @Roles('manager', 'admin')
  @MemberStateAsData('manager', 'admin')
  @ApiOperation({
    summary: "Subscribe a URL to notifications (managers and administrators): your own or a member state's",
    description:
      'Each notification is POSTed as JSON with X-Amendflow-Signature: sha256=HMAC-SHA256(secret, "<X-Amendflow-Timestamp>.<body>"). The secret is returned only here and stored encrypted. The URL must not be, or resolve to, a loopback, private, link-local or otherwise internal address unless the deployment allows it (WEBHOOK_ALLOWED_HOSTS).',
  })
  @ApiCreatedResponse({ type: CreatedWebhookSubscriptionDto })
  @ApiErrors(
    {
      status: 400,
      description:
        'INVALID_PAYLOAD: not an http(s) URL without credentials, a host that does not resolve or resolves to an internal address, or not a current member state',
    },
    { status: 403, description: 'FORBIDDEN: only managers and administrators register webhooks' },
    { status: 409, description: 'CONFLICT: the subscriber already has the most active subscriptions allowed' },
    413,
  )
  create(@CurrentActor() actor: Actor, @Body() dto: CreateWebhookDto) {
    return this.webhooks.subscribe(actor, dto);
  }

  @Get()
  @ApiOperation({ summary: "My webhook subscriptions (managers and administrators: also the member states')" })
  @ApiOkResponse({ type: WebhookSubscriptionDto, isArray: true })
  list(@CurrentActor() actor: Actor) {
    return this.webhooks.list(actor);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a webhook subscription' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiErrors({ status: 404, description: 'NOT_FOUND: you have no webhook subscription with this id' })
  async remove(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<void> {
    await this.webhooks.unsubscribe(actor, id);
  }
}
