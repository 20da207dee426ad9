import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DelayedError, type Job } from 'bullmq';
import { DataSource } from 'typeorm';
import { SYSTEM_ACTOR } from '../common/actors';
import { DomainException, ErrorCode, ErrorReason } from '../common/domain.exception';
import { WorkflowEngine } from '../engine/engine.service';
import { CLOCK, type Clock } from '../infra/clock';
import { queryOne } from '../infra/sql';
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
 * What a due deadline job does. The job is only a wake-up call: the deadline row decides. A
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
    @Optional() @Inject(DELIVERY_FAULTS) private readonly faults?: DeliveryFaultHook,
  ) {}

  async handle(job: Job<DeadlineJobData>, token?: string): Promise<string> {
    const d = job.data;
    const row = await queryOne<{
      status: 'open' | 'closed';
      due_at: Date;
      remind_before: number[];
      key: string;
      instance_id: string;
    }>(this.ds, `SELECT status, due_at, remind_before, key, instance_id FROM deadline WHERE id = $1`, [d.deadlineId]);
    if (!row) return `skipped: deadline ${d.deadlineId} does not exist`;
    if (row.status !== 'open') return `skipped: deadline ${row.key} is closed`;
    if (new Date(row.due_at).getTime() !== d.dueAt)
      return `skipped: deadline ${row.key} was moved to ${new Date(row.due_at).toISOString()}`;
    const now = this.clock.now().getTime();
    if (d.kind === 'reminder') {
      if (!row.remind_before.includes(d.daysBefore as number))
        return `skipped: deadline ${row.key} has no ${d.daysBefore}-day reminder`;
      if (d.dueAt <= now) return `skipped: deadline ${row.key} has already passed`;
    }
    if (d.at > now + EARLY_TOLERANCE_MS) {
      // Redis fired before our clock says it is time (clock skew, a delay computed elsewhere): wait again.
      if (token) {
        await job.moveToDelayed(Date.now() + (d.at - now), token);
        throw new DelayedError();
      }
      return `skipped: not due until ${new Date(d.at).toISOString()}`;
    }

    const type = d.kind === 'reminder' ? 'REMINDER' : 'DEADLINE_PASSED';
    const payload =
      d.kind === 'reminder' ? { deadlineKey: row.key, daysBefore: d.daysBefore } : { deadlineKey: row.key };
    this.faults?.at('before-apply', job);
    let applied;
    try {
      applied = await this.engine.apply({
        instanceId: row.instance_id,
        type,
        payload,
        actor: SYSTEM_ACTOR,
        idempotencyKey: job.id ?? null,
      });
    } catch (err) {
      // A concurrent change (or anything unexpected) is thrown: BullMQ retries the job. A refusal by
      // the procedure itself (it moved on, closed, does not take this event) is recorded with a reason.
      const reason = refusalReason(err);
      if (!reason) throw err;
      await this.ds.query(
        `INSERT INTO deadline_refusal (job_id, deadline_id, instance_id, event_type, reason, message, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (job_id) DO NOTHING`,
        [job.id, d.deadlineId, row.instance_id, type, reason, (err as Error).message, this.clock.now()],
      );
      return `refused: ${type} ${reason}: ${(err as Error).message}`;
    }
    this.faults?.at('after-apply', job);
    if (applied.replayed) return `skipped: ${type} already delivered (event ${applied.seq})`;
    this.log.debug(`${type} ${row.key} delivered to ${row.instance_id} as event ${applied.seq}`);
    return `done: ${type} applied as event ${applied.seq} (state ${applied.state})`;
  }
}

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
