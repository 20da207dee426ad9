import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { type Queue, UnrecoverableError } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { NoticeTopic } from '../../workflows/kernel/types';
import { NotificationsService, noticeData } from '../deadlines/notifications.service';
import { CLOCK, type Clock } from '../infra/clock';
import { RUNTIME, type Runtime } from '../infra/runtime';
import { execute, queryOne, queryRows } from '../infra/sql';
import { ReferenceService } from '../reference/reference.service';
import { renderDigest, renderNotification, type MailItem, type StateNames } from './mail-templates';
import { MailRefused, MailTransport, type MailDelivery } from './mail-transport';
import { localClock, readerLocale } from './reader-locale';

export const MAIL_QUEUE = 'mail';
/** The job scheduler that looks every hour for readers whose digest hour has come. */
export const DIGEST_SCHEDULER = 'notification-digest';
export const mailJobId = (notificationId: string): string => `mail-${notificationId}`;
export const digestJobId = (digestId: string): string => `digest-${digestId}`;

export type MailJobData = { notificationId: string } | { digestId: string } | { tick: true };

interface Reader {
  email: string;
  language: string | null;
  time_zone: string | null;
  member_state: string | null;
  active: boolean;
}

interface NotificationMailRow extends Reader {
  id: string;
  topic: NoticeTopic;
  subject: string;
  instance_id: string | null;
  data: Record<string, unknown>;
  mail_status: string | null;
}

const toItem = (r: Pick<NotificationMailRow, 'topic' | 'subject' | 'instance_id' | 'data'>): MailItem => ({
  topic: r.topic,
  subject: r.subject,
  instanceId: r.instance_id,
  data: r.data,
});

/**
 * Notification mail: for every new notification, the reader's preference for its topic decides
 * (in the application only, a mail at once, or the daily digest). A mail at once is a BullMQ job
 * with the notification's id as job id (one mail per reader and event, whatever re-runs), retried
 * with back-off while the server answers 4xx or does not answer; a 5xx answer is a refusal,
 * recorded on the notification and not retried. The digest: an hourly job scheduler (one
 * schedule, whatever the number of processes) finds the readers whose chosen hour has come in
 * their time zone; a digest row per reader and local day (unique) makes it one mail a day.
 */
