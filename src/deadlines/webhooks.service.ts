import { createHmac, randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { UnrecoverableError, type Job } from 'bullmq';
import { DataSource } from 'typeorm';
import type { Actor } from '../../workflows/kernel/types';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { isUuid } from '../common/ids';
import { CLOCK, type Clock } from '../infra/clock';
import { execute, queryOne, queryRows } from '../infra/sql';
import { ReferenceService } from '../reference/reference.service';
import { DEADLINE_SETTINGS, type DeadlineSettings } from './deadline-settings';
import type { WebhookJobData } from './notifications.service';

export const SIGNATURE_HEADER = 'x-amendflow-signature';
export const TIMESTAMP_HEADER = 'x-amendflow-timestamp';
export const DELIVERY_HEADER = 'x-amendflow-delivery';

/** `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>" with the subscription's secret>` */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface WebhookSubscriptionView {
  id: string;
  userId: string | null;
  memberState: string | null;
  url: string;
  active: boolean;
  createdAt: string;
}

interface SubscriptionRow {
  id: string;
  user_id: string | null;
  member_state: string | null;
  url: string;
  active: boolean;
  created_at: Date;
}

/** A webhook_delivery with its subscription and notification, as a delivery job reads it. */
interface DeliveryRow {
  id: string;
  status: 'pending' | 'delivered' | 'failed' | 'cancelled';
  url: string;
  secret: string;
  active: boolean;
  subscription_id: string;
  member_state: string | null;
  notification_id: string;
  user_id: string;
  instance_id: string | null;
  kind: string;
  subject: string;
  data: unknown;
  created_at: Date;
}

const view = (r: SubscriptionRow): WebhookSubscriptionView => ({
  id: r.id,
  userId: r.user_id,
  memberState: r.member_state,
  url: r.url,
  active: r.active,
  createdAt: new Date(r.created_at).toISOString(),
});

const MANAGES_STATES = ['manager', 'admin'];
const MAX_PER_OWNER = 10;

export function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '' && !u.username && !u.password;
  } catch {
    return false;
  }
}

/**
 * Webhook subscriptions (a person's own, or a member state's, kept by a manager or an
 * administrator) and the delivery of one notification to one subscription: a signed JSON POST
 * with a timeout, retried by BullMQ with exponential backoff on network errors, timeouts, 408,
 * 429 and 5xx; other answers fail at once. The `webhook_delivery` row is the record: a delivery
 * already made is never POSTed again by a re-queued job.
 */
