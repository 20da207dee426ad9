/**
 * Pure planning of the BullMQ jobs of one deadline row: which jobs a deadline goes through, their
 * deterministic ids and when each is due, and which ONE of them is pending in Redis (nextDeadlineJob). Used by the outbox handler (`deadline.sync`), the
 * reconciler and the processor, so all three agree on what "the jobs of a deadline" are.
 */
import { reminderTimes } from '../engine/deadline-plan';

export const DEADLINES_QUEUE = 'deadlines';
export const WEBHOOKS_QUEUE = 'webhooks';

export type DeadlineJobKind = 'reminder' | 'due';

/** The job names shown in Bull Board; the processor reads `data.kind`, not the name. */
export const DEADLINE_JOB_NAMES: Record<DeadlineJobKind, string> = { reminder: 'REMINDER', due: 'DEADLINE_PASSED' };

/** What a deadline job carries. Everything can be recomputed from the deadline row. */
export interface DeadlineJobData {
  deadlineId: string;
  instanceId: string;
  deadlineKey: string;
  kind: DeadlineJobKind;
  /** Reminders only: days before the due time. */
  daysBefore: number | null;
  /** The due time (ms since epoch) the job was planned for; a different due_at means the job is stale. */
  dueAt: number;
  /** When the job is due by the application clock (ms since epoch). */
  at: number;
}

export interface PlannedJob {
  id: string;
  name: string;
  data: DeadlineJobData;
}

/** The columns of a `deadline` row the planner reads. */
export interface DeadlineRow {
  id: string;
  instance_id: string;
  key: string;
  unit: 'calendar' | 'working';
  starts_at: Date | string;
  due_at: Date | string;
  remind_before: number[];
  status: 'open' | 'closed';
  extensions: { from: string; to: string; at: string }[] | null;
}

const ms = (d: Date | string): number => (d instanceof Date ? d.getTime() : new Date(d).getTime());

/**
 * Job ids never contain ':' (BullMQ refuses them) and are unique per deadline, kind and due time,
 * so an extension (a new due time) yields new ids and a completed job never blocks its successor:
 *
 *   dl-<deadlineId>-r<daysBefore>-<dueAtMs>   a reminder
 *   dl-<deadlineId>-due-<dueAtMs>             the deadline passing
 */
export function deadlineJobId(
  deadlineId: string,
  kind: DeadlineJobKind,
  dueAtMs: number,
  daysBefore?: number | null,
): string {
  if (!/^[0-9a-f-]{36}$/i.test(deadlineId)) throw new Error(`not a deadline id: ${deadlineId}`);
  if (!Number.isSafeInteger(dueAtMs)) throw new Error(`not a due time: ${dueAtMs}`);
  if (kind === 'due') return `dl-${deadlineId}-due-${dueAtMs}`;
  if (!Number.isInteger(daysBefore) || (daysBefore as number) < 0)
    throw new Error(`a reminder needs whole days before, not ${String(daysBefore)}`);
  return `dl-${deadlineId}-r${daysBefore}-${dueAtMs}`;
}

const JOB_ID = /^dl-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})-(?:r(\d+)|(due))-(\d+)$/i;

/** The parts of a deadline job id, or null for any other id. */
export function parseDeadlineJobId(
  id: string,
): { deadlineId: string; kind: DeadlineJobKind; daysBefore: number | null; dueAt: number } | null {
  const m = JOB_ID.exec(id);
  if (!m) return null;
  return {
    deadlineId: m[1].toLowerCase(),
    kind: m[3] ? 'due' : 'reminder',
    daysBefore: m[2] !== undefined ? Number(m[2]) : null,
    dueAt: Number(m[4]),
  };
}

/** When the deadline's current period began: its opening, or the latest extension. */
export function periodStart(row: DeadlineRow): number {
  const ext = row.extensions ?? [];
  return Math.max(ms(row.starts_at), ...ext.map((e) => ms(e.at)).filter((n) => Number.isFinite(n)));
}

/**
 * The jobs that should exist for a deadline at `now`:
 * - nothing for a closed deadline;
 * - the due job (DEADLINE_PASSED), always while the deadline is open — if its time has passed it
 *   is due at once;
 * - one reminder per `remind_before` that falls inside the current period (after the opening or
 *   the latest extension, before the due time). Reminders still ahead are scheduled; of those whose
 *   time has already gone by (a relay or Redis outage), only the latest is kept, and only while the
 *   deadline itself has not passed: a late reminder beats a lost one, a burst of stale ones helps
 *   nobody. Reminders that were already past when the period began are never planned.
 */
export function planDeadlineJobs(row: DeadlineRow, now: Date): PlannedJob[] {
  if (row.status !== 'open') return [];
  const dueAt = ms(row.due_at);
  const start = periodStart(row);
  const t = now.getTime();
  const jobs: PlannedJob[] = [];
  const reminders = reminderTimes(new Date(dueAt), row.remind_before ?? [], row.unit).filter(
    (r) => r.at.getTime() > start && r.at.getTime() < dueAt,
  );
  const ahead = reminders.filter((r) => r.at.getTime() > t);
  const past = reminders.filter((r) => r.at.getTime() <= t);
  const latestPast = dueAt > t && past.length ? [past[past.length - 1]] : [];
  for (const r of [...latestPast, ...ahead]) {
    jobs.push(job(row, 'reminder', dueAt, r.at.getTime(), r.daysBefore));
  }
  jobs.push(job(row, 'due', dueAt, dueAt, null));
  return jobs;
}

/**
 * The ONE job a deadline keeps in Redis: the first of its planned jobs (planDeadlineJobs, in time
 * order: reminders, then the due time) whose event is not settled yet — neither applied (the
 * system's event with the job id as idempotency key) nor refused (a `deadline_refusal` row).
 * `settled` holds the ids of the planned jobs that are. Null when nothing is left (a closed
 * deadline, or one whose DEADLINE_PASSED is settled). When a job fires and its event is applied,
 * the worker plans again and adds the next one: reminder -> next reminder -> due.
 */
export function nextDeadlineJob(row: DeadlineRow, now: Date, settled: ReadonlySet<string>): PlannedJob | null {
  return planDeadlineJobs(row, now).find((j) => !settled.has(j.id)) ?? null;
}

/**
 * Every id a deadline's jobs may have had: each kind for the current due time and for every due
 * time an extension moved it from. The outbox handler removes those no longer planned without
 * scanning Redis.
 */
export function allJobIdsOf(row: DeadlineRow): string[] {
  const dues = new Set(
    [ms(row.due_at), ...(row.extensions ?? []).flatMap((e) => [ms(e.from), ms(e.to)])].filter((n) =>
      Number.isSafeInteger(n),
    ),
  );
  const ids: string[] = [];
  for (const due of dues) {
    ids.push(deadlineJobId(row.id, 'due', due));
    for (const d of new Set(row.remind_before ?? [])) ids.push(deadlineJobId(row.id, 'reminder', due, d));
  }
  return ids;
}

function job(
  row: DeadlineRow,
  kind: DeadlineJobKind,
  dueAt: number,
  at: number,
  daysBefore: number | null,
): PlannedJob {
  return {
    id: deadlineJobId(row.id, kind, dueAt, daysBefore),
    name: DEADLINE_JOB_NAMES[kind],
    data: { deadlineId: row.id, instanceId: row.instance_id, deadlineKey: row.key, kind, daysBefore, dueAt, at },
  };
}
