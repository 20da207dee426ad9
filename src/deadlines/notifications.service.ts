import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import { DataSource, type EntityManager } from 'typeorm';
import { stateMeta } from '../../workflows/kernel/inspect';
import { NOTICE_TOPICS, type Labels, type NoticeTopic, type NotifyEffect } from '../../workflows/kernel/types';
import type { DefinitionRegistry } from '../../workflows/registry';
import { DEFINITIONS } from '../engine/engine.types';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { decodeCursor, encodeCursor } from '../common/keyset-cursor';
import { isUuid } from '../common/ids';
import type { OutboxMessage, OutboxPayloads } from '../engine/outbox-messages';
import { OutboxRelay } from '../engine/outbox.relay';
import { CLOCK, type Clock } from '../infra/clock';
import { execute, preparedRows, queryOne, queryRows } from '../infra/sql';
import { WEBHOOKS_QUEUE } from './deadline-jobs';
import { DEADLINE_SETTINGS, type DeadlineSettings } from './deadline-settings';

/** The payload the engine writes for every `effect.notify` a machine emits. */
export type NotifyMessage = OutboxPayloads['notify'];

export interface NotificationView {
  id: string;
  instanceId: string | null;
  kind: NotifyEffect['kind'];
  topic: NoticeTopic;
  subject: string;
  data: Record<string, unknown>;
  createdAt: string;
  readAt: string | null;
  /** How its mail went (null: no mail, e.g. in-app only or mail off). */
  mail: NotificationMailView | null;
}

/** The mail of one notification: its state and what the mail server answered for the recipient. */
export interface NotificationMailView {
  /** queued, digest (waits for the daily mail), sent (the server accepted it), refused (5xx), failed (no more tries). */
  status: string;
  attempts: number;
  sentAt: string | null;
  /** The last error, while retried or once refused or failed. */
  error: string | null;
  /** Addresses the server accepted (a later bounce is not read back) and rejected. */
  accepted: string[];
  rejected: string[];
  /** The server's last answer, e.g. `250 2.0.0 Ok: queued as 4F2A1`. */
  response: string | null;
  /** The Message-ID the mail went with: a bounce that comes back names it. */
  messageId: string | null;
}

/**
 * What a reader needs of each message's procedure ($1 the message's place, $2 its procedure, $3
 * its event's seq): title, subject, the stage after the event and the deadline the notice is about
 * (the one the event names, else the newest opened at or before it and open at it), by index
 * (`deadline_instance_opened`, migration 1700000072200).
 */
export const NOTICE_CONTEXTS_SQL = `SELECT x.i, i.definition_id, i.definition_version, i.subject, i.partner, e.state_after,
              d.key AS deadline_key, d.label AS deadline_label, d.due_at AS deadline_due_at
         FROM unnest($1::int[], $2::uuid[], $3::int[]) AS x(i, instance_id, seq)
         JOIN workflow_instance i ON i.id = x.instance_id
         LEFT JOIN workflow_event e ON e.instance_id = x.instance_id AND e.seq = x.seq
         LEFT JOIN LATERAL (
           SELECT key, label, due_at FROM deadline
            WHERE instance_id = x.instance_id AND opened_by_seq <= x.seq
              AND CASE WHEN jsonb_typeof(e.payload -> 'deadlineKey') = 'string' THEN key = e.payload ->> 'deadlineKey'
                       ELSE closed_by_seq IS NULL OR closed_by_seq > x.seq END
            ORDER BY opened_by_seq DESC LIMIT 1) d ON true`;

/**
 * The webhook deliveries of some messages' notifications ($1 the outbox ids, $2 the time): one per
 * (subscription, notification) for a person's own subscriptions, one per message for a member
 * state's. Driven from the active subscriptions (few, often none), each looking up the messages'
 * rows by (outbox_id, user_id): a plan made while the tables were small cannot turn into a scan of
 * every notification once they are large.
 */
export const WEBHOOK_DELIVERIES_SQL = `INSERT INTO webhook_delivery (id, subscription_id, notification_id, status, attempts, created_at)
         SELECT gen_random_uuid(), s.id, n.id, 'pending', 0, $2::timestamptz
           FROM webhook_subscription s
           JOIN LATERAL (SELECT n.id FROM notification n WHERE n.outbox_id = ANY($1::bigint[]) AND n.user_id = s.user_id) n ON true
          WHERE s.active AND s.user_id IS NOT NULL
         UNION ALL
         SELECT gen_random_uuid(), s.id, x.id, 'pending', 0, $2::timestamptz
           FROM webhook_subscription s
           JOIN LATERAL (
             SELECT DISTINCT ON (n.outbox_id) n.id
               FROM notification n JOIN app_user u ON u.id = n.user_id
              WHERE n.outbox_id = ANY($1::bigint[]) AND u.member_state = s.member_state
              ORDER BY n.outbox_id, n.user_id) x ON true
          WHERE s.active AND s.member_state IS NOT NULL
         ON CONFLICT (subscription_id, notification_id) DO NOTHING`;

