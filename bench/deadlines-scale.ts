/**
 * Deadlines at scale, three measurements in one run, with the deadlines workers running in this
 * process (WORKERS_IN_PROCESS=true) and the system clock:
 *
 * 1. Scheduling: 100,000 open 30-day deadlines (reminders 7 and 1 days before; ONE pending job
 *    each, the 7-day reminder: the next job is added when one has run) are
 *    bulk-inserted with SQL the way the engine leaves them after a start — instance, `$started`
 *    event, open `deadline` row, unprocessed `deadline.sync` outbox row — then the outbox relay is
 *    drained and timed: every row goes through DeadlineScheduler's handler into BullMQ delayed
 *    jobs. Reports the time, jobs/s, jobs per deadline (1 expected) and Redis memory per open
 *    deadline (INFO used_memory before/after, checked against MEMORY USAGE of sampled job hashes
 *    and the delayed set) against the target of 1.5 KB.
 * 2. Lateness of a batch coming due together: 1,000 deadlines whose reminder falls due at the same
 *    instant a few seconds ahead, scheduled through the relay, fired by Redis's own timers and the
 *    real BullMQ worker, which delivers the jobs that fire together in groups (one read of their
 *    deadlines, one engine transaction per group: WorkflowEngine.applyMany); lateness =
 *    workflow_event.at of the REMINDER minus that instant (p50/p99), group count and sizes, a
 *    delivered-once check (one REMINDER per job id, one next job — the due time — pending per
 *    deadline afterwards), with Redis commands, SQL statements, Node CPU and handler time per
 *    reminder. Run once with the group slots as configured (DEADLINE_CONCURRENCY, default 8) and once with
 *    BENCH_CONCURRENCY (default 8), the application booted again with DEADLINE_CONCURRENCY set.
 * 3. Reconciliation after a Redis loss: every key of this run's prefix is deleted (never FLUSHALL)
 *    and DeadlineReconciler.reconcile() is timed while it rebuilds one job per open deadline; the pass that
 *    confirms an intact Redis is timed too (after the second boot).
 *
 *   npm run bench:deadlines
 *   (BENCH_DEADLINES, BENCH_BATCH, BENCH_LEAD_MS, BENCH_CONCURRENCY override the defaults)
 */