@Injectable()
export class WebhooksService {
  private readonly log = new Logger('Webhooks');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(DEADLINE_SETTINGS) private readonly settings: DeadlineSettings,
    private readonly reference: ReferenceService,
  ) {}

  async subscribe(
    actor: Actor,
    dto: { url: string; memberState?: string | null; secret?: string | null },
  ): Promise<WebhookSubscriptionView & { secret: string }> {
    if (!isHttpUrl(dto.url))
      throw new DomainException(
        ErrorCode.INVALID_PAYLOAD,
        'url must be an http:// or https:// URL without credentials.',
      );
    const state = dto.memberState ?? null;
    if (state) {
      if (!MANAGES_STATES.includes(actor.role))
        throw new DomainException(
          ErrorCode.FORBIDDEN,
          `Subscribing for a member state needs the role manager or admin; you are ${actor.role}.`,
          { requiredRoles: MANAGES_STATES },
        );
      const states = await this.reference.memberStateCodes(this.clock.now());
      if (!states.includes(state))
        throw new DomainException(
          ErrorCode.INVALID_PAYLOAD,
          `${state} is not a current member state (${states.join(', ')}).`,
        );
    }
    const owner = state ? { column: 'member_state', value: state } : { column: 'user_id', value: actor.id };
    const [{ n }] = await queryRows<{ n: number }>(
      this.ds,
      `SELECT count(*)::int AS n FROM webhook_subscription WHERE active AND ${owner.column} = $1`,
      [owner.value],
    );
    if (n >= MAX_PER_OWNER)
      throw new DomainException(
        ErrorCode.CONFLICT,
        `At most ${MAX_PER_OWNER} active webhook subscriptions per ${state ? 'member state' : 'person'}; delete one first.`,
      );
    const secret = dto.secret ?? randomBytes(32).toString('base64url');
    const [row] = await queryRows<SubscriptionRow>(
      this.ds,
      `INSERT INTO webhook_subscription (id, user_id, member_state, url, secret, active, created_by, created_at)
       VALUES (gen_random_uuid(), $1, $2, $3, $4, true, $5, $6) RETURNING id, user_id, member_state, url, active, created_at`,
      [state ? null : actor.id, state, dto.url, secret, actor.id, this.clock.now()],
    );
    return { ...view(row), secret };
  }

  /** The caller's own subscriptions; managers and administrators also see every member state's. */
  async list(actor: Actor): Promise<WebhookSubscriptionView[]> {
    const rows = await queryRows<SubscriptionRow>(
      this.ds,
      `SELECT id, user_id, member_state, url, active, created_at FROM webhook_subscription
        WHERE active AND (user_id = $1 OR ($2 AND member_state IS NOT NULL)) ORDER BY created_at, id`,
      [isUuid(actor.id) ? actor.id : null, MANAGES_STATES.includes(actor.role)],
    );
    return rows.map(view);
  }

  /** Deactivates a subscription (deliveries keep referring to it); pending deliveries are cancelled when their job runs. */
  async unsubscribe(actor: Actor, id: string): Promise<void> {
    const notFound = new DomainException(ErrorCode.NOT_FOUND, `You have no webhook subscription "${id}".`);
    if (!isUuid(id)) throw notFound;
    const count = await execute(
      this.ds,
      `UPDATE webhook_subscription SET active = false, deactivated_at = $3
        WHERE id = $1 AND active AND (user_id = $2 OR ($4 AND member_state IS NOT NULL))`,
      [id, isUuid(actor.id) ? actor.id : null, this.clock.now(), MANAGES_STATES.includes(actor.role)],
    );
    if (!count) throw notFound;
  }

  /** The webhook job: POST the notification once to the subscription. */
  async deliver(job: Job<WebhookJobData>): Promise<string> {
    const row = await queryOne<DeliveryRow>(
      this.ds,
      `SELECT d.id, d.status, s.url, s.secret, s.active, s.id AS subscription_id, s.member_state,
              n.id AS notification_id, n.user_id, n.instance_id, n.kind, n.subject, n.data, n.created_at
         FROM webhook_delivery d
         JOIN webhook_subscription s ON s.id = d.subscription_id
         JOIN notification n ON n.id = d.notification_id
        WHERE d.id = $1`,
      [job.data.deliveryId],
    );
    if (!row) return `skipped: delivery ${job.data.deliveryId} does not exist`;
    if (row.status === 'delivered') return 'skipped: already delivered';
    if (row.status !== 'pending') return `skipped: delivery is ${row.status}`;
    if (!row.active || !isHttpUrl(row.url)) {
      await execute(
        this.ds,
        `UPDATE webhook_delivery SET status = 'cancelled', last_error = $2 WHERE id = $1 AND status = 'pending'`,
        [row.id, row.active ? 'not an http(s) URL' : 'subscription deleted'],
      );
      return 'skipped: subscription no longer active';
    }

    const body = JSON.stringify({
      deliveryId: row.id,
      subscriptionId: row.subscription_id,
      memberState: row.member_state,
      notification: {
        id: row.notification_id,
        userId: row.user_id,
        instanceId: row.instance_id,
        kind: row.kind,
        subject: row.subject,
        data: row.data,
        createdAt: new Date(row.created_at).toISOString(),
      },
    });
    const timestamp = String(Math.floor(this.clock.now().getTime() / 1000));
    let failure: string;
    let retry = true;
    try {
      const res = await fetch(row.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'amendflow-webhooks',
          [DELIVERY_HEADER]: row.id,
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: webhookSignature(row.secret, timestamp, body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.settings.webhookTimeoutMs),
      });
      await res.body?.cancel().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) {
        await execute(
          this.ds,
          `UPDATE webhook_delivery SET status = 'delivered', attempts = attempts + 1, last_error = NULL, delivered_at = $2 WHERE id = $1`,
          [row.id, this.clock.now()],
        );
        return `done: delivered (HTTP ${res.status})`;
      }
      failure = `HTTP ${res.status}`;
      retry = res.status >= 500 || res.status === 408 || res.status === 429;
    } catch (err) {
      const e = err as Error;
      failure =
        e.name === 'TimeoutError'
          ? `timed out after ${this.settings.webhookTimeoutMs} ms`
          : `${e.message}${(e.cause as Error)?.message ? ` (${(e.cause as Error).message})` : ''}`;
    }
    const last = !retry || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    await execute(
      this.ds,
      `UPDATE webhook_delivery SET attempts = attempts + 1, last_error = $2, status = $3 WHERE id = $1 AND status = 'pending'`,
      [row.id, failure.slice(0, 500), last ? 'failed' : 'pending'],
    );
    this.log.warn(`webhook ${row.id} to ${new URL(row.url).host} failed (attempt ${job.attemptsMade + 1}): ${failure}`);
    if (!retry) throw new UnrecoverableError(failure);
    throw new Error(failure);
  }
}
