import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { JobsOptions, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { OutboxRelay } from '../engine/outbox.relay';
import type Redis from 'ioredis';
import { CLOCK, type Clock } from '../infra/clock';
import { queryOne } from '../infra/sql';
import { REDIS } from '../infra/redis.module';
import {
  allJobIdsOf,
  DEADLINES_QUEUE,
  planDeadlineJobs,
  type DeadlineJobData,
  type DeadlineRow,
  type PlannedJob,
} from './deadline-jobs';
import { DEADLINE_SETTINGS, type DeadlineSettings } from './deadline-settings';

export const DEADLINE_ROW_COLUMNS = `id, instance_id, key, unit, starts_at, due_at, remind_before, status, extensions`;

/** One job run by {@link DeadlineScheduler.fireDue}. */
export interface FiredJob {
  jobId: string;
  name: string;
  /** completed | failed | unknown (removed meanwhile, e.g. its deadline closed) */
  state: string;
  /** What the handler returned ("done: ..." / "skipped: ..."), or the failure reason. */
  result: string | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Keeps the BullMQ `deadlines` queue in line with the `deadline` table. The engine writes a
 * `deadline.sync` outbox row for every deadline it opens, closes or moves; after commit this
 * handler reads the row as it is *now* and adds the planned jobs (see planDeadlineJobs) and removes
 * every other job the deadline may have had. Running it twice changes nothing: job ids are
 * deterministic, BullMQ ignores an id it already holds (in any state), and removing a job that
 * is gone is a no-op.
 */
@Injectable()
export class DeadlineScheduler implements OnModuleInit {
  private readonly log = new Logger('DeadlineScheduler');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @InjectQueue(DEADLINES_QUEUE) readonly queue: Queue<DeadlineJobData>,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(DEADLINE_SETTINGS) private readonly settings: DeadlineSettings,
    private readonly relay: OutboxRelay,
  ) {}

  onModuleInit(): void {
    this.relay.register('deadline.sync', async (m) => {
      await this.sync(String((m.payload as { deadlineId: string }).deadlineId));
    });
  }

  /** Brings one deadline's jobs in line with its row; returns how many jobs were removed. */
  async sync(deadlineId: string): Promise<{ planned: number; removed: number }> {
    const row = await queryOne<DeadlineRow>(this.ds, `SELECT ${DEADLINE_ROW_COLUMNS} FROM deadline WHERE id = $1`, [
      deadlineId,
    ]);
    if (!row) return { planned: 0, removed: 0 };
    const now = this.clock.now();
    const planned = planDeadlineJobs(row, now);
    const keep = new Set(planned.map((j) => j.id));
    const stale = allJobIdsOf(row).filter((id) => !keep.has(id));
    const removed = (await Promise.all(stale.map((id) => this.queue.remove(id)))).reduce((a, b) => a + b, 0);
    await this.add(planned, now);
    if (removed)
      this.log.debug(
        `deadline ${row.id} (${row.key}, ${row.status}): ${planned.length} job(s) planned, ${removed} removed`,
      );
    return { planned: planned.length, removed };
  }

  /** Adds jobs (an id BullMQ already holds is left as it is). Delays come from the application clock. */
  async add(jobs: PlannedJob[], now: Date = this.clock.now()): Promise<void> {
    for (let i = 0; i < jobs.length; i += 500) {
      const chunk = jobs.slice(i, i + 500);
      if (chunk.length === 1) await this.queue.add(chunk[0].name, chunk[0].data, this.jobOptions(chunk[0], now));
      else await this.queue.addBulk(chunk.map((j) => ({ name: j.name, data: j.data, opts: this.jobOptions(j, now) })));
    }
  }

  jobOptions(job: PlannedJob, now: Date): JobsOptions {
    return {
      jobId: job.id,
      delay: Math.max(0, job.data.at - now.getTime()),
      attempts: this.settings.deadlineAttempts,
      backoff: { type: 'exponential', delay: this.settings.deadlineBackoffMs },
      // Kept after they ran, so that re-adding the same id (a re-run outbox row, a reconciliation)
      // is a no-op; a closed deadline's sync removes them, age removes the rest.
      removeOnComplete: { age: this.settings.keepCompletedSeconds },
      removeOnFail: { age: this.settings.keepFailedSeconds },
    };
  }

  /**
   * Runs now every delayed job that is due by the application clock at `now`, through the
   * workers (in this process or another), and waits until each has finished: the test path that
   * replaces waiting for Redis's own timers when a FakeClock moves. Jobs run in waves of equal
   * due time, earliest first (a reminder before the deadline it announces). A retry waiting for
   * its backoff is due as well and is promoted too.
   */
  async fireDue(now: Date = this.clock.now(), options: { timeoutMs?: number } = {}): Promise<FiredJob[]> {
    const until = Date.now() + (options.timeoutMs ?? 120_000);
    const t = now.getTime();
    const delayed = await this.queue.getDelayed(0, -1);
    const due = delayed
      .filter((j) => j?.id && typeof j.data?.at === 'number' && j.data.at <= t)
      .sort((a, b) => a.data.at - b.data.at || (a.data.kind === b.data.kind ? 0 : a.data.kind === 'reminder' ? -1 : 1));
    const waves: { at: number; ids: string[] }[] = [];
    const names = new Map<string, string>();
    for (const j of due) {
      if (waves[waves.length - 1]?.at !== j.data.at) waves.push({ at: j.data.at, ids: [] });
      waves[waves.length - 1].ids.push(j.id!);
      names.set(j.id!, j.name);
    }
    const fired: FiredJob[] = [];
    for (const wave of waves) {
      const from = await this.eventsTail();
      await Promise.all(wave.ids.map((id) => this.promote(id)));
      const results = await this.awaitFinished(wave.ids, from, until);
      fired.push(...wave.ids.map((id) => ({ jobId: id, name: names.get(id) ?? '', ...results.get(id)! })));
    }
    return fired;
  }

  private async promote(id: string): Promise<void> {
    const job = await this.queue.getJob(id);
    await job?.promote().catch(() => undefined); // no longer delayed: already running or gone
  }

  /** Id of the newest entry of the queue's event stream ('0-0' when empty). */
  private async eventsTail(): Promise<string> {
    const [last] = await this.redis.xrevrange(this.queue.keys.events, '+', '-', 'COUNT', 1);
    return last?.[0] ?? '0-0';
  }

  /**
   * Waits until each job has finished. The outcome comes from the queue's event stream (BullMQ
   * writes `completed`/`failed` with the return value or reason when a job finishes for good), so
   * it is known even when the job is removed right after (a deadline closed by its own event),
   * and from the job itself otherwise. A retry waiting for its backoff is promoted.
   */
  private async awaitFinished(
    ids: string[],
    from: string,
    until: number,
  ): Promise<Map<string, Omit<FiredJob, 'jobId' | 'name'>>> {
    const done = new Map<string, Omit<FiredJob, 'jobId' | 'name'>>();
    const k = this.queue.keys;
    let cursor = from;
    const wanted = new Set(ids);
    const parse = (v: string | null) => {
      if (v === null) return null;
      try {
        return JSON.parse(v) as string | null;
      } catch {
        return v;
      }
    };
    for (;;) {
      const pending = ids.filter((id) => !done.has(id));
      if (!pending.length) return done;
      // 1. where each job is now (one round trip)
      const pipeline = this.redis.pipeline();
      for (const id of pending)
        pipeline
          .zscore(k.completed, id)
          .zscore(k.failed, id)
          .zscore(k.delayed, id)
          .hmget(this.queue.toKey(id), 'returnvalue', 'failedReason', 'name');
      const replies = ((await pipeline.exec()) ?? []).map(([err, v]) => {
        if (err) throw err;
        return v;
      });
      // 2. what finished since the last look (read after step 1: a job gone in step 1 has its event here)
      for (;;) {
        const entries = await this.redis.xrange(k.events, `(${cursor}`, '+', 'COUNT', 5000);
        for (const [id, fields] of entries) {
          cursor = id;
          const f: Record<string, string> = {};
          for (let i = 0; i < fields.length; i += 2) f[fields[i]] = fields[i + 1];
          if ((f.event === 'completed' || f.event === 'failed') && wanted.has(f.jobId) && !done.has(f.jobId)) {
            done.set(f.jobId, {
              state: f.event,
              result: f.event === 'completed' ? parse(f.returnvalue ?? null) : (f.failedReason ?? null),
            });
          }
        }
        if (entries.length < 5000) break;
      }
      const retries: string[] = [];
      pending.forEach((id, i) => {
        if (done.has(id)) return;
        const [completed, failed, delayed, hash] = replies.slice(i * 4, i * 4 + 4) as [
          string | null,
          string | null,
          string | null,
          (string | null)[],
        ];
        if (completed !== null) done.set(id, { state: 'completed', result: parse(hash[0]) });
        else if (failed !== null) done.set(id, { state: 'failed', result: hash[1] });
        else if (hash.every((v) => v === null))
          done.set(id, { state: 'unknown', result: null }); // removed before it ran
        else if (delayed !== null) retries.push(id); // a retry waiting for its backoff
      });
      await Promise.all(retries.map((id) => this.promote(id)));
      const left = ids.length - done.size;
      if (!left) return done;
      if (Date.now() > until)
        throw new Error(
          `fireDue: ${left} due job(s) were not processed in time; is a deadlines worker running (WORKERS_IN_PROCESS or npm run start:worker)?`,
        );
      await sleep(left > 50 ? 50 : 10);
    }
  }
}
