import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type Redis from 'ioredis';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '../infra/clock';
import { execute, queryRows } from '../infra/sql';
import { REDIS, REDIS_PREFIX, redisKey } from '../infra/redis.module';
import { parseDeadlineJobId, type DeadlineRow, type PlannedJob } from './deadline-jobs';
import { DEADLINE_ROW_COLUMNS, DeadlineScheduler } from './deadline-scheduler.service';
import { DEADLINE_SETTINGS, type DeadlineSettings } from './deadline-settings';
import { NotificationsService, webhookJobId } from './notifications.service';

export interface ReconcileReport {
  /** Unprocessed `deadline.sync` outbox rows run again. */
  outboxRerun: number;
  /** Open deadlines compared. */
  checked: number;
  /** Planned jobs missing from Redis and added. */
  readded: number;
  /** Jobs in Redis whose deadline is closed, gone or moved, removed. */
  removed: number;
  /** Failed jobs of deadlines still open retried. */
  retried: number;
  /** Pending webhook deliveries whose job was missing from Redis, queued again. */
  webhooksRequeued: number;
  durationMs: number;
  /** Set when another process held the reconciliation lock. */
  skipped?: string;
}

/** Whether this process reconciles by itself (at start and every RECONCILE_EVERY_MS): where workers run. */
export const RECONCILE_AUTOMATICALLY = 'RECONCILE_AUTOMATICALLY';