/** The BullMQ job id of a webhook delivery: one job per delivery row. */
export const webhookJobId = (deliveryId: string): string => `wh-${deliveryId}`;

export interface WebhookJobData {
  deliveryId: string;
}

/** Told after some messages' notifications are committed: the outbox message ids and the ids of the new rows. */
export type StoredListener = (outboxIds: string[], created: string[]) => Promise<void>;

/** `at` plus `n` microseconds, as PostgreSQL reads a timestamp (a Date holds milliseconds only). */
function microsecondsAfter(at: Date, n: number): string {
  const ms = at.getTime() + Math.floor(n / 1000);
  return `${new Date(ms).toISOString().slice(0, 23)}${String(n % 1000).padStart(3, '0')}Z`;
}

function isLabels(v: unknown): v is Labels {
  return typeof v === 'object' && v !== null && 'en' in v && 'ru' in v && 'zh' in v;
}

interface NotificationRow {
  id: string;
  instance_id: string | null;
  kind: NotifyEffect['kind'];
  topic: NoticeTopic;
  subject: string;
  data: Record<string, unknown>;
  created_at: Date;
  read_at: Date | null;
  mail_status: string | null;
  mail_attempts: number;
  mail_error: string | null;
  mailed_at: Date | null;
  mail_delivery: { accepted?: string[]; rejected?: string[]; response?: string | null; messageId?: string } | null;
}

/**
 * A notification's context (`data`), stored once per outbox message in `notice` (migration
 * 1700000072000), read by the notification row `alias`'s outbox_id; `{}` if there is none.
 */
export const noticeData = (alias: string): string =>
  `COALESCE((SELECT m.data FROM notice m WHERE m.outbox_id = ${alias}.outbox_id), '{}'::jsonb)`;

/** The columns of a NotificationRow, from `notification n` (in a SELECT or an UPDATE's RETURNING). */
const NOTIFICATION_COLUMNS = `n.id, n.instance_id, n.kind, n.topic, n.subject, ${noticeData('n')} AS data, n.created_at, n.read_at,
  n.mail_status, n.mail_attempts, n.mail_error, n.mailed_at, n.mail_delivery`;

const view = (r: NotificationRow): NotificationView => ({
  id: r.id,
  instanceId: r.instance_id,
  kind: r.kind,
  topic: r.topic,
  subject: r.subject,
  data: r.data,
  createdAt: new Date(r.created_at).toISOString(),
  readAt: r.read_at ? new Date(r.read_at).toISOString() : null,
  mail: r.mail_status
    ? {
        status: r.mail_status,
        attempts: r.mail_attempts,
        sentAt: r.mailed_at ? new Date(r.mailed_at).toISOString() : null,
        error: r.mail_error,
        accepted: r.mail_delivery?.accepted ?? [],
        rejected: r.mail_delivery?.rejected ?? [],
        response: r.mail_delivery?.response ?? null,
        messageId: r.mail_delivery?.messageId ?? null,
      }
    : null,
});

/**
 * Notifications: the outbox handler for `notify` turns a machine's audience (roles, member
 * states, user ids) into the message's notice (its context, stored once) and one row per person —
 * unique per (outbox message, user), so a reminder
 * delivered or relayed twice never notifies anyone twice — and queues the webhook deliveries of
 * those rows. Also the reads and marks behind GET/POST /notifications.
 */
