import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DelayedError, type Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { SYSTEM_ACTOR } from '../common/actors';
import { DomainException, ErrorCode, ErrorReason } from '../common/domain.exception';
import { WorkflowEngine } from '../engine/engine.service';
import type { ApplyCommand, ApplyResult } from '../engine/engine.types';
import { CLOCK, type Clock } from '../infra/clock';
import { queryOne, queryRows } from '../infra/sql';
import { DeadlineScheduler } from './deadline-scheduler.service';
import type { DeadlineJobData } from './deadline-jobs';

/** A job that fires more than this ahead of its time by the application clock goes back to wait. */
const EARLY_TOLERANCE_MS = 1000;

/** Where a fault hook may make a delivery crash (as if the worker died there). */
export type DeliveryFaultPoint = 'before-apply' | 'after-apply';

/** The delivery's fault port: no provider in production; fault tests provide one. */
export const DELIVERY_FAULTS = Symbol('DELIVERY_FAULTS');

export interface DeliveryFaultHook {
  at(point: DeliveryFaultPoint, job: Job<DeadlineJobData>): void;
}

/**
 * What a due deadline job does. The job is only a wake-up call: the deadline row decides, and once
 * the job has run the deadline's next job is added (one pending job per open deadline). A
 * closed or moved deadline, or a procedure that moved on, makes the job a no-op ("skipped: why");
 * otherwise REMINDER {deadlineKey, daysBefore} or DEADLINE_PASSED {deadlineKey} is applied through
 * the engine, as the system, with the job id as idempotency key (in the system's own scope, which
 * no caller's key can reach), so a job delivered twice (a retry after a crash, a re-added job)
 * changes nothing the second time. An event the procedure refuses is recorded in
 * `deadline_refusal` with a reason code; a concurrent change is retried, never skipped.
 */
