import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { UnrecoverableError, type Job } from 'bullmq';
import { DataSource } from 'typeorm';
import type { Actor } from '../../workflows/kernel/types';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { isUuid } from '../common/ids';
import { CLOCK, type Clock } from '../infra/clock';
import { execute, queryOne, queryRows } from '../infra/sql';
import { RUNTIME, type Runtime } from '../infra/runtime';
import { ReferenceService } from '../reference/reference.service';
import { DEADLINE_SETTINGS, type DeadlineSettings } from './deadline-settings';
import { noticeData, type WebhookJobData } from './notifications.service';
import { openWebhookSecret, sealWebhookSecret } from './webhook-secrets';
import { WebhookTargetPolicy, WebhookTargetRefused, type ResolvedAddress } from './webhook-targets';

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
const view = (r: SubscriptionRow): WebhookSubscriptionView => ({
  id: r.id,
  userId: r.user_id,
  memberState: r.member_state,
  url: r.url,
  active: r.active,
  createdAt: new Date(r.created_at).toISOString(),
});

interface DeliveryRow {
  id: string;
  status: 'pending' | 'delivered' | 'failed' | 'cancelled';
  url: string;
  secret_sealed: string | null;
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
 * POSTs `body` to `url`, connecting only to `target` (the address checked by the policy: a DNS
 * answer that changed since cannot redirect the request), following no redirect, reading no
 * more of the answer than its status.
 */
function postPinned(
  url: URL,
  target: ResolvedAddress,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<number> {
  const lookup: LookupFunction = (_hostname, options, callback) => {
    if (options.all) callback(null, [target]);
    else callback(null, target.address, target.family);
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<number>((resolve, reject) => {
    const req = send(
      url,
      { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, lookup },
      (res: IncomingMessage) => {
        resolve(res.statusCode ?? 0);
        res.destroy();
      },
    );
    const timer = setTimeout(() => {
      const e = new Error(`timed out after ${timeoutMs} ms`);
      e.name = 'TimeoutError';
      req.destroy(e);
    }, timeoutMs);
    req.on('error', reject);
    req.on('close', () => clearTimeout(timer));
    req.end(body);
  });
}

/**
 * Webhook subscriptions (a manager's or an administrator's own, or a member state's) and the delivery of one notification to one subscription: a signed JSON POST
 * with a timeout, retried by BullMQ with exponential backoff on network errors, timeouts, 408,
 * 429 and 5xx; other answers fail at once. The `webhook_delivery` row is the record: a delivery
 * already made is never POSTed again by a re-queued job.
 */
@Injectable()
export class WebhooksService {
  private readonly log = new Logger('Webhooks');
  private readonly key: Buffer;
  /** Where deliveries may go (WEBHOOK_ALLOWED_HOSTS). */
  private readonly targets: WebhookTargetPolicy;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(DEADLINE_SETTINGS) private readonly settings: DeadlineSettings,
    @Inject(RUNTIME) runtime: Runtime,
    private readonly reference: ReferenceService,
  ) {
    this.key = Buffer.from(runtime.env.WEBHOOK_SECRET_KEY, 'base64');
    this.targets = new WebhookTargetPolicy(runtime.env.WEBHOOK_ALLOWED_HOSTS);
  }

  async subscribe(
    actor: Actor,
    dto: { url: string; memberState?: string | null; secret?: string | null },
  ): Promise<WebhookSubscriptionView & { secret: string }> {
    if (!MANAGES_STATES.includes(actor.role))
      throw new DomainException(
        ErrorCode.FORBIDDEN,
        `Registering a webhook needs the role manager or admin; you are ${actor.role}.`,
        { requiredRoles: MANAGES_STATES },
      );
    if (!isHttpUrl(dto.url))
      throw new DomainException(
        ErrorCode.INVALID_PAYLOAD,
        'url must be an http:// or https:// URL without credentials.',
      );
    try {
      await this.targets.resolve(dto.url);
    } catch (err) {
      if (err instanceof WebhookTargetRefused) throw new DomainException(ErrorCode.INVALID_PAYLOAD, err.message);
      throw err;
    }
    const state = dto.memberState ?? null;
    if (state) {
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
    const id = randomUUID();
    const [row] = await queryRows<SubscriptionRow>(
      this.ds,
      `INSERT INTO webhook_subscription (id, user_id, member_state, url, secret_sealed, active, created_by, created_at)
       VALUES ($7, $1, $2, $3, $4, true, $5, $6) RETURNING id, user_id, member_state, url, active, created_at`,
      [
        state ? null : actor.id,
        state,
        dto.url,
        sealWebhookSecret(this.key, id, secret),
        actor.id,
        this.clock.now(),
        id,
      ],
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
      `SELECT d.id, d.status, s.url, s.secret_sealed, s.active, s.id AS subscription_id, s.member_state,
              n.id AS notification_id, n.user_id, n.instance_id, n.kind, n.subject, ${noticeData('n')} AS data, n.created_at
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
    const secret = row.secret_sealed ? openWebhookSecret(this.key, row.subscription_id, row.secret_sealed) : null;
    if (secret === null) {
      await this.ds.query(
        `UPDATE webhook_delivery SET status = 'cancelled', last_error = $2 WHERE id = $1 AND status = 'pending'`,
        [
          row.id,
          row.secret_sealed
            ? 'the signing secret cannot be decrypted with WEBHOOK_SECRET_KEY: delete the subscription and create it again'
            : 'the signing secret must be re-issued: delete the subscription and create it again',
        ],
      );
      return 'skipped: no usable signing secret';
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
      const target = await this.targets.resolve(row.url);
      const status = await postPinned(
        new URL(row.url),
        target,
        {
          'content-type': 'application/json',
          'user-agent': 'amendflow-webhooks',
          [DELIVERY_HEADER]: row.id,
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: webhookSignature(secret, timestamp, body),
        },
        body,
        this.settings.webhookTimeoutMs,
      );
      if (status >= 200 && status < 300) {
        await execute(
          this.ds,
          `UPDATE webhook_delivery SET status = 'delivered', attempts = attempts + 1, last_error = NULL, delivered_at = $2 WHERE id = $1`,
          [row.id, this.clock.now()],
        );
        return `done: delivered (HTTP ${status})`;
      }
      // Only the status is recorded: the body of an answer is never read nor stored.
      failure = `HTTP ${status}`;
      retry = status >= 500 || status === 408 || status === 429;
    } catch (err) {
      const e = err as Error & { code?: string };
      if (err instanceof WebhookTargetRefused) {
        failure = `refused: ${e.message}`;
        retry = false;
      } else
        failure =
          e.name === 'TimeoutError'
            ? `timed out after ${this.settings.webhookTimeoutMs} ms`
            : `connection failed${e.code ? ` (${e.code})` : ''}`;
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
