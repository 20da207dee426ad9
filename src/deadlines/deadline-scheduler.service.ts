import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { JobsOptions, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { OutboxRelay } from '../engine/outbox.relay';
import { CLOCK, type Clock } from '../infra/clock';
import { queryOne } from '../infra/sql';
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
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(DEADLINE_SETTINGS) private readonly settings: DeadlineSettings,
    private readonly relay: OutboxRelay,
  ) {}

  onModuleInit(): void {
    this.relay.register('deadline.sync', async (m) => {
      await this.sync(m.payload.deadlineId);
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
}