const PAGE = 2000;
const STALE_PAGE = 5000;
const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
const LOCK_MS = 10 * 60_000;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * PostgreSQL is the truth about deadlines; Redis only holds wake-up calls. The reconciler makes
 * Redis agree again after anything that made them drift — Redis restarted empty or failed over,
 * a relay crashed before scheduling, a removal lost:
 *
 * 1. runs again every `deadline.sync` outbox row left unprocessed;
 * 2. walks the open deadlines (keyset pages of 2000, the next read while the current is checked),
 *    plans the ONE next job of each (the first whose event is neither in the history — the
 *    system's event with the job id as key — nor refused: one query per page), checks which exist
 *    with one pipelined EXISTS per page, and adds the missing ones with addBulk; a past next job
 *    kept as completed although its event is missing (skipped in error) is removed and added again;
 * 3. walks the jobs waiting in Redis (delayed, waiting, prioritized, paused), looks their deadlines
 *    up 5000 at a time and removes those whose deadline is closed, gone or moved and those that are
 *    not their deadline's next job (one pending job per open deadline); retries failed jobs of
 *    deadlines still open;
 * 4. queues again every pending `webhook_delivery` whose job is missing from the `webhooks` queue
 *    (the job id is the delivery's, so a job still there is never duplicated; the delivery row
 *    makes a delivery already made a no-op).
 *
 * One process at a time (a Redis lock); runs at start and every RECONCILE_EVERY_MS where workers
 * run, and on demand (`reconcile()`).
 */
@Injectable()
export class DeadlineReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('DeadlineReconciler');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<ReconcileReport> | null = null;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly scheduler: DeadlineScheduler,
    private readonly notifications: NotificationsService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(DEADLINE_SETTINGS) private readonly settings: DeadlineSettings,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_PREFIX) private readonly prefix: string,
    @Inject(RECONCILE_AUTOMATICALLY) private readonly automatic: boolean,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.automatic) return;
    const run = () =>
      void this.reconcile().catch((err) => this.log.error(`reconciliation failed: ${(err as Error).message}`));
    run();
    if (this.settings.reconcileEveryMs > 0) {
      this.timer = setInterval(run, this.settings.reconcileEveryMs);
      this.timer.unref();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One reconciliation; concurrent calls in this process wait for the one running and then run their own. */
  async reconcile(): Promise<ReconcileReport> {
    while (this.running) await this.running.catch(() => undefined);
    this.running = this.locked();
    try {
      return await this.running;
    } finally {
      this.running = null;
    }
  }

  private async locked(): Promise<ReconcileReport> {
    const started = Date.now();
    const key = redisKey(this.prefix, 'locks', 'deadline-reconciler');
    const token = randomUUID();
    if ((await this.redis.set(key, token, 'PX', LOCK_MS, 'NX')) !== 'OK') {
      return {
        outboxRerun: 0,
        checked: 0,
        readded: 0,
        removed: 0,
        retried: 0,
        webhooksRequeued: 0,
        durationMs: 0,
        skipped: 'another process is reconciling',
      };
    }
    try {
      const outboxRerun = await this.rerunOutbox();
      const { checked, readded } = await this.addMissing();
      const { removed, retried } = await this.removeStale();
      const webhooksRequeued = await this.requeueWebhooks();
      const report: ReconcileReport = {
        outboxRerun,
        checked,
        readded,
        removed,
        retried,
        webhooksRequeued,
        durationMs: Date.now() - started,
      };
      const extra = [
        retried ? `${retried} failed retried` : '',
        outboxRerun ? `${outboxRerun} outbox rows re-run` : '',
        webhooksRequeued ? `${webhooksRequeued} webhook deliveries queued again` : '',
      ]
        .filter(Boolean)
        .join(', ');
      const line = `reconciled deadlines: ${readded} jobs re-added, ${removed} removed${extra ? `, ${extra}` : ''} (${checked} open deadlines, ${report.durationMs} ms)`;
      if (readded || removed || retried || outboxRerun || webhooksRequeued) this.log.log(line);
      else this.log.debug(line);
      return report;
    } finally {
      await this.redis.eval(RELEASE, 1, key, token).catch(() => undefined);
    }
  }

  /** Step 1: `deadline.sync` rows a crashed relay left behind (claimed like the relay does, backoff ignored). */
  private async rerunOutbox(): Promise<number> {
    let total = 0;
    for (;;) {
      if (this.stopped) break;
      const done = await this.ds.transaction(async (m) => {
        const rows = await queryRows<{ id: string; payload: { deadlineId: string } }>(
          m,
          `SELECT id, payload FROM outbox_message WHERE processed_at IS NULL AND kind = 'deadline.sync' ORDER BY id LIMIT 500 FOR UPDATE SKIP LOCKED`,
        );
        let n = 0;
        for (const r of rows) {
          try {
            await this.scheduler.sync(r.payload.deadlineId);
            await execute(
              m,
              `UPDATE outbox_message SET processed_at = $2, attempts = attempts + 1, last_error = NULL WHERE id = $1`,
              [r.id, this.clock.now()],
            );
            n++;
          } catch (err) {
            this.log.warn(`deadline.sync #${r.id} failed again: ${(err as Error).message}`);
          }
        }
        return { claimed: rows.length, n };
      });
      total += done.n;
      if (done.claimed < 500 || done.n === 0) break;
    }
    return total;
  }

  /** Step 2: the next job of every open deadline exists in Redis. */
  private async addMissing(): Promise<{ checked: number; readded: number }> {
    let after = ZERO_UUID;
    let checked = 0;
    let readded = 0;
    const queue = this.scheduler.queue;
    const page = (from: string): Promise<DeadlineRow[]> =>
      queryRows<DeadlineRow>(
        this.ds,
        `SELECT ${DEADLINE_ROW_COLUMNS} FROM deadline WHERE status = 'open' AND id > $1 ORDER BY id LIMIT ${PAGE}`,
        [from],
      );
    let next = page(after);
    for (;;) {
      if (this.stopped) {
        void next.catch(() => undefined);
        break;
      }
      const rows = await next;
      if (!rows.length) break;
      after = rows[rows.length - 1].id;
      // the next page is read from PostgreSQL while this one is checked against Redis
      next = rows.length < PAGE ? Promise.resolve([]) : page(after);
      checked += rows.length;
      const now = this.clock.now();
      // one job per open deadline: the first one whose event is neither in the history nor refused
      const planned = (await this.scheduler.nextJobs(rows, now)).filter((j): j is PlannedJob => j !== null);
      const pipeline = this.redis.pipeline();
      for (const j of planned) pipeline.exists(queue.toKey(j.id));
      const exists = ((await pipeline.exec()) ?? []).map(([err, n]) => {
        if (err) throw err;
        return n === 1;
      });
      let missing = planned.filter((_, i) => !exists[i]);
      // A next job kept as completed ran without delivering (no event, no recorded refusal): it runs again.
      const skipped = await this.completedWithoutEvent(
        planned.filter((j, i) => exists[i] && j.data.at <= now.getTime()),
        now,
      );
      for (const j of skipped) await queue.remove(j.id);
      missing = [...missing, ...skipped];
      if (missing.length) await this.scheduler.add(missing, now);
      readded += missing.length;
      if (rows.length < PAGE) break;
    }
    return { checked, readded };
  }

  /** Past next jobs kept in Redis as completed although their event was neither delivered nor refused. */
  private async completedWithoutEvent(jobs: PlannedJob[], now: Date): Promise<PlannedJob[]> {
    if (!jobs.length) return [];
    const pipeline = this.redis.pipeline();
    for (const j of jobs) pipeline.zscore(this.scheduler.queue.keys.completed, j.id);
    const completed = ((await pipeline.exec()) ?? []).map(([err, score]) => {
      if (err) throw err;
      return score !== null;
    });
    const done = jobs.filter((_, i) => completed[i]);
    if (!done.length) return [];
    // they were unsettled when planned; checked again now, in case one was delivered meanwhile
    const settled = await this.scheduler.settledJobIds(done);
    const stale = done.filter((j) => !settled.has(j.id));
    if (stale.length)
      this.log.warn(`${stale.length} deadline job(s) completed without their event; running them again`);
    return stale.filter((j) => j.data.at <= now.getTime());
  }

  /** Step 3: jobs waiting in Redis for deadlines that are closed, gone or moved. */
  private async removeStale(): Promise<{ removed: number; retried: number }> {
    const queue = this.scheduler.queue;
    const k = queue.keys;
    const ids = [
      ...(await this.zsetMembers(k.delayed)),
      ...(await this.zsetMembers(k.prioritized)),
      ...(await this.redis.lrange(k.wait, 0, -1)),
      ...(await this.redis.lrange(k.paused, 0, -1)),
    ];
    const failed = new Set(await this.zsetMembers(k.failed));
    let removed = 0;
    let retried = 0;
    const all = [...new Set([...ids, ...failed])];
    for (let i = 0; i < all.length; i += STALE_PAGE) {
      if (this.stopped) break;
      const chunk = all
        .slice(i, i + STALE_PAGE)
        .map((id) => ({ id, parsed: parseDeadlineJobId(id) }))
        .filter(
          (c): c is { id: string; parsed: NonNullable<ReturnType<typeof parseDeadlineJobId>> } => c.parsed !== null,
        );
      if (!chunk.length) continue;
      const rows = await queryRows<DeadlineRow>(
        this.ds,
        `SELECT ${DEADLINE_ROW_COLUMNS} FROM deadline WHERE id = ANY($1::uuid[])`,
        [[...new Set(chunk.map((c) => c.parsed.deadlineId))]],
      );
      const byId = new Map(rows.map((r) => [r.id, r]));
      const now = this.clock.now();
      const open = rows.filter((r) => r.status === 'open');
      const nextOf = new Map((await this.scheduler.nextJobs(open, now)).map((j, i) => [open[i].id, j?.id ?? null]));
      // A job is live while its deadline is open, still due when the job says, and (a reminder) still has that reminder.
      const live = (c: (typeof chunk)[number]) => {
        const row = byId.get(c.parsed.deadlineId);
        return (
          !!row &&
          row.status === 'open' &&
          new Date(row.due_at).getTime() === c.parsed.dueAt &&
          (c.parsed.kind === 'due' || row.remind_before.includes(c.parsed.daysBefore as number))
        );
      };
      // A waiting job is kept only if it is its deadline's next job: one pending job per open
      // deadline (the later ones of a deadline scheduled before, e.g. three per deadline, go).
      const stale = chunk.filter((c) => !failed.has(c.id) && (!live(c) || nextOf.get(c.parsed.deadlineId) !== c.id));
      const retry = chunk.filter((c) => failed.has(c.id) && live(c));
      for (let j = 0; j < stale.length; j += 500) {
        const results = await Promise.all(stale.slice(j, j + 500).map((c) => queue.remove(c.id)));
        removed += results.reduce((a, b) => a + b, 0);
      }
      for (const c of retry) {
        const job = await queue.getJob(c.id);
        if (!job) continue;
        await job.retry('failed').then(
          () => retried++,
          () => undefined,
        );
      }
    }
    return { removed, retried };
  }

  /** Step 4: pending webhook deliveries whose job Redis lost (keyset pages of 2000). */
  private async requeueWebhooks(): Promise<number> {
    let after = ZERO_UUID;
    let requeued = 0;
    const queue = this.notifications.webhookQueue;
    for (;;) {
      if (this.stopped) break;
      const rows: { id: string }[] = await this.ds.query(
        `SELECT id FROM webhook_delivery WHERE status = 'pending' AND id > $1 ORDER BY id LIMIT ${PAGE}`,
        [after],
      );
      if (!rows.length) break;
      after = rows[rows.length - 1].id;
      const pipeline = this.redis.pipeline();
      for (const r of rows) pipeline.exists(queue.toKey(webhookJobId(r.id)));
      const results = (await pipeline.exec()) ?? [];
      const missing = rows.filter((_, i) => {
        const [err, n] = results[i];
        if (err) throw err;
        return n !== 1;
      });
      if (missing.length) await this.notifications.queueDeliveries(missing.map((r) => r.id));
      requeued += missing.length;
      if (rows.length < PAGE) break;
    }
    return requeued;
  }

  private async zsetMembers(key: string): Promise<string[]> {
    const out: string[] = [];
    for (let start = 0; ; start += 10_000) {
      const page = await this.redis.zrange(key, start, start + 9_999);
      out.push(...page);
      if (page.length < 10_000) break;
    }
    return out;
  }
}
