import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Actor } from '../../workflows/kernel/types';
import { CurrentActor } from '../auth/current-actor.decorator';
import { CreateWebhookDto, ListNotificationsQuery } from './notifications.dto';
import { NotificationsService } from './notifications.service';
import { WebhooksService } from './webhooks.service';

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('notifications')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get()
  @ApiOperation({ summary: 'My notifications, newest first, paginated (?unread=true for the unread ones)' })
  list(@CurrentActor() actor: Actor, @Query() q: ListNotificationsQuery) {
    return this.notifications.list(actor.id, {
      unread: q.unread === 'true',
      page: q.page ?? 1,
      pageSize: q.pageSize ?? 25,
    });
  }

  @Get('unread-count')
  @ApiOperation({ summary: 'How many of my notifications are unread' })
  unreadCount(@CurrentActor() actor: Actor) {
    return this.notifications.unreadCount(actor.id);
  }

  @Post('read-all')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark all my notifications read' })
  readAll(@CurrentActor() actor: Actor) {
    return this.notifications.markAllRead(actor.id);
  }

  @Post(':id/read')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark one of my notifications read' })
  read(@CurrentActor() actor: Actor, @Param('id') id: string) {
    return this.notifications.markRead(actor.id, id);
  }
}

@ApiTags('notifications')
@ApiBearerAuth()
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post()
  @ApiOperation({
    summary: "Subscribe a URL to notifications: your own, or (managers and administrators) a member state's",
    description:
      'Each notification is POSTed as JSON with X-Amendflow-Signature: sha256=HMAC-SHA256(secret, "<X-Amendflow-Timestamp>.<body>"). The secret is returned only here.',
  })
  create(@CurrentActor() actor: Actor, @Body() dto: CreateWebhookDto) {
    return this.webhooks.subscribe(actor, dto);
  }

  @Get()
  @ApiOperation({ summary: "My webhook subscriptions (managers and administrators: also the member states')" })
  list(@CurrentActor() actor: Actor) {
    return this.webhooks.list(actor);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a webhook subscription' })
  async remove(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<void> {
    await this.webhooks.unsubscribe(actor, id);
  }
}