@Injectable()
export class NotificationMail implements OnModuleInit, OnApplicationBootstrap {
  private readonly log = new Logger('NotificationMail');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(RUNTIME) private readonly runtime: Runtime,
    @InjectQueue(MAIL_QUEUE) readonly queue: Queue<MailJobData>,
    private readonly modules: ModuleRef,
    private readonly reference: ReferenceService,
    private readonly transport: MailTransport,
  ) {}

  onModuleInit(): void {
    this.transport.announce();
    this.modules
      .get(NotificationsService, { strict: false })
      .onStored((outboxIds) => this.dispatch(outboxIds).then(() => undefined));
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.transport.enabled) return;
    // Idempotent across processes: every process upserts the same scheduler id.
    await this.queue.upsertJobScheduler(
      DIGEST_SCHEDULER,
      { pattern: '0 * * * *' },
      { name: 'digest-tick', data: { tick: true } },
    );
  }

  /** Decides the mail of each notification of these outbox messages that has none yet, and queues those due now. */
  async dispatch(outboxIds: string[]): Promise<number> {
    if (!this.transport.enabled) return 0;
    await execute(
      this.ds,
      `UPDATE notification n SET mail_status = CASE WHEN COALESCE(p.delivery, 'email') = 'digest' THEN 'digest' ELSE 'queued' END
         FROM notification x
         JOIN app_user u ON u.id = x.user_id
         LEFT JOIN notification_preference p ON p.user_id = x.user_id AND p.topic = x.topic
        WHERE n.id = x.id AND x.outbox_id = ANY($1::bigint[]) AND x.mail_status IS NULL AND u.active
          AND COALESCE(p.delivery, 'email') <> 'in_app'`,
      [outboxIds],
    );
    const queued = await queryRows<{ id: string }>(
      this.ds,
      `SELECT id FROM notification WHERE outbox_id = ANY($1::bigint[]) AND mail_status = 'queued'`,
      [outboxIds],
    );
    await this.queueMails(queued.map((r) => r.id));
    return queued.length;
  }

  async queueMails(ids: string[]): Promise<void> {
    if (!ids.length) return;
    const env = this.runtime.env;
    await this.queue.addBulk(
      ids.map((id) => ({
        name: 'notification',
        data: { notificationId: id },
        opts: {
          jobId: mailJobId(id),
          attempts: env.MAIL_ATTEMPTS,
          backoff: { type: 'exponential', delay: env.MAIL_BACKOFF_MS },
          removeOnComplete: { age: 14 * 24 * 3600 },
          removeOnFail: { age: 30 * 24 * 3600 },
        },
      })),
    );
  }

  private async stateNames(): Promise<StateNames> {
    const states = await this.reference.memberStates(this.clock.now());
    return Object.fromEntries(
      states.map((s) => [s.code, { en: s.name.en ?? s.code, ru: s.name.ru ?? undefined, zh: s.name.zh ?? undefined }]),
    );
  }

  /** Sends the mail of one notification (a job); says what it did. */
  async sendNotification(id: string, attempt: number, attempts: number): Promise<string> {
    const row = await queryOne<NotificationMailRow>(
      this.ds,
      `SELECT n.id, n.topic, n.subject, n.instance_id, ${noticeData('n')} AS data, n.mail_status, u.email, u.language, u.time_zone, u.member_state, u.active
         FROM notification n JOIN app_user u ON u.id = n.user_id WHERE n.id = $1`,
      [id],
    );
    if (!row) return 'skipped: the notification is gone';
    if (row.mail_status !== 'queued') return `skipped: mail already ${row.mail_status ?? 'not wanted'}`;
    if (!row.active) {
      await this.record(`notification`, id, 'failed', 'the reader is no longer active');
      return 'skipped: the reader is no longer active';
    }
    const locale = readerLocale({ language: row.language, timeZone: row.time_zone, memberState: row.member_state });
    const mail = renderNotification(toItem(row), locale, this.transport.publicUrl, await this.stateNames());
    let delivery: MailDelivery;
    try {
      delivery = await this.transport.send({
        to: row.email,
        ...mail,
        reference: `notification-${id}`,
        language: locale.language,
      });
    } catch (err) {
      return this.failed('notification', id, err, attempt, attempts);
    }
    await execute(
      this.ds,
      `UPDATE notification SET mail_status = 'sent', mailed_at = $2, mail_attempts = mail_attempts + 1, mail_error = NULL,
              mail_delivery = $3::jsonb WHERE id = $1`,
      [id, this.clock.now(), JSON.stringify(delivery)],
    );
    return `sent to ${row.email} (${locale.language}): ${delivery.response ?? 'accepted'}`;
  }

  /** A refusal is recorded and not retried; anything else is retried until the last attempt, then recorded as failed. */
  private async failed(
    kind: 'notification' | 'digest',
    id: string,
    err: unknown,
    attempt: number,
    attempts: number,
  ): Promise<never> {
    const refused = err instanceof MailRefused && err.permanent;
    const message = err instanceof Error ? err.message : String(err);
    const last = refused || attempt >= attempts;
    const delivery = err instanceof MailRefused ? err.delivery : null;
    await this.record(kind, id, refused ? 'refused' : last ? 'failed' : null, message, delivery);
    if (refused) throw new UnrecoverableError(`refused by the mail server: ${message}`);
    throw err instanceof Error ? err : new Error(message);
  }

  private async record(
    kind: 'notification' | 'digest',
    id: string,
    status: string | null,
    error: string,
    delivery: MailDelivery | null = null,
  ) {
    const answered = delivery ? JSON.stringify(delivery) : null;
    if (kind === 'notification')
      await execute(
        this.ds,
        `UPDATE notification SET mail_attempts = mail_attempts + 1, mail_error = $2, mail_status = COALESCE($3, mail_status),
                mail_delivery = COALESCE($4::jsonb, mail_delivery) WHERE id = $1`,
        [id, error, status, answered],
      );
    else {
      await execute(
        this.ds,
        `UPDATE notification_digest SET attempts = attempts + 1, error = $2, status = COALESCE($3, status) WHERE id = $1`,
        [id, error, status],
      );
      if (status)
        await execute(
          this.ds,
          `UPDATE notification SET mail_status = $2, mail_error = $3, mail_attempts = mail_attempts + 1,
                  mail_delivery = COALESCE($4::jsonb, mail_delivery) WHERE digest_id = $1`,
          [id, status, error, answered],
        );
    }
  }

  /**
   * The hourly look: every reader with notifications waiting for the digest whose chosen hour has
   * come (or passed) today in their time zone gets today's digest, once. Returns the digests queued.
   */
  async digestTick(): Promise<number> {
    if (!this.transport.enabled) return 0;
    const now = this.clock.now();
    const readers = await queryRows<{
      id: string;
      time_zone: string | null;
      member_state: string | null;
      language: string | null;
      digest_hour: number;
    }>(
      this.ds,
      `SELECT u.id, u.time_zone, u.member_state, u.language, u.digest_hour FROM app_user u
        WHERE u.active AND EXISTS (SELECT 1 FROM notification n WHERE n.user_id = u.id AND n.mail_status = 'digest' AND n.digest_id IS NULL)`,
    );
    const queued: string[] = [];
    for (const r of readers) {
      const { timeZone } = readerLocale({ language: r.language, timeZone: r.time_zone, memberState: r.member_state });
      const local = localClock(now, timeZone);
      if (local.hour < r.digest_hour) continue;
      const digestId = await this.ds.transaction(async (m) => {
        const [made] = await queryRows<{ id: string }>(
          m,
          `INSERT INTO notification_digest (id, user_id, local_date, status, items, created_at)
           VALUES ($1, $2, $3::date, 'queued', 0, $4) ON CONFLICT (user_id, local_date) DO NOTHING RETURNING id`,
          [randomUUID(), r.id, local.date, now],
        );
        if (!made) return null;
        const n = await execute(
          m,
          `UPDATE notification SET digest_id = $2 WHERE user_id = $1 AND mail_status = 'digest' AND digest_id IS NULL AND created_at <= $3`,
          [r.id, made.id, now],
        );
        await execute(m, `UPDATE notification_digest SET items = $2 WHERE id = $1`, [made.id, n]);
        return made.id;
      });
      if (digestId) queued.push(digestId);
    }
    const env = this.runtime.env;
    if (queued.length)
      await this.queue.addBulk(
        queued.map((id) => ({
          name: 'digest',
          data: { digestId: id },
          opts: {
            jobId: digestJobId(id),
            attempts: env.MAIL_ATTEMPTS,
            backoff: { type: 'exponential', delay: env.MAIL_BACKOFF_MS },
            removeOnComplete: { age: 14 * 24 * 3600 },
            removeOnFail: { age: 30 * 24 * 3600 },
          },
        })),
      );
    return queued.length;
  }

  /** Sends one digest (a job). */
  async sendDigest(id: string, attempt: number, attempts: number): Promise<string> {
    const d = await queryOne<Reader & { status: string; local_date: string }>(
      this.ds,
      `SELECT g.status, g.local_date::text AS local_date, u.email, u.language, u.time_zone, u.member_state, u.active
         FROM notification_digest g JOIN app_user u ON u.id = g.user_id WHERE g.id = $1`,
      [id],
    );
    if (!d) return 'skipped: the digest is gone';
    if (d.status !== 'queued') return `skipped: digest already ${d.status}`;
    const items = await queryRows<NotificationMailRow>(
      this.ds,
      `SELECT n.id, n.topic, n.subject, n.instance_id, ${noticeData('n')} AS data
         FROM notification n WHERE n.digest_id = $1 ORDER BY n.created_at, n.id`,
      [id],
    );
    const locale = readerLocale({ language: d.language, timeZone: d.time_zone, memberState: d.member_state });
    const mail = renderDigest(
      items.map(toItem),
      locale,
      this.transport.publicUrl,
      await this.stateNames(),
      d.local_date,
    );
    let delivery: MailDelivery;
    try {
      delivery = await this.transport.send({
        to: d.email,
        ...mail,
        reference: `digest-${id}`,
        language: locale.language,
      });
    } catch (err) {
      return this.failed('digest', id, err, attempt, attempts);
    }
    const now = this.clock.now();
    await this.ds.transaction(async (m) => {
      await execute(
        m,
        `UPDATE notification_digest SET status = 'sent', sent_at = $2, attempts = attempts + 1, error = NULL WHERE id = $1`,
        [id, now],
      );
      await execute(
        m,
        `UPDATE notification SET mail_status = 'sent', mailed_at = $2, mail_error = NULL, mail_delivery = $3::jsonb WHERE digest_id = $1`,
        [id, now, JSON.stringify(delivery)],
      );
    });
    return `digest of ${items.length} sent to ${d.email} (${locale.language})`;
  }
}