@Injectable()
export class DeadlineDelivery {
  private readonly log = new Logger('DeadlineDelivery');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly engine: WorkflowEngine,
    private readonly scheduler: DeadlineScheduler,
    @Optional() @Inject(DELIVERY_FAULTS) private readonly faults?: DeliveryFaultHook,
  ) {}

  /** One job on its own: delivered, then the deadline's next job is added. */
  async handle(job: Job<DeadlineJobData>, token?: string): Promise<string> {
    const result = await this.deliverOne(job, token);
    await this.scheduler.advance([job.data.deadlineId]);
    return result;
  }

  /**
   * Jobs that fired together (a burst of reminders due at one instant): their deadlines are read
   * with ONE query, the events of all that are due are applied with ONE engine transaction
   * (WorkflowEngine.applyMany: every instance still locked and hash-chained on its own, every
   * event with its job id as idempotency key), refusals are recorded, and the deadlines' next jobs
   * are added with one addBulk. If the group transaction fails, every job of the group is
   * delivered one by one instead (handle), so one bad member never loses or duplicates the others.
   * Returns, per job in the order given, its result or the error that job must fail with.
   */
  async handleGroup(items: { job: Job<DeadlineJobData>; token?: string }[]): Promise<(string | Error)[]> {
    if (items.length === 1) return [await this.handle(items[0].job, items[0].token).catch(asError)];
    const out: (string | Error)[] = [];
    const rows = await queryRows<DeadlineState & { id: string }>(
      this.ds,
      `SELECT id, status, due_at, remind_before, key, instance_id FROM deadline WHERE id = ANY($1::uuid[])`,
      [[...new Set(items.map((i) => i.job.data.deadlineId))]],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    const now = this.clock.now().getTime();
    const due: { index: number; job: Job<DeadlineJobData>; row: DeadlineState; cmd: ApplyCommand }[] = [];
    await Promise.all(
      items.map(async ({ job, token }, index) => {
        try {
          const d = this.decide(job, byId.get(job.data.deadlineId), now);
          if (typeof d === 'string') out[index] = d;
          else if ('early' in d) out[index] = await this.wait(job, token, d.early);
          else {
            this.faults?.at('before-apply', job);
            due.push({ index, job, row: d.row, cmd: d.cmd });
          }
        } catch (err) {
          out[index] = asError(err);
        }
      }),
    );
    if (due.length) {
      let results;
      try {
        results = await this.engine.applyMany(due.map((d) => d.cmd));
      } catch (err) {
        this.log.warn(
          `a group of ${due.length} deadline events failed (${(err as Error).message}); delivering them one by one`,
        );
        await Promise.all(
          due.map(async (d) => {
            out[d.index] = await this.handle(d.job, items[d.index].token).catch(asError);
          }),
        );
        results = null;
      }
      if (results) {
        for (const [i, r] of results.entries()) {
          const d = due[i];
          try {
            out[d.index] = r.ok
              ? this.applied(d.job, d.row, d.cmd.type, r.result)
              : await this.refused(d.job, d.row, d.cmd.type, r.error);
          } catch (err) {
            out[d.index] = asError(err);
          }
        }
      }
    }
    await this.scheduler.advance(items.filter((_, i) => !(out[i] instanceof Error)).map((i) => i.job.data.deadlineId));
    return out;
  }

  /** What one job does: a skip, a wait (fired early), or the event to apply. */
  private decide(
    job: Job<DeadlineJobData>,
    row: DeadlineState | undefined,
    now: number,
  ): string | { early: number } | { row: DeadlineState; cmd: ApplyCommand } {
    const d = job.data;
    if (!row) return `skipped: deadline ${d.deadlineId} does not exist`;
    if (row.status !== 'open') return `skipped: deadline ${row.key} is closed`;
    if (new Date(row.due_at).getTime() !== d.dueAt)
      return `skipped: deadline ${row.key} was moved to ${new Date(row.due_at).toISOString()}`;
    if (d.kind === 'reminder') {
      if (!row.remind_before.includes(d.daysBefore as number))
        return `skipped: deadline ${row.key} has no ${d.daysBefore}-day reminder`;
      if (d.dueAt <= now) return `skipped: deadline ${row.key} has already passed`;
    }
    // Redis fired before our clock says it is time (clock skew, a delay computed elsewhere): wait again.
    if (d.at > now + EARLY_TOLERANCE_MS) return { early: d.at - now };
    const type = d.kind === 'reminder' ? 'REMINDER' : 'DEADLINE_PASSED';
    const payload =
      d.kind === 'reminder' ? { deadlineKey: row.key, daysBefore: d.daysBefore } : { deadlineKey: row.key };
    return {
      row,
      cmd: { instanceId: row.instance_id, type, payload, actor: SYSTEM_ACTOR, idempotencyKey: job.id ?? null },
    };
  }

  private async wait(job: Job<DeadlineJobData>, token: string | undefined, inMs: number): Promise<string> {
    if (token) {
      await job.moveToDelayed(Date.now() + inMs, token);
      throw new DelayedError();
    }
    return `skipped: not due until ${new Date(job.data.at).toISOString()}`;
  }

  private async deliverOne(job: Job<DeadlineJobData>, token?: string): Promise<string> {
    const row = await queryOne<DeadlineState>(
      this.ds,
      `SELECT status, due_at, remind_before, key, instance_id FROM deadline WHERE id = $1`,
      [job.data.deadlineId],
    );
    const d = this.decide(job, row ?? undefined, this.clock.now().getTime());
    if (typeof d === 'string') return d;
    if ('early' in d) return this.wait(job, token, d.early);
    this.faults?.at('before-apply', job);
    let applied;
    try {
      applied = await this.engine.apply(d.cmd);
    } catch (err) {
      return this.refused(job, d.row, d.cmd.type, err);
    }
    return this.applied(job, d.row, d.cmd.type, applied);
  }

  private applied(job: Job<DeadlineJobData>, row: DeadlineState, type: string, applied: ApplyResult): string {
    this.faults?.at('after-apply', job);
    if (applied.replayed) return `skipped: ${type} already delivered (event ${applied.seq})`;
    this.log.debug(`${type} ${row.key} delivered to ${row.instance_id} as event ${applied.seq}`);
    return `done: ${type} applied as event ${applied.seq} (state ${applied.state})`;
  }

  /**
   * A concurrent change (or anything unexpected) is thrown: BullMQ retries the job. A refusal by
   * the procedure itself (it moved on, closed, does not take this event) is recorded with a reason.
   */
  private async refused(job: Job<DeadlineJobData>, row: DeadlineState, type: string, err: unknown): Promise<string> {
    const reason = refusalReason(err);
    if (!reason) throw err;
    await this.ds.query(
      `INSERT INTO deadline_refusal (job_id, deadline_id, instance_id, event_type, reason, message, at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (job_id) DO NOTHING`,
      [job.id, job.data.deadlineId, row.instance_id, type, reason, (err as Error).message, this.clock.now()],
    );
    return `refused: ${type} ${reason}: ${(err as Error).message}`;
  }
}

/** The columns of a deadline row a delivery reads. */
interface DeadlineState {
  status: 'open' | 'closed';
  due_at: Date;
  remind_before: number[];
  key: string;
  instance_id: string;
}

const asError = (err: unknown): Error => (err instanceof Error ? err : new Error(String(err)));

/** Why the engine refused a deadline event, as a code a test or an operator can name; null when the delivery must be retried. */
export function refusalReason(err: unknown): string | null {
  if (!(err instanceof DomainException)) return null;
  const details = err.details ?? {};
  if (err.reason === ErrorReason.CONCURRENT_UPDATE) return null;
  switch (err.code) {
    case ErrorCode.NOT_FOUND:
      return 'procedure-missing';
    case ErrorCode.FORBIDDEN:
      return 'role-refused';
    case ErrorCode.INVALID_PAYLOAD:
      return 'payload-refused';
    case ErrorCode.CONFLICT:
      if (Array.isArray(details.acceptedEvents) && details.acceptedEvents.length === 0) return 'procedure-closed';
      if (Array.isArray(details.acceptedEvents)) return 'event-not-accepted';
      return null;
    default:
      return null;
  }
}
