import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import { DataSource, type EntityManager } from 'typeorm';
import type { NotifyEffect } from '../../workflows/kernel/types';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { decodeCursor, encodeCursor } from '../common/keyset-cursor';
import { isUuid } from '../common/ids';
import type { OutboxMessage, OutboxPayloads } from '../engine/outbox-messages';
import { OutboxRelay } from '../engine/outbox.relay';
import { CLOCK, type Clock } from '../infra/clock';
import { execute, queryOne, queryRows } from '../infra/sql';
import { WEBHOOKS_QUEUE } from './deadline-jobs';
import { DEADLINE_SETTINGS, type DeadlineSettings } from './deadline-settings';

/** The payload the engine writes for every `effect.notify` a machine emits. */
export type NotifyMessage = OutboxPayloads['notify'];

export interface NotificationView {
  id: string;
  instanceId: string | null;
  kind: NotifyEffect['kind'];
  subject: string;
  data: Record<string, unknown>;
  createdAt: string;
  readAt: string | null;
}

/** The BullMQ job id of a webhook delivery: one job per delivery row. */
export const webhookJobId = (deliveryId: string): string => `wh-${deliveryId}`;

export interface WebhookJobData {
  deliveryId: string;
}

interface NotificationRow {
  id: string;
  instance_id: string | null;
  kind: NotifyEffect['kind'];
  subject: string;
  data: Record<string, unknown>;
  created_at: Date;
  read_at: Date | null;
}

const view = (r: NotificationRow): NotificationView => ({
  id: r.id,
  instanceId: r.instance_id,
  kind: r.kind,
  subject: r.subject,
  data: r.data,
  createdAt: new Date(r.created_at).toISOString(),
  readAt: r.read_at ? new Date(r.read_at).toISOString() : null,
});

/**
 * Notifications: the outbox handler for `notify` turns a machine's audience (roles, member
 * states, user ids) into one row per person — unique per (outbox message, user), so a reminder
 * delivered or relayed twice never notifies anyone twice — and queues the webhook deliveries of
 * those rows. Also the reads and marks behind GET/POST /notifications.
 */
