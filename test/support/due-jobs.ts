import { QueueEvents, type Queue } from 'bullmq';
import type Redis from 'ioredis';
import type { DeadlineJobData } from '../../src/deadlines/deadline-jobs';
import { DeadlineScheduler } from '../../src/deadlines/deadline-scheduler.service';
import type { TestApp } from './test-app';

/** One job run by {@link fireDue}. */
export interface FiredJob {
  jobId: string;
  name: string;
  /** completed | failed | unknown (removed before it ran, e.g. its deadline closed) */
  state: 'completed' | 'failed' | 'unknown';
  /** What the handler returned ("done: ..." / "skipped: ..."), or the failure reason. */
  result: string | null;
}

type Outcome = Omit<FiredJob, 'jobId' | 'name'>;

/**
 * Runs now every deadline job that is due by the application clock at `now` (delayed, or already
 * waiting: a next job added with no delay), and the next jobs those add while they are due too, through
 * the workers (in this process or another), and waits until each has finished: the test path
 * that replaces waiting for Redis's own timers when a FakeClock moves. Jobs run in waves of equal
 * due time, earliest first (a reminder before the deadline it announces). A retry waiting for its
 * backoff is promoted too. Outcomes come from BullMQ's queue events (so a job removed right
 * after it finished still reports its result); each wave waits at most `timeoutMs` in all.
 */
export async function fireDue(
  t: Pick<TestApp, 'app' | 'redis' | 'clock'>,
  options: { now?: Date; timeoutMs?: number } = {},
): Promise<FiredJob[]> {
  const queue = t.app.get(DeadlineScheduler).queue;
  const timeoutMs = options.timeoutMs ?? 120_000;
  const at = (options.now ?? t.clock.now()).getTime();
  const fired: FiredJob[] = [];
  const seen = new Set<string>();
  // A job that ran adds its deadline's next job (one pending job per deadline); when that one is
  // due by now as well it is run in the next round, until nothing due is left (bounded).
  for (let round = 0; round < 20; round++) {
    const jobs = [...(await queue.getDelayed(0, -1)), ...(await queue.getJobs(['wait', 'active', 'prioritized']))];
    const due = jobs
      .filter((j) => j?.id && !seen.has(j.id) && typeof j.data?.at === 'number' && j.data.at <= at)
      .sort((a, b) => a.data.at - b.data.at || (a.data.kind === b.data.kind ? 0 : a.data.kind === 'reminder' ? -1 : 1));
    if (!due.length) break;
    const waves: { at: number; ids: string[] }[] = [];
    const names = new Map<string, string>();
    for (const j of due) {
      const id = j.id!;
      if (seen.has(id)) continue;
      seen.add(id);
      if (waves[waves.length - 1]?.at !== j.data.at) waves.push({ at: j.data.at, ids: [] });
      waves[waves.length - 1].ids.push(id);
      names.set(id, j.name);
    }
    for (const wave of waves) {
      const outcomes = await runWave(queue, t.redis, wave.ids, timeoutMs);
      fired.push(...wave.ids.map((id) => ({ jobId: id, name: names.get(id) ?? '', ...outcomes.get(id)! })));
    }
  }
  return fired;
}

async function runWave(
  queue: Queue<DeadlineJobData>,
  redis: Redis,
  ids: string[],
  timeoutMs: number,
): Promise<Map<string, Outcome>> {
  // Read the queue's events from its current end, so nothing that happens after the promotion is missed.
  const [last] = await redis.xrevrange(queue.keys.events, '+', '-', 'COUNT', 1);
  const events = new QueueEvents(queue.name, {
    connection: queue.opts.connection,
    prefix: queue.opts.prefix,
    lastEventId: last?.[0] ?? '0-0',
  });
  const wanted = new Set(ids);
  const done = new Map<string, Outcome>();
  let finish: () => void = () => undefined;
  const allDone = new Promise<void>((resolve) => (finish = resolve));
  const settle = (id: string, outcome: Outcome) => {
    if (!wanted.has(id) || done.has(id)) return;
    done.set(id, outcome);
    if (done.size === wanted.size) finish();
  };
  events.on('completed', ({ jobId, returnvalue }) =>
    settle(jobId, { state: 'completed', result: returnvalue === undefined ? null : (returnvalue as string | null) }),
  );
  events.on('failed', ({ jobId, failedReason }) => settle(jobId, { state: 'failed', result: failedReason ?? null }));
  events.on('removed', ({ jobId }) => settle(jobId, { state: 'unknown', result: null }));
  // a retry (or a job that fired early) waiting again: run it now as well
  events.on('delayed', ({ jobId }) => {
    if (wanted.has(jobId) && !done.has(jobId)) void promote(queue, jobId);
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await events.waitUntilReady();
    await Promise.all(
      ids.map(async (id) => {
        const job = await queue.getJob(id);
        if (!job) return settle(id, { state: 'unknown', result: null });
        const state = await job.getState();
        // a job waiting or running already (its delay was 0) finishes on its own; one that finished
        // before the events were read reports from the job itself
        if (state === 'completed')
          settle(id, { state: 'completed', result: (job.returnvalue as string | null | undefined) ?? null });
        else if (state === 'failed') settle(id, { state: 'failed', result: job.failedReason ?? null });
        else if (state === 'delayed') await job.promote().catch(() => undefined); // no longer delayed: already running or gone
      }),
    );
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    if ((await Promise.race([allDone.then(() => 'done' as const), timedOut])) === 'timeout')
      throw new Error(
        `fireDue: ${wanted.size - done.size} due job(s) were not processed in time; is a deadlines worker running (WORKERS_IN_PROCESS or npm run start:worker)?`,
      );
    return done;
  } finally {
    clearTimeout(timer);
    await events.close();
  }
}

async function promote(queue: Queue<DeadlineJobData>, id: string): Promise<void> {
  const job = await queue.getJob(id);
  await job?.promote().catch(() => undefined);
}
