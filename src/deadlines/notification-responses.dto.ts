/** What the notification, webhook and deadline-administration routes answer, for the OpenAPI document. */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { NOTICE_TOPICS, type NoticeTopic, type NotifyEffect } from '../../workflows/kernel/types';
import { ANY_OBJECT } from '../common/openapi';
import type { ReconcileReport } from './deadline-reconciler.service';
import type { NotificationMailView, NotificationView } from './notifications.service';
import type { WebhookSubscriptionView } from './webhooks.service';

export class NotificationMailDto implements NotificationMailView {
  @ApiProperty({
    enum: ['queued', 'digest', 'sent', 'refused', 'failed'],
    description:
      'queued; digest (waits for the daily mail); sent (the mail server accepted it: a bounce that comes later is not read back); refused (the server answered 5xx or rejected the recipient; not retried); failed (no answer or 4xx until the last try)',
  })
  status!: string;
  @ApiProperty({ type: 'integer', description: 'Tries so far' }) attempts!: number;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) sentAt!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The last error the server gave' }) error!: string | null;
  @ApiProperty({ type: String, isArray: true, description: 'Recipients the mail server accepted' })
  accepted!: string[];
  @ApiProperty({ type: String, isArray: true, description: 'Recipients the mail server rejected' })
  rejected!: string[];
  @ApiProperty({ type: String, nullable: true, description: "The server's last answer, e.g. 250 2.0.0 Ok: queued" })
  response!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The Message-ID of the mail, as a bounce names it' })
  messageId!: string | null;
}

export class NotificationDto implements NotificationView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) instanceId!: string | null;
  @ApiProperty({ enum: ['reminder', 'escalation', 'info'] }) kind!: NotifyEffect['kind'];
  @ApiProperty({ enum: NOTICE_TOPICS, description: 'What the notification is about' }) topic!: NoticeTopic;
  @ApiProperty() subject!: string;
  @ApiProperty({ ...ANY_OBJECT, description: 'What the procedure attached (deadline, stage, days left…)' })
  data!: Record<string, unknown>;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) readAt!: string | null;
  @ApiProperty({
    type: NotificationMailDto,
    nullable: true,
    description: 'How its mail went; null when no mail is sent for it (in the application only, or mail off)',
  })
  mail!: NotificationMailDto | null;
}

export class NotificationPageDto {
  @ApiProperty({ type: NotificationDto, isArray: true }) items!: NotificationDto[];
  @ApiProperty({ type: 'integer' }) total!: number;
  @ApiProperty({ type: 'integer' }) page!: number;
  @ApiProperty({ type: 'integer' }) pageSize!: number;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as cursor to read the next page; null on the last page',
  })
  nextCursor!: string | null;
}

export class UnreadCountDto {
  @ApiProperty({ type: 'integer' }) unread!: number;
}

export class MarkedReadDto {
  @ApiProperty({ type: 'integer', description: 'How many notifications were unread and are now read' })
  updated!: number;
}

export class WebhookSubscriptionDto implements WebhookSubscriptionView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The subscriber, for a personal subscription' })
  userId!: string | null;
  @ApiProperty({ type: String, nullable: true, description: "The member state, for a member state's subscription" })
  memberState!: string | null;
  @ApiProperty() url!: string;
  @ApiProperty() active!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

export class CreatedWebhookSubscriptionDto extends WebhookSubscriptionDto {
  @ApiProperty({ description: 'The signing secret: returned only here, once' }) secret!: string;
}

export class ReconcileReportDto implements ReconcileReport {
  @ApiProperty({ type: 'integer', description: 'Unprocessed deadline.sync outbox rows run again' })
  outboxRerun!: number;
  @ApiProperty({ type: 'integer', description: 'Open deadlines compared' }) checked!: number;
  @ApiProperty({ type: 'integer', description: 'Planned jobs missing from Redis and added' }) readded!: number;
  @ApiProperty({ type: 'integer', description: 'Jobs of closed, gone or moved deadlines removed' }) removed!: number;
  @ApiProperty({ type: 'integer', description: 'Failed jobs of open deadlines retried' }) retried!: number;
  @ApiProperty({
    type: 'integer',
    description: 'Pending webhook deliveries whose job was missing from Redis, queued again',
  })
  webhooksRequeued!: number;
  @ApiProperty({ type: 'integer' }) durationMs!: number;
  @ApiPropertyOptional({ description: 'Set when another process held the reconciliation lock' }) skipped?: string;
}