@Injectable()
export class NotificationsService implements OnModuleInit {
  private readonly log = new Logger('Notifications');
  private actingTable: Promise<boolean> | null = null;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(DEADLINE_SETTINGS) private readonly settings: DeadlineSettings,
    @InjectQueue(WEBHOOKS_QUEUE) private readonly webhooks: Queue<WebhookJobData>,
    private readonly relay: OutboxRelay,
  ) {}

  onModuleInit(): void {
    this.relay.register('notify', (m) => this.store(m).then(() => undefined));
  }

  /** Stores the notifications of one outbox message and queues their webhooks; returns how many rows are new. */
  async store(message: OutboxMessage<'notify'>): Promise<number> {
    const p: NotifyMessage = message.payload;
    const effect = p.effect;
    const now = this.clock.now();
    const created = await this.ds.transaction(async (m) => {
      const users = await this.audience(m, effect.audience, now);
      if (!users.length) return 0;
      const data = { definitionId: p.definitionId, seq: p.seq, by: p.by, details: effect.data ?? null };
      const inserted = await queryRows<{ id: string }>(
        m,
        `INSERT INTO notification (id, user_id, instance_id, kind, subject, data, outbox_id, created_at)
         SELECT gen_random_uuid(), u, $2::uuid, $3::text, $4::text, $5::jsonb, $6::bigint, $7::timestamptz FROM unnest($1::uuid[]) AS u
         ON CONFLICT (outbox_id, user_id) DO NOTHING RETURNING id`,
        [
          users,
          p.instanceId ?? null,
          effect.kind,
          String(effect.subject).slice(0, 2000),
          JSON.stringify(data),
          message.id,
          now,
        ],
      );
      // One delivery per (subscription, notification): a person's own subscriptions get each of
      // their notifications; a member state's subscription gets one per message for that state.
      await execute(
        m,
        `INSERT INTO webhook_delivery (id, subscription_id, notification_id, status, attempts, created_at)
         SELECT gen_random_uuid(), s.id, n.id, 'pending', 0, $2::timestamptz
           FROM notification n JOIN webhook_subscription s ON s.active AND s.user_id = n.user_id
          WHERE n.outbox_id = $1
         UNION ALL
         SELECT gen_random_uuid(), x.sid, x.nid, 'pending', 0, $2::timestamptz FROM (
           SELECT DISTINCT ON (s.id) s.id AS sid, n.id AS nid
             FROM notification n
             JOIN app_user u ON u.id = n.user_id
             JOIN webhook_subscription s ON s.active AND s.member_state = u.member_state
            WHERE n.outbox_id = $1
            ORDER BY s.id, n.user_id) x
         ON CONFLICT (subscription_id, notification_id) DO NOTHING`,
        [message.id, now],
      );
      return inserted.length;
    });
    // After commit (and again on a re-run): every delivery of this message not yet made gets its job.
    const pending = await queryRows<{ id: string }>(
      this.ds,
      `SELECT d.id FROM webhook_delivery d JOIN notification n ON n.id = d.notification_id WHERE n.outbox_id = $1 AND d.status = 'pending'`,
      [message.id],
    );
    if (pending.length) await this.queueDeliveries(pending.map((d) => d.id));
    if (created)
      this.log.debug(`${effect.kind} "${effect.subject}": ${created} notification(s), ${pending.length} webhook(s)`);
    return created;
  }

  /** The `webhooks` queue (the reconciler checks which delivery jobs it still holds). */
  get webhookQueue(): Queue<WebhookJobData> {
    return this.webhooks;
  }

  async queueDeliveries(deliveryIds: string[]): Promise<void> {
    await this.webhooks.addBulk(
      deliveryIds.map((id) => ({
        name: 'POST',
        data: { deliveryId: id },
        opts: {
          jobId: webhookJobId(id),
          attempts: this.settings.webhookAttempts,
          backoff: { type: 'exponential', delay: this.settings.webhookBackoffMs },
          removeOnComplete: { age: this.settings.keepCompletedSeconds },
          removeOnFail: { age: this.settings.keepFailedSeconds },
        },
      })),
    );
  }

  /**
   * The active users an audience names: every user of the roles; the approvers of the member
   * states, with the acting approvers appointed for them at `at`; the users named by id.
   */
  async audience(m: EntityManager, audience: NotifyEffect['audience'], at: Date): Promise<string[]> {
    const roles = (audience.roles ?? []).filter((r) => r !== 'system');
    const states = audience.memberStates ?? [];
    const ids = (audience.userIds ?? []).filter(isUuid);
    if (!roles.length && !states.length && !ids.length) return [];
    const acting = states.length && (await this.hasActingAppointments(m));
    const rows = await queryRows<{ id: string }>(
      m,
      `SELECT id FROM app_user WHERE active AND role = ANY($1::text[])
       UNION SELECT id FROM app_user WHERE active AND role = 'approver' AND member_state = ANY($2::text[])
       UNION SELECT id FROM app_user WHERE active AND id = ANY($3::uuid[])
       ${
         acting
           ? `UNION SELECT a.acting_user_id FROM acting_appointment a JOIN app_user u ON u.id = a.acting_user_id
             WHERE u.active AND a.member_state = ANY($2::text[]) AND a.revoked_at IS NULL AND a.valid_from <= $4 AND a.valid_to > $4`
           : ''
       }
       ORDER BY 1`,
      acting ? [roles, states, ids, at] : [roles, states, ids],
    );
    return rows.map((r) => r.id);
  }

  private hasActingAppointments(m: EntityManager): Promise<boolean> {
    this.actingTable ??= queryRows<{ present: boolean }>(
      m,
      `SELECT to_regclass('acting_appointment') IS NOT NULL AS present`,
    ).then((r) => r[0].present);
    return this.actingTable;
  }

  // -- reads and marks for /notifications ------------------------------------------------------

  async list(userId: string, q: { unread?: boolean; page: number; pageSize: number; cursor?: string }) {
    const where = `user_id = $1${q.unread ? ' AND read_at IS NULL' : ''}`;
    const after = q.cursor === undefined ? null : decodeCursor(q.cursor);
    // From a cursor: the rows after the last one of the previous page (created_at DESC, id DESC).
    const [rows, [{ total }]] = await Promise.all([
      queryRows<NotificationRow & { cursor_at: string }>(
        this.ds,
        `SELECT id, instance_id, kind, subject, data, created_at, read_at, created_at::text AS cursor_at FROM notification WHERE ${where}
         ${after ? 'AND (created_at, id) < ($4::timestamptz, $5::uuid)' : ''}
         ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3`,
        after ? [userId, q.pageSize + 1, 0, after.at, after.id] : [userId, q.pageSize + 1, (q.page - 1) * q.pageSize],
      ),
      queryRows<{ total: number }>(this.ds, `SELECT count(*)::int AS total FROM notification WHERE ${where}`, [userId]),
    ]);
    const more = rows.length > q.pageSize;
    if (more) rows.pop();
    const last = rows[rows.length - 1];
    return {
      items: rows.map(view),
      total,
      page: q.page,
      pageSize: q.pageSize,
      nextCursor: more && last ? encodeCursor({ at: last.cursor_at, id: last.id }) : null,
    };
  }

  async unreadCount(userId: string): Promise<{ unread: number }> {
    const [{ n }] = await queryRows<{ n: number }>(
      this.ds,
      `SELECT count(*)::int AS n FROM notification WHERE user_id = $1 AND read_at IS NULL`,
      [userId],
    );
    return { unread: n };
  }

  /** Marks one of the caller's notifications read (the first read time is kept). */
  async markRead(userId: string, id: string): Promise<NotificationView> {
    if (!isUuid(id)) throw new DomainException(ErrorCode.NOT_FOUND, `You have no notification "${id}".`);
    const row = await queryOne<NotificationRow>(
      this.ds,
      `UPDATE notification SET read_at = COALESCE(read_at, $3) WHERE id = $1 AND user_id = $2
       RETURNING id, instance_id, kind, subject, data, created_at, read_at`,
      [id, userId, this.clock.now()],
    );
    if (!row) throw new DomainException(ErrorCode.NOT_FOUND, `You have no notification "${id}".`);
    return view(row);
  }

  async markAllRead(userId: string): Promise<{ updated: number }> {
    const updated = await execute(
      this.ds,
      `UPDATE notification SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL`,
      [userId, this.clock.now()],
    );
    return { updated };
  }
}
