import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { JobsOptions, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { OutboxRelay } from '../engine/outbox.relay';
import { CLOCK, type Clock } from '../infra/clock';
import { queryOne, queryRows } from '../infra/sql';
import {
  allJobIdsOf,
  DEADLINES_QUEUE,
  nextDeadlineJob,
  planDeadlineJobs,
  type DeadlineJobData,
  type DeadlineRow,
  type PlannedJob,
} from './deadline-jobs';
import { DEADLINE_SETTINGS, type DeadlineSettings } from './deadline-settings';

/** Jobs due further ahead than this cannot have been delivered yet (see nextJobs). */
const SETTLED_HORIZON_MS = 3600_000;

export const DEADLINE_ROW_COLUMNS = `id, instance_id, key, unit, starts_at, due_at, remind_before, status, extensions`;

/**
 * Keeps the BullMQ `deadlines` queue in line with the `deadline` table, with ONE pending job per
 * open deadline: the next thing due (nextDeadlineJob — the earliest reminder whose event is not
 * settled yet, else the due time). The engine writes a `deadline.sync` outbox row for every
 * deadline it opens, closes or moves; after commit this handler reads the row as it is *now*,
 * adds its next job and removes every other job the deadline may have had. When a job has run,
 * the worker calls advance(), which adds the job after it. Running either twice changes nothing:
 * job ids are deterministic, BullMQ ignores an id it already holds (in any state), removing a
 * job that is gone is a no-op, and a job whose event is already in the history is never planned.
 */
@Injectable()
export class DeadlineScheduler implements OnModuleInit {
  private readonly log = new Logger('DeadlineScheduler');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @InjectQueue(DEADLINES_QUEUE) readonly queue: Queue<DeadlineJobData>,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(DEADLINE_SETTINGS) private readonly settings: DeadlineSettings,
    private readonly relay: OutboxRelay,
  ) {}

  onModuleInit(): void {
    this.relay.register('deadline.sync', async (m) => {
      await this.sync(m.payload.deadlineId);
    });
  }

  /** Brings one deadline's jobs in line with its row (its next job only); returns how many jobs were removed. */
  async sync(deadlineId: string): Promise<{ planned: number; removed: number }> {
    const row = await queryOne<DeadlineRow>(this.ds, `SELECT ${DEADLINE_ROW_COLUMNS} FROM deadline WHERE id = $1`, [
      deadlineId,
    ]);
    if (!row) return { planned: 0, removed: 0 };
    const now = this.clock.now();
    const [next] = await this.nextJobs([row], now);
    const stale = allJobIdsOf(row).filter((id) => id !== next?.id);
    const removed = (await Promise.all(stale.map((id) => this.queue.remove(id)))).reduce((a, b) => a + b, 0);
    if (next) await this.add([next], now);
    if (removed)
      this.log.debug(
        `deadline ${row.id} (${row.key}, ${row.status}): next job ${next?.id ?? 'none'}, ${removed} removed`,
      );
    return { planned: next ? 1 : 0, removed };
  }

  /**
   * After jobs of these deadlines ran (delivered, refused or skipped): adds each deadline's next
   * job — one read of the rows, one of the settled events, one addBulk. A deadline closed or
   * moved meanwhile gets what its row says (its sync added it already: a no-op).
   */
  async advance(deadlineIds: string[]): Promise<number> {
    const ids = [...new Set(deadlineIds)];
    if (!ids.length) return 0;
    const rows = await queryRows<DeadlineRow>(
      this.ds,
      `SELECT ${DEADLINE_ROW_COLUMNS} FROM deadline WHERE id = ANY($1::uuid[]) AND status = 'open'`,
      [ids],
    );
    const now = this.clock.now();
    const next = (await this.nextJobs(rows, now)).filter((j): j is PlannedJob => j !== null);
    await this.add(next, now);
    return next.length;
  }

  /**
   * The next job of each row (null where nothing is left), in the order of `rows`: one query for
   * what is settled, asked only about jobs whose time is at most SETTLED_HORIZON_MS ahead — a job
   * is delivered only once its time has come by the application clock (one firing early waits
   * again), so one further ahead cannot be settled, and a deadline just opened costs no query.
   */
  async nextJobs(rows: DeadlineRow[], now: Date): Promise<(PlannedJob | null)[]> {
    const plans = rows.map((r) => planDeadlineJobs(r, now));
    const horizon = now.getTime() + SETTLED_HORIZON_MS;
    const settled = await this.settledJobIds(plans.flat().filter((j) => j.data.at <= horizon));
    return rows.map((r) => nextDeadlineJob(r, now, settled));
  }

  /**
   * The ids of these jobs whose event is in the history (an event of the system with the job id
   * as key: a caller's key never counts) or whose refusal is recorded.
   */
  async settledJobIds(jobs: PlannedJob[]): Promise<Set<string>> {
    if (!jobs.length) return new Set();
    const seen: { key: string }[] = await this.ds.query(
      `SELECT e.idempotency_key AS key FROM workflow_event e
         JOIN unnest($1::uuid[], $2::text[]) AS k(instance_id, key)
           ON e.instance_id = k.instance_id AND e.idempotency_key = k.key AND e.actor_role = 'system'
       UNION ALL
       SELECT job_id AS key FROM deadline_refusal WHERE job_id = ANY($2::text[])`,
      [jobs.map((j) => j.data.instanceId), jobs.map((j) => j.id)],
    );
    return new Set(seen.map((s) => s.key));
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
      // Kept a short while after they ran (Bull Board, a re-added id stays a no-op meanwhile); what
      // ran is never planned again anyway (its event is in the history), and an open deadline
      // carries only its one pending job in Redis.
      removeOnComplete: { age: this.settings.keepCompletedDeadlineSeconds },
      removeOnFail: { age: this.settings.keepFailedSeconds },
    };
  }
}