import { createHash, randomBytes } from 'node:crypto';
import { execSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import type { NestExpressApplication } from '@nestjs/platform-express';
import Redis from 'ioredis';
import { Client } from 'pg';
import { emit, setup } from 'xstate';
import { z } from 'zod';
import { createApp } from '../src/bootstrap';
import { loadEnv } from '../src/config/env';
import { DeadlineReconciler } from '../src/deadlines/deadline-reconciler.service';
import { DeadlineScheduler } from '../src/deadlines/deadline-scheduler.service';
import { DeadlineProcessor } from '../src/deadlines/deadline.processor';
import { WorkflowEngine } from '../src/engine/engine.service';
import { DEFINITIONS } from '../src/engine/engine.types';
import { OutboxRelay } from '../src/engine/outbox.relay';
import { systemClock } from '../src/infra/clock';
import type { Runtime } from '../src/infra/runtime';
import { guardsFrom, type WorkflowDefinition } from '../workflows/kernel/definition';
import type { WorkflowEffect, WorkflowEvent } from '../workflows/kernel/types';
import type { DefinitionRegistry } from '../workflows/registry';
import {
  countStatements,
  cpuLine,
  cpuSample,
  cpuSince,
  type CpuSample,
  fmt,
  log,
  machineLine,
  OFFICER,
  percentile,
  profiled,
  REDIS_URL,
  withScratch,
  type Scratch,
} from './lib/harness';

const DEADLINES = Number(process.env.BENCH_DEADLINES ?? 100_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 1_000);
const LEAD_MS = Number(process.env.BENCH_LEAD_MS ?? 15_000);
const ALT_CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const CONFIGURED_CONCURRENCY = process.env.DEADLINE_CONCURRENCY;
const INSERT_BATCH = 20_000;
const DAY = 24 * 3600 * 1000;
const TARGET_P99_MS = 1000;
const TARGET_BYTES_PER_DEADLINE = 1536;
const TARGET_RECONCILE_S = 60;
const GENESIS = '0'.repeat(64);

// ------------------------------------------------------------------------------ the definition

/** One waiting stage with a 30-day deadline (reminders 7 and 1 days before) that takes REMINDER and DEADLINE_PASSED like a real stage. */
const DEFINITION_ID = 'bench-deadline';
type Ev = WorkflowEvent<string, { deadlineKey?: string; daysBefore?: number }>;
const refusals = {
  ownDeadline: ({ event }: { context: unknown; event: Ev }) =>
    event.payload.deadlineKey === 'waiting' ? null : 'Not this stage’s deadline.',
};
const machine = setup({
  types: { context: {}, events: {} as Ev, emitted: {} as WorkflowEffect },
  guards: guardsFrom(refusals),
}).createMachine({
  id: DEFINITION_ID,
  initial: 'waiting',
  context: {},
  states: {
    waiting: {
      meta: {
        label: { en: 'Waiting', ru: 'Ожидание', zh: '等待' },
        responsible: 'legal_officer',
        deadline: { days: 30, remindBefore: [7, 1], escalateTo: ['manager'] },
      },
      on: {
        REMINDER: {
          guard: 'ownDeadline',
          actions: emit(({ event }) => ({
            type: 'effect.notify' as const,
            kind: 'reminder' as const,
            audience: { roles: ['legal_officer' as const] },
            subject: `Due in ${event.payload.daysBefore ?? '?'} day(s)`,
          })),
        },
        DEADLINE_PASSED: {
          guard: 'ownDeadline',
          actions: emit(() => ({
            type: 'effect.notify' as const,
            kind: 'escalation' as const,
            audience: { roles: ['manager' as const] },
            subject: 'Overdue',
          })),
        },
        FINISH: 'finished',
      },
    },
    finished: {
      type: 'final',
      meta: { label: { en: 'Finished', ru: 'Завершено', zh: '已完成' }, responsible: 'legal_officer' },
    },
  },
});

function definition(): WorkflowDefinition {
  const deadlinePayload = z.object({ deadlineKey: z.string() }).strict();
  return {
    id: DEFINITION_ID,
    version: 1,
    measure: 'bench',
    title: { en: 'Benchmark deadline', ru: 'Срок (замер)', zh: '期限（基准）' },
    description: 'Benchmark procedure',
    machine,
    startRoles: ['legal_officer'],
    input: z.object({}).strict(),
    refusals,
    businessKeys: () => ({ partner: null, memorandum: null, treaty: null, subject: 'bench' }),
    events: {
      REMINDER: {
        description: 'reminder',
        roles: ['system'],
        payload: deadlinePayload.extend({ daysBefore: z.number().int().min(0) }),
      },
      DEADLINE_PASSED: { description: 'deadline passed', roles: ['system'], payload: deadlinePayload },
      FINISH: { description: 'finish', roles: ['legal_officer'], payload: z.object({}).strict() },
    },
  };
}

// ------------------------------------------------------------------------------ the application

interface App {
  app: NestExpressApplication;
  engine: WorkflowEngine;
  relay: OutboxRelay;
  scheduler: DeadlineScheduler;
  reconciler: DeadlineReconciler;
  concurrency: number;
}

/**
 * The real application with its workers in process, the system clock, no periodic outbox sweep or
 * reconciliation (the runs below drain and reconcile when they measure). Settings are read from
 * process.env at boot, hence set here.
 */
async function boot(scratch: Scratch, concurrency: string | undefined): Promise<App> {
  process.env.OUTBOX_SWEEP_MS = '0';
  process.env.RECONCILE_EVERY_MS = '0';
  if (concurrency === undefined) delete process.env.DEADLINE_CONCURRENCY;
  else process.env.DEADLINE_CONCURRENCY = concurrency;
  const env = loadEnv({
    NODE_ENV: 'production',
    DATABASE_URL: scratch.dbUrl,
    REDIS_URL,
    REDIS_PREFIX: scratch.redisPrefix,
    JWT_SECRET: randomBytes(24).toString('base64url'),
    // production refuses to start without its keys: fresh ones per run
    WEBHOOK_SECRET_KEY: randomBytes(32).toString('base64'),
    EVIDENCE_SIGNING_KEY: randomBytes(32).toString('base64'),
    WORKERS_IN_PROCESS: 'true',
    RECONCILE_EVERY_MS: '0',
    OUTBOX_SWEEP_MS: '0',
    DEADLINE_CONCURRENCY: concurrency,
    LOG_LEVEL: 'warn',
    PORT: '0',
  });
  const runtime: Runtime = Object.freeze({ env, postgresUrl: scratch.dbUrl, redisUrl: REDIS_URL, clock: systemClock });
  const app = await createApp(runtime, { logger: ['error', 'warn'] });
  const registry = app.get<DefinitionRegistry>(DEFINITIONS);
  if (!registry.get(DEFINITION_ID, 1)) registry.register(definition());
  await app.init();
  const processor = app.get(DeadlineProcessor);
  return {
    app,
    engine: app.get(WorkflowEngine),
    relay: app.get(OutboxRelay),
    scheduler: app.get(DeadlineScheduler),
    reconciler: app.get(DeadlineReconciler),
    concurrency: processor.worker.concurrency,
  };
}

// ------------------------------------------------------------------------------ helpers

async function pgClient(url: string): Promise<Client> {
  const c = new Client({ connectionString: url });
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

async function usedMemory(redis: Redis): Promise<number> {
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
}

async function deletePrefix(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  for (let round = 0; round < 100_000; round++) {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (keys.length) deleted += await redis.unlink(...keys);
    cursor = next;
    if (cursor === '0') break;
  }
  return deleted;
}

/** BullMQ's Lua scripts by sha1, to name the EVALSHA calls. */
function bullmqScripts(): Map<string, string> {
  const out = new Map<string, string>();
  try {
    // BullMQ's internal script table: a path that may move between versions, hence loaded lazily.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const all = require('bullmq/dist/cjs/scripts') as Record<string, { name?: string; content?: string }>;
    for (const s of Object.values(all))
      if (s?.name && s.content) out.set(createHash('sha1').update(s.content).digest('hex'), s.name);
  } catch {
    // named by sha prefix instead
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Counts the Redis commands this process sends (every ioredis connection, BullMQ's included) except `ignore`'s, while `fn` runs. */
async function countRedisCommands<T>(
  ignore: Redis,
  scripts: Map<string, string>,
  fn: () => Promise<T>,
): Promise<{ result: T; commands: Map<string, number> }> {
  type SendCommand = (this: Redis, command: { name?: string; args?: unknown[] }, ...rest: unknown[]) => unknown;
  const proto = Redis.prototype as unknown as { sendCommand: SendCommand };
  const original = proto.sendCommand;
  const commands = new Map<string, number>();
  proto.sendCommand = function (this: Redis, command, ...rest) {
    if (this !== ignore) {
      const name = String(command?.name ?? '?');
      const first = command?.args?.[0];
      const sha = typeof first === 'string' ? first : Buffer.isBuffer(first) ? first.toString() : '';
      const key = name === 'evalsha' ? `evalsha ${scripts.get(sha) ?? sha.slice(0, 8)}` : name;
      commands.set(key, (commands.get(key) ?? 0) + 1);
    }
    return original.call(this, command, ...rest);
  };
  try {
    return { result: await fn(), commands };
  } finally {
    proto.sendCommand = original;
  }
}

/**
 * Copies the template instance `count` times with SQL, each with its `$started` event, one open
 * deadline of the template's stage and its unprocessed `deadline.sync` outbox row — what
 * WorkflowEngine.start leaves behind. `due` is an SQL expression over `n` (1..count) for due_at;
 * the deadline opened 30 days before it. Returns the deadline ids.
 */
async function bulkDeadlines(
  c: Client,
  templateId: string,
  count: number,
  due: string,
  remindBefore: number[],
  params: unknown[] = [],
): Promise<string[]> {
  const [tpl] = (await c.query(`SELECT snapshot FROM workflow_instance WHERE id = $1`, [templateId])).rows;
  const [dl] = (await c.query(`SELECT label FROM deadline WHERE instance_id = $1`, [templateId])).rows;
  const ids: string[] = [];
  for (let done = 0; done < count; done += INSERT_BATCH) {
    const n = Math.min(INSERT_BATCH, count - done);
    await c.query('BEGIN');
    await c.query(
      `CREATE TEMP TABLE bench_new ON COMMIT DROP AS
       SELECT g AS n, gen_random_uuid() AS id, gen_random_uuid() AS deadline_id FROM generate_series($1::int + 1, $1::int + $2::int) g`,
      [done, n],
    );
    await c.query(
      `INSERT INTO workflow_instance (id, definition_id, definition_version, snapshot, state_path, status, outcome, partner, memorandum, treaty, subject,
         parent_id, parent_key, started_by, seq, last_hash, created_at, updated_at)
       SELECT id, $1, 1, $2::jsonb, 'waiting', 'active', NULL, NULL, NULL, NULL, 'bench', NULL, NULL, $3, 1,
         encode(sha256(convert_to(id::text || ':1', 'UTF8')), 'hex'), now(), now()
       FROM bench_new`,
      [DEFINITION_ID, JSON.stringify(tpl.snapshot), OFFICER.id],
    );
    await c.query(
      `INSERT INTO workflow_event (instance_id, seq, type, payload, actor_id, actor_role, actor_member_state, acting_for, idempotency_key,
         definition_version, state_before, state_after, at, prev_hash, hash)
       SELECT id, 1, '$started', '{}'::jsonb, $1, 'legal_officer', NULL, NULL, NULL, 1, NULL, 'waiting', now(), $2,
         encode(sha256(convert_to(id::text || ':1', 'UTF8')), 'hex')
       FROM bench_new`,
      [OFFICER.id, GENESIS],
    );
    const p = params.length;
    await c.query(
      `INSERT INTO deadline (id, instance_id, key, label, responsible, assignee, escalate_to, unit, starts_at, due_at, remind_before, status, opened_by_seq, created_at)
       SELECT deadline_id, id, 'waiting', $${p + 1}::jsonb, 'legal_officer', NULL, ARRAY['manager'], 'calendar', d.due - interval '30 days', d.due,
         $${p + 2}::int[], 'open', 1, d.due - interval '30 days'
       FROM bench_new CROSS JOIN LATERAL (SELECT ${due} AS due) d`,
      [...params, JSON.stringify(dl.label), remindBefore],
    );
    await c.query(
      `INSERT INTO outbox_message (instance_id, kind, payload, created_at, available_at)
       SELECT id, 'deadline.sync', jsonb_build_object('deadlineId', deadline_id), now(), now() FROM bench_new ORDER BY n`,
    );
    const rows = (await c.query(`SELECT deadline_id FROM bench_new ORDER BY n`)).rows as { deadline_id: string }[];
    await c.query('COMMIT');
    for (const r of rows) ids.push(r.deadline_id);
  }
  await c.query('ANALYZE workflow_instance; ANALYZE workflow_event; ANALYZE deadline; ANALYZE outbox_message');
  return ids;
}

// ------------------------------------------------------------------------------ part 2: a batch due together

interface BatchResult {
  concurrency: number;
  p50: number;
  p99: number;
  max: number;
  delivered: number;
  /** One event per job id and one next job pending per deadline. */
  deliveredOnce: boolean;
  groups: number;
}

/** Autovacuum and autoanalyze runs so far on this database's tables (pg_stat_user_tables). */
async function autovacuumRuns(c: Client): Promise<number> {
  const r = await c.query(
    `SELECT coalesce(sum(autovacuum_count + autoanalyze_count), 0)::int AS n FROM pg_stat_user_tables`,
  );
  return (r.rows[0] as { n: number }).n;
}

async function batchDueTogether(
  a: App,
  c: Client,
  redis: Redis,
  templateId: string,
  label: string,
): Promise<BatchResult> {
  const queue = a.scheduler.queue;
  const completedBefore = (await redis.zcard(queue.keys.completed)) + (await redis.zcard(queue.keys.failed));
  const T = Date.now() + LEAD_MS;
  const dueIso = new Date(T + DAY).toISOString();
  const ids = await bulkDeadlines(c, templateId, BATCH, `$1::timestamptz`, [1], [dueIso]);
  const s0 = performance.now();
  await a.relay.drain();
  const scheduledMs = performance.now() - s0;
  const margin = T - Date.now();
  const jobIds = ids.map((id) => `dl-${id}-r1-${T + DAY}`);
  const present = (await Promise.all(jobIds.map((id) => redis.zscore(queue.keys.delayed, id)))).filter(
    (x) => x !== null,
  ).length;
  log(
    `  ${label}: ${fmt(BATCH)} deadlines (reminder 1 day before, due ${new Date(T + DAY).toISOString()}) scheduled through the relay in ${(scheduledMs / 1000).toFixed(2)} s; ${fmt(present)} reminders delayed in Redis for ${new Date(T).toISOString()}, ${(margin / 1000).toFixed(1)} s ahead`,
  );
  if (margin < 500)
    log(`  WARNING: scheduling ended ${(-margin / 1000).toFixed(1)} s too late for a clean start; raise BENCH_LEAD_MS`);

  const scripts = bullmqScripts();
  // the groups the worker formed: sizes of the engine transactions that applied several reminders
  const groups: number[] = [];
  const applyMany = a.engine.applyMany.bind(a.engine);
  a.engine.applyMany = (cmds) => {
    groups.push(cmds.length);
    return applyMany(cmds);
  };
  const cpu0 = process.cpuUsage();
  // the machine's CPU from the due instant to the poll that sees the last job finished
  const autovacuum0 = await autovacuumRuns(c);
  let burst0: { machine: CpuSample; node: NodeJS.CpuUsage } | null = null;
  const atDue = setTimeout(
    () => (burst0 = { machine: cpuSample(), node: process.cpuUsage() }),
    Math.max(0, T - Date.now()),
  );
  const timeoutAt = T + 300_000;
  const { result: statements, commands } = await countRedisCommands(redis, scripts, () =>
    profiled(`deadlines-burst-${label.replace(/\W+/g, '-')}`, () =>
      countStatements(async () => {
        for (;;) {
          const finished =
            (await redis.zcard(queue.keys.completed)) + (await redis.zcard(queue.keys.failed)) - completedBefore;
          if (finished >= BATCH) return finished;
          if (Date.now() > timeoutAt)
            throw new Error(`only ${finished} of ${BATCH} reminders finished within 300 s of their time`);
          await sleep(200);
        }
      }),
    ),
  );
  clearTimeout(atDue);
  const autovacuumDuring = (await autovacuumRuns(c)) - autovacuum0;
  const started = burst0 as { machine: CpuSample; node: NodeJS.CpuUsage } | null;
  const burstMachine = started ? cpuSince(started.machine) : null;
  const burstNode = started ? process.cpuUsage(started.node) : null;
  await a.relay.drain(); // the notify rows the reminders wrote (kicked after commit; normally already done)
  const cpu = process.cpuUsage(cpu0);
  a.engine.applyMany = applyMany;

  // delivered once: one REMINDER per job id, and afterwards exactly one pending job (the due time) per deadline
  const [once] = (
    await c.query(
      `SELECT count(*)::int AS n, count(DISTINCT idempotency_key)::int AS keys FROM workflow_event WHERE type = 'REMINDER' AND idempotency_key = ANY($1)`,
      [jobIds],
    )
  ).rows as { n: number; keys: number }[];
  const dueIds = ids.map((id) => `dl-${id}-due-${T + DAY}`);
  const nextPending = (await Promise.all(dueIds.map((id) => redis.zscore(queue.keys.delayed, id)))).filter(
    (x) => x !== null,
  ).length;
  const deliveredOnce = once.n === BATCH && once.keys === BATCH && nextPending === BATCH;

  const events = (
    await c.query(
      `SELECT idempotency_key, extract(epoch FROM at) * 1000 AS at FROM workflow_event WHERE type = 'REMINDER' AND idempotency_key = ANY($1)`,
      [jobIds],
    )
  ).rows as { idempotency_key: string; at: string }[];
  const lateness = events.map((e) => Number(e.at) - T);
  const pipeline = redis.pipeline();
  for (const id of jobIds) pipeline.hmget(queue.toKey(id), 'processedOn', 'finishedOn', 'returnvalue', 'attemptsMade');
  const jobs = ((await pipeline.exec()) ?? []).map(([, v]) => v as (string | null)[]);
  const wait = jobs.filter((j) => j[0]).map((j) => Number(j[0]) - T);
  const run = jobs.filter((j) => j[0] && j[1]).map((j) => Number(j[1]) - Number(j[0]));
  const notDone = jobs.filter((j) => !String(j[2] ?? '').startsWith('"done')).length;
  const retried = jobs.filter((j) => Number(j[3] ?? 0) > 1).length;
  const lastFinish = Math.max(...jobs.filter((j) => j[1]).map((j) => Number(j[1])));
  const totalStatements = [...statements.counts.values()].reduce((x, y) => x + y, 0);
  const totalCommands = [...commands.values()].reduce((x, y) => x + y, 0);
  const p = (xs: number[], q: number) => percentile(xs, q).toFixed(0);

  log(`  ${label}: ${fmt(events.length)} REMINDER events applied (${notDone} jobs not "done", ${retried} retried)`);
  log(
    `    delivered once: ${once.n} events for ${once.keys} distinct job ids of ${BATCH}; next job (the due time) pending for ${nextPending} of ${BATCH} deadlines: ${deliveredOnce ? 'ok' : 'FAILED'}`,
  );
  const grouped = groups.reduce((x, y) => x + y, 0);
  log(
    `    groups: ${groups.length} engine transactions of several reminders carried ${fmt(grouped)} of them (mean ${(grouped / Math.max(1, groups.length)).toFixed(1)}, max ${Math.max(0, ...groups)}); the rest one by one`,
  );
  log(
    `    lateness (event.at - due instant): p50 ${p(lateness, 50)} ms, p90 ${p(lateness, 90)} ms, p99 ${p(lateness, 99)} ms, max ${p(lateness, 100)} ms, min ${p(lateness, 0)} ms`,
  );
  log(
    `    worker picked the job up (processedOn - due): p50 ${p(wait, 50)} ms, p99 ${p(wait, 99)} ms; handler time per job (finishedOn - processedOn): p50 ${p(run, 50)} ms, p99 ${p(run, 99)} ms`,
  );
  log(
    `    burst drained in ${fmt(lastFinish - T)} ms: ${fmt(BATCH / Math.max(1, (lastFinish - T) / 1000))} reminders/s at concurrency ${a.concurrency} (concurrency / median handler time = ${fmt((a.concurrency * 1000) / Math.max(1, percentile(run, 50)))} /s)`,
  );
  log(
    `    per reminder: ${(totalCommands / BATCH).toFixed(1)} Redis commands, ${(totalStatements / BATCH).toFixed(1)} SQL statements, ${((cpu.user + cpu.system) / 1000 / BATCH).toFixed(2)} ms Node CPU (whole window, notify relay included)`,
  );
  if (burstMachine && burstNode) {
    const cores = availableParallelism();
    const perReminder = (burstMachine.busy * 1000) / BATCH;
    log(
      `    during the burst (due instant to the poll that saw the last job finished): ${cpuLine(burstMachine, BATCH, 'reminder')}, ` +
        `this process (worker, engine, relay) ${((burstNode.user + burstNode.system) / 1000 / BATCH).toFixed(2)} ms; ` +
        `with all ${cores} cores busy, ${fmt(BATCH)} reminders at ${perReminder.toFixed(2)} ms of machine CPU each need at least ${fmt((perReminder * BATCH) / cores)} ms; ` +
        `autovacuum and autoanalyze runs that ended meanwhile: ${autovacuumDuring}`,
    );
  }
  const top = (m: Map<string, number>, k: number) =>
    [...m.entries()]
      .sort((x, y) => y[1] - x[1])
      .slice(0, k)
      .map(([name, n]) => `${(n / BATCH).toFixed(2)} ${name}`)
      .join('; ');
  log(`    Redis commands per reminder: ${top(commands, 8)}`);
  log(`    SQL per reminder: ${top(statements.counts, 14)}`);
  return {
    concurrency: a.concurrency,
    p50: percentile(lateness, 50),
    p99: percentile(lateness, 99),
    max: percentile(lateness, 100),
    delivered: events.length,
    deliveredOnce,
    groups: groups.length,
  };
}

// ------------------------------------------------------------------------------ the run

void withScratch(async (scratch) => {
  let load: string;
  try {
    load = execSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    load = 'uptime unavailable';
  }
  log(
    `deadlines at scale: ${fmt(DEADLINES)} deadlines, batch ${fmt(BATCH)}, lead ${LEAD_MS} ms; ${machineLine()}; ${new Date().toISOString()}`,
  );
  log(`load: ${load}`);
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 2 });
  const c = await pgClient(scratch.dbUrl);
  let a: App | null = null;
  try {
    a = await boot(scratch, CONFIGURED_CONCURRENCY);
    const queue = a.scheduler.queue;
    const template = await a.engine.start({ definitionId: DEFINITION_ID, input: {}, actor: OFFICER });
    await a.relay.drain();

    // ---------------------------------------------------------------- 1. scheduling
    log('');
    log(`1. scheduling ${fmt(DEADLINES)} open deadlines through the outbox relay`);
    const m0 = performance.now();
    // due over the next 30..36 days (opened up to 6 days ago): reminders 7 and 1 days before are both ahead; one pending job each
    await bulkDeadlines(
      c,
      template.instanceId,
      DEADLINES,
      `now() + interval '30 days' - n * interval '5 seconds'`,
      [7, 1],
    );
    log(
      `  inserted ${fmt(DEADLINES)} instances, deadlines and deadline.sync outbox rows with SQL in ${seconds(performance.now() - m0)} (untimed)`,
    );
    const zBefore = await redis.zcard(queue.keys.delayed);
    const memBefore = await usedMemory(redis);
    const t0 = performance.now();
    const drained = await a.relay.drain();
    const scheduleMs = performance.now() - t0;
    const memAfter = await usedMemory(redis);
    const jobs = (await redis.zcard(queue.keys.delayed)) - zBefore;
    const [{ left }] = (await c.query(`SELECT count(*)::int AS left FROM outbox_message WHERE processed_at IS NULL`))
      .rows;
    const perDeadline = (memAfter - memBefore) / DEADLINES;
    const sample = await redis.zrange(queue.keys.delayed, 0, 199);
    const sampled = await Promise.all(
      sample.map((id) => redis.call('MEMORY', 'USAGE', queue.toKey(id)) as Promise<number>),
    );
    const perJobHash = sampled.reduce((x, y) => x + Number(y), 0) / Math.max(1, sampled.length);
    const zsetBytes = Number(await redis.call('MEMORY', 'USAGE', queue.keys.delayed, 'SAMPLES', '1000'));
    const jobsPerDeadline = jobs / DEADLINES;
    log(
      `  relay drained ${fmt(drained)} outbox rows in ${seconds(scheduleMs)}: ${fmt(jobs)} delayed jobs (${jobsPerDeadline.toFixed(2)} per deadline), ${fmt(jobs / (scheduleMs / 1000))} jobs/s, ${fmt(DEADLINES / (scheduleMs / 1000))} deadlines/s; ${left} rows left unprocessed`,
    );
    log(
      `  Redis used_memory ${fmt(memBefore / 1048576, 1)} -> ${fmt(memAfter / 1048576, 1)} MiB: ${fmt(perDeadline)} bytes per deadline (${fmt(perDeadline / jobsPerDeadline)} per job; server-wide figure, other clients share this Redis)`,
    );
    log(
      `  cross-check: MEMORY USAGE of 200 job hashes averages ${fmt(perJobHash)} bytes, delayed set ${fmt(zsetBytes / 1048576, 1)} MiB: ${fmt(perJobHash * jobsPerDeadline + zsetBytes / DEADLINES)} bytes per deadline`,
    );

    // The bulk load and its relaying left 100,000 updated outbox rows and new deadline rows behind:
    // vacuumed here, untimed, so that autovacuum does not take them up during a burst (a real
    // server gets such rows over months, with autovacuum keeping up)
    const v0 = performance.now();
    await c.query('VACUUM ANALYZE outbox_message, deadline, workflow_instance, workflow_event');
    log(`  vacuumed the tables the scheduling wrote in ${seconds(performance.now() - v0)} (untimed)`);

    // ---------------------------------------------------------------- 2a. a batch due together, configured concurrency
    log('');
    log(`2. ${fmt(BATCH)} reminders due at the same instant, real worker in process, system clock`);
    const batches: BatchResult[] = [];
    batches.push(
      await batchDueTogether(
        a,
        c,
        redis,
        template.instanceId,
        `DEADLINE_CONCURRENCY=${CONFIGURED_CONCURRENCY ?? '(default)'} -> ${a.concurrency}`,
      ),
    );
    await a.app.close();
    a = null;

    // ---------------------------------------------------------------- 2b. again with the other concurrency
    a = await boot(scratch, String(ALT_CONCURRENCY));
    // the reconciliation at start runs over an intact Redis; reconcile() waits for it, then confirms once more (timed)
    const confirm = await a.reconciler.reconcile();
    log(
      `  (booted again with DEADLINE_CONCURRENCY=${ALT_CONCURRENCY}; reconciliation confirming an intact Redis: ${fmt(confirm.checked)} open deadlines, ${confirm.readded} re-added, ${confirm.removed} removed, ${seconds(confirm.durationMs)})`,
    );
    batches.push(
      await batchDueTogether(
        a,
        c,
        redis,
        template.instanceId,
        `DEADLINE_CONCURRENCY=${ALT_CONCURRENCY} -> ${a.concurrency}`,
      ),
    );

    // ---------------------------------------------------------------- 3. reconciliation after a Redis loss
    log('');
    const [{ open }] = (await c.query(`SELECT count(*)::int AS open FROM deadline WHERE status = 'open'`)).rows;
    const delayedBefore = await redis.zcard(queue.keys.delayed);
    const deleted = await deletePrefix(redis, scratch.redisPrefix);
    log(
      `3. Redis loss: deleted ${fmt(deleted)} keys of ${scratch.redisPrefix}:* (${fmt(delayedBefore)} delayed jobs, ${fmt(open)} open deadlines)`,
    );
    const r0 = performance.now();
    const rebuilt = await a.reconciler.reconcile();
    const rebuildMs = performance.now() - r0;
    const delayedAfter = await redis.zcard(queue.keys.delayed);
    log(
      `  reconcile(): ${fmt(rebuilt.readded)} jobs re-added, ${rebuilt.removed} removed, ${fmt(rebuilt.checked)} open deadlines checked in ${seconds(rebuildMs)} (${fmt(rebuilt.readded / (rebuildMs / 1000))} jobs/s); delayed jobs now ${fmt(delayedAfter)} (before the loss ${fmt(delayedBefore)})`,
    );

    // ---------------------------------------------------------------- summary
    log('');
    log(
      `SUMMARY scheduling: ${fmt(DEADLINES)} deadlines -> ${fmt(jobs)} jobs in ${seconds(scheduleMs)} (${fmt(jobs / (scheduleMs / 1000))} jobs/s); Redis ${fmt(perDeadline)} bytes per open deadline, ${jobsPerDeadline.toFixed(2)} jobs each (target <= ${fmt(TARGET_BYTES_PER_DEADLINE)} bytes and 1 job: ${perDeadline <= TARGET_BYTES_PER_DEADLINE && jobs === DEADLINES ? 'met' : 'MISSED'})`,
    );
    for (const b of batches)
      log(
        `SUMMARY ${fmt(BATCH)} reminders due together, worker concurrency ${b.concurrency} (${b.groups} groups): lateness p50 ${fmt(b.p50)} ms, p99 ${fmt(b.p99)} ms, max ${fmt(b.max)} ms, each delivered once: ${b.deliveredOnce ? 'yes' : 'NO'} (target p99 <= ${TARGET_P99_MS} ms, each once: ${b.p99 <= TARGET_P99_MS && b.delivered === BATCH && b.deliveredOnce ? 'met' : 'MISSED'})`,
      );
    log(
      `SUMMARY reconciliation after a Redis loss: ${fmt(rebuilt.readded)} jobs for ${fmt(rebuilt.checked)} open deadlines in ${seconds(rebuildMs)} (target <= ${TARGET_RECONCILE_S} s: ${rebuildMs <= TARGET_RECONCILE_S * 1000 && delayedAfter === delayedBefore ? 'met' : 'MISSED'}); confirming an intact Redis ${seconds(confirm.durationMs)}`,
    );
  } finally {
    if (a) await a.app.close().catch((e) => log(`close failed: ${(e as Error).message}`));
    await c.end().catch(() => undefined);
    redis.disconnect();
  }
}).catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