@Injectable()
export class NotificationsService implements OnModuleInit {
  private readonly log = new Logger('Notifications');
  private actingTable: Promise<boolean> | null = null;
  private readonly listeners: StoredListener[] = [];
  private readonly readListeners: ((userId: string) => Promise<void>)[] = [];

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(DEADLINE_SETTINGS) private readonly settings: DeadlineSettings,
    @InjectQueue(WEBHOOKS_QUEUE) private readonly webhooks: Queue<WebhookJobData>,
    private readonly relay: OutboxRelay,
    @Inject(DEFINITIONS) private readonly registry: DefinitionRegistry,
  ) {}

  onModuleInit(): void {
    this.relay.registerBatch('notify', (messages) => this.storeMany(messages).then(() => undefined));
  }

  /**
   * Called after the notifications of some messages are committed, with the messages' ids and the
   * ids of the rows that are new (mail and live counts hang off this). A listener must be
   * idempotent like the relay.
   */
  onStored(listener: StoredListener): void {
    this.listeners.push(listener);
  }

  /** Called after a reader marked notifications read (the live unread count follows). */
  onRead(listener: (userId: string) => Promise<void>): void {
    this.readListeners.push(listener);
  }

  private async read(userId: string): Promise<void> {
    for (const l of this.readListeners) await l(userId).catch((err: Error) => this.log.warn(err.message));
  }

  /** Stores the notifications of one outbox message and queues their webhooks; returns how many rows are new. */
  store(message: OutboxMessage<'notify'>): Promise<number> {
    return this.storeMany([message]);
  }

  /**
   * Stores the notifications of several outbox messages in one transaction, set-based: the
   * audiences (one query per distinct audience, one for the officers of every procedure), what a
   * reader needs of each procedure (one query), each message's notice and its readers' rows (one
   * statement) and their webhook deliveries (one insert), whatever the number of messages. Returns how many rows are new. Each message's
   * rows are stamped with the relay's time plus the message's place in the batch in microseconds,
   * so that a reader's list keeps the order in which the procedure sent them.
   */
  async storeMany(messages: OutboxMessage<'notify'>[]): Promise<number> {
    if (!messages.length) return 0;
    // A notice's procedure is its outbox row's, which a foreign key checked when the engine wrote
    // it; the notification rows keep it without a key of their own (migration 1700000071000).
    for (const message of messages)
      if ((message.payload.instanceId ?? null) !== message.instanceId)
        throw new Error(
          `notice ${message.id} names procedure ${message.payload.instanceId ?? 'none'} but its outbox row ${message.instanceId ?? 'none'}; not stored`,
        );
    const now = this.clock.now();
    const outboxIds = messages.map((message) => message.id);
    const created = await this.ds.transaction(async (m) => {
      const audiences = await this.audiences(
        m,
        messages.map((message) => ({
          audience: message.payload.effect.audience,
          instanceId: message.payload.instanceId ?? null,
        })),
        now,
      );
      const contexts = await this.contextsOf(m, messages);
      const rows: { user: string; message: OutboxMessage<'notify'>; at: string; topic: NoticeTopic }[] = [];
      const notices: { id: string; data: string }[] = [];
      messages.forEach((message, i) => {
        const users = audiences[i];
        if (!users.length) return;
        const p: NotifyMessage = message.payload;
        const topic: NoticeTopic =
          p.effect.topic && NOTICE_TOPICS.includes(p.effect.topic) ? p.effect.topic : p.effect.kind;
        const data = JSON.stringify({
          definitionId: p.definitionId,
          seq: p.seq,
          by: p.by,
          details: p.effect.data ?? null,
          ...contexts[i],
        });
        const at = microsecondsAfter(now, i);
        notices.push({ id: message.id, data });
        for (const user of users) rows.push({ user, message, at, topic });
      });
      if (!rows.length) return [];
      // the notice's context once per message (a message told again keeps its first), a row per reader
      const inserted = await preparedRows<{ id: string }>(
        m,
        `WITH notices AS (
           INSERT INTO notice (outbox_id, data) SELECT * FROM unnest($8::bigint[], $9::jsonb[])
           ON CONFLICT (outbox_id) DO NOTHING)
         INSERT INTO notification (id, user_id, instance_id, kind, topic, subject, outbox_id, created_at)
         SELECT gen_random_uuid(), r.u, r.instance_id, r.kind, r.topic, r.subject, r.outbox_id, r.at
           FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::timestamptz[])
                AS r(u, instance_id, kind, topic, subject, outbox_id, at)
         ON CONFLICT (outbox_id, user_id) DO NOTHING RETURNING id`,
        [
          rows.map((r) => r.user),
          rows.map((r) => r.message.payload.instanceId ?? null),
          rows.map((r) => r.message.payload.effect.kind),
          rows.map((r) => r.topic),
          rows.map((r) => String(r.message.payload.effect.subject).slice(0, 2000)),
          rows.map((r) => r.message.id),
          rows.map((r) => r.at),
          notices.map((x) => x.id),
          notices.map((x) => x.data),
        ],
      );
      // One delivery per (subscription, notification): a person's own subscriptions get each of
      // their notifications; a member state's subscription gets one per message for that state.
      await preparedRows(m, WEBHOOK_DELIVERIES_SQL, [outboxIds, now]);
      return inserted.map((r) => r.id);
    });
    // After commit (and again on a re-run): every delivery of these messages not yet made gets its job.
    const pending = await queryRows<{ id: string }>(
      this.ds,
      `SELECT d.id FROM webhook_delivery d JOIN notification n ON n.id = d.notification_id
        WHERE n.outbox_id = ANY($1::bigint[]) AND d.status = 'pending'`,
      [outboxIds],
    );
    if (pending.length) await this.queueDeliveries(pending.map((d) => d.id));
    for (const listener of this.listeners) await listener(outboxIds, created);
    if (created.length)
      this.log.debug(
        `${messages.length} message(s) (${[...new Set(messages.map((x) => x.payload.effect.topic ?? x.payload.effect.kind))].join(', ')}): ` +
          `${created.length} notification(s), ${pending.length} webhook(s)`,
      );
    return created.length;
  }

  /**
   * What a reader needs besides the machine's words, for each message (one query for them all):
   * the procedure's title, its subject, the stage it is in (labels in every language) and the
   * deadline the notice is about (a reminder's own; else the one open at that event).
   */
  private async contextsOf(m: EntityManager, messages: OutboxMessage<'notify'>[]): Promise<Record<string, unknown>[]> {
    const asked = messages
      .map((message, i) => ({ i, instanceId: message.payload.instanceId, seq: message.payload.seq }))
      .filter((x) => typeof x.instanceId === 'string' && isUuid(x.instanceId));
    const contexts: Record<string, unknown>[] = messages.map(() => ({}));
    if (!asked.length) return contexts;
    const rows = await preparedRows<{
      i: number;
      definition_id: string;
      definition_version: number;
      subject: string;
      partner: string | null;
      state_after: string | null;
      deadline_key: string | null;
      deadline_label: Labels | null;
      deadline_due_at: Date | null;
    }>(m, NOTICE_CONTEXTS_SQL, [asked.map((x) => x.i), asked.map((x) => x.instanceId), asked.map((x) => x.seq)]);
    for (const row of rows) {
      const effect = messages[row.i].payload.effect;
      const def = this.registry.get(row.definition_id, row.definition_version);
      const path = (row.state_after ?? '').split(',')[0];
      const given = effect.data?.stage;
      const stage: Labels | null = isLabels(given) ? given : def ? (stateMeta(def.machine, path)?.label ?? null) : null;
      contexts[row.i] = {
        topicTitle: def?.title ?? null,
        measure: def?.measure ?? null,
        procedureSubject: row.subject,
        partner: row.partner,
        stage,
        deadline:
          row.deadline_key !== null && row.deadline_due_at !== null
            ? { key: row.deadline_key, label: row.deadline_label, dueAt: new Date(row.deadline_due_at).toISOString() }
            : null,
      };
    }
    return contexts;
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
   * states, with the acting approvers appointed for them at `at`; the users named by id; the
   * legal officers who acted on the procedure (or who started it; every legal officer when none
   * did); less the users excepted.
   */
  async audience(
    m: EntityManager,
    audience: NotifyEffect['audience'],
    at: Date,
    instanceId: string | null = null,
  ): Promise<string[]> {
    return (await this.audiences(m, [{ audience, instanceId }], at))[0];
  }

  /**
   * `audience` for several at once: one query per distinct set of roles, member states and ids,
   * and one for the officers of every procedure named.
   */
  private async audiences(
    m: EntityManager,
    asked: { audience: NotifyEffect['audience']; instanceId: string | null }[],
    at: Date,
  ): Promise<string[][]> {
    // one statement at a time on the transaction's connection
    const named = new Map<string, string[]>();
    const bases: string[][] = [];
    for (const { audience } of asked) {
      const roles = (audience.roles ?? []).filter((r) => r !== 'system');
      const states = audience.memberStates ?? [];
      const ids = (audience.userIds ?? []).filter(isUuid);
      if (!roles.length && !states.length && !ids.length) {
        bases.push([]);
        continue;
      }
      const key = JSON.stringify([roles, states, ids]);
      let found = named.get(key);
      if (!found) {
        found = await this.namedUsers(m, roles, states, ids, at);
        named.set(key, found);
      }
      bases.push(found);
    }
    const officersOf = asked
      .filter((a) => a.audience.procedureOfficers === true && a.instanceId !== null)
      .map((a) => a.instanceId as string);
    const officers = officersOf.length
      ? await this.procedureOfficers(m, [...new Set(officersOf)])
      : new Map<string, string[]>();
    const result: string[][] = [];
    for (const [i, { audience, instanceId }] of asked.entries()) {
      const found = new Set(bases[i]);
      if (audience.procedureOfficers === true && instanceId !== null)
        for (const id of officers.get(instanceId) ?? []) found.add(id);
      for (const id of audience.exceptUserIds ?? []) found.delete(id);
      result.push([...found].sort());
    }
    return result;
  }

  /** The active users of the roles, the approvers (and acting approvers at `at`) of the states, and the users named. */
  private async namedUsers(
    m: EntityManager,
    roles: string[],
    states: string[],
    ids: string[],
    at: Date,
  ): Promise<string[]> {
    const acting = states.length && (await this.hasActingAppointments(m));
    const rows = await preparedRows<{ id: string }>(
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

  /**
   * The legal officers of each procedure: those who sent it an event or started it; all of them
   * when none is known. One query for every procedure, one more only if one of them has none.
   */
  private async procedureOfficers(m: EntityManager, instanceIds: string[]): Promise<Map<string, string[]>> {
    const rows = await preparedRows<{ instance_id: string; id: string }>(
      m,
      `SELECT x.id AS instance_id, u.id FROM unnest($1::uuid[]) AS x(id)
         JOIN app_user u ON u.active AND u.role = 'legal_officer'
          AND (u.id::text IN (SELECT DISTINCT actor_id FROM workflow_event WHERE instance_id = x.id AND actor_role = 'legal_officer')
               OR u.id::text = (SELECT started_by FROM workflow_instance WHERE id = x.id))
        ORDER BY 1, 2`,
      [instanceIds],
    );
    const officers = new Map<string, string[]>();
    for (const r of rows) officers.set(r.instance_id, [...(officers.get(r.instance_id) ?? []), r.id]);
    if (instanceIds.some((id) => !officers.has(id))) {
      const all = (
        await preparedRows<{ id: string }>(m, `SELECT id FROM app_user WHERE active AND role = 'legal_officer'`, [])
      ).map((r) => r.id);
      for (const id of instanceIds) if (!officers.has(id)) officers.set(id, all);
    }
    return officers;
  }

  private hasActingAppointments(m: EntityManager): Promise<boolean> {
    this.actingTable ??= queryRows<{ present: boolean }>(
      m,
      `SELECT to_regclass('acting_appointment') IS NOT NULL AS present`,
    ).then((r) => r[0].present);
    return this.actingTable;
  }

  // -- reads and marks for /notifications ------------------------------------------------------

  async list(
    userId: string,
    q: { unread?: boolean; topic?: NoticeTopic; page: number; pageSize: number; cursor?: string },
  ) {
    // the topic is one of NOTICE_TOPICS (checked by the query DTO): safe to inline as a literal
    const topic = q.topic && NOTICE_TOPICS.includes(q.topic) ? ` AND n.topic = '${q.topic}'` : '';
    const where = `n.user_id = $1${q.unread ? ' AND n.read_at IS NULL' : ''}${topic}`;
    const after = q.cursor === undefined ? null : decodeCursor(q.cursor);
    // From a cursor: the rows after the last one of the previous page (created_at DESC, id DESC).
    const [rows, [{ total }]] = await Promise.all([
      queryRows<NotificationRow & { cursor_at: string }>(
        this.ds,
        `SELECT ${NOTIFICATION_COLUMNS}, n.created_at::text AS cursor_at FROM notification n WHERE ${where}
         ${after ? 'AND (n.created_at, n.id) < ($4::timestamptz, $5::uuid)' : ''}
         ORDER BY n.created_at DESC, n.id DESC LIMIT $2 OFFSET $3`,
        after ? [userId, q.pageSize + 1, 0, after.at, after.id] : [userId, q.pageSize + 1, (q.page - 1) * q.pageSize],
      ),
      queryRows<{ total: number }>(this.ds, `SELECT count(*)::int AS total FROM notification n WHERE ${where}`, [
        userId,
      ]),
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
      `UPDATE notification n SET read_at = COALESCE(n.read_at, $3) WHERE n.id = $1 AND n.user_id = $2
       RETURNING ${NOTIFICATION_COLUMNS}`,
      [id, userId, this.clock.now()],
    );
    if (!row) throw new DomainException(ErrorCode.NOT_FOUND, `You have no notification "${id}".`);
    await this.read(userId);
    return view(row);
  }

  async markAllRead(userId: string): Promise<{ updated: number }> {
    const updated = await execute(
      this.ds,
      `UPDATE notification SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL`,
      [userId, this.clock.now()],
    );
    if (updated) await this.read(userId);
    return { updated };
  }
}
