/**
 * Shared pieces of the benchmark scripts: a scratch database and Redis prefix of their own, the
 * application booted on them, bulk-made instances, the hand-written `pg` "floor", bounded worker
 * loops and small statistics. Benchmarks are run by hand (npm run bench:*), never by jest or CI.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import type { NestExpressApplication } from '@nestjs/platform-express';
import Redis from 'ioredis';
import { Client, Pool, type PoolClient } from 'pg';
import { createApp, runMigrations } from '../../src/bootstrap';
import { loadEnv } from '../../src/config/env';
import { expandPipelined } from '../../src/infra/pipelined-transaction';
import { WorkflowEngine } from '../../src/engine/engine.service';
import { DEFINITIONS } from '../../src/engine/engine.types';
import { systemClock } from '../../src/infra/clock';
import type { Runtime } from '../../src/infra/runtime';
import type { Actor } from '../../workflows/kernel/types';
import type { DefinitionRegistry } from '../../workflows/registry';
import { BENCH_DEFINITION_ID, benchDefinition } from './bench-counter.definition';

export const ADMIN_URL = process.env.BENCH_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const OFFICER: Actor = { id: 'bench-officer', role: 'legal_officer', memberState: null, actingFor: null };
const GENESIS = '0'.repeat(64);

export function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

export function machineLine(): string {
  return `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), node ${process.version}`;
}

// ------------------------------------------------------------------------------ scratch resources

export interface Scratch {
  dbName: string;
  dbUrl: string;
  redisPrefix: string;
  cleanup(): Promise<void>;
}

function urlFor(name: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** Creates `amendflow_bench_<random>`, runs the real migrations, and picks a Redis prefix of its own. */
export async function createScratch(): Promise<Scratch> {
  const tag = randomBytes(4).toString('hex');
  const dbName = `amendflow_bench_${tag}`;
  const redisPrefix = `amendflow-bench-${tag}`;
  await withClient(ADMIN_URL, (c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(dbName)}`));
  const dbUrl = urlFor(dbName);
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    await withClient(ADMIN_URL, (c) =>
      c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(dbName)} WITH (FORCE)`),
    ).catch((e) => log(`could not drop ${dbName}: ${(e as Error).message}`));
    await deleteRedisKeys(redisPrefix).catch((e) =>
      log(`could not delete Redis keys ${redisPrefix}:*: ${(e as Error).message}`),
    );
  };
  try {
    await runMigrations(dbUrl);
  } catch (err) {
    await cleanup();
    throw err;
  }
  return { dbName, dbUrl, redisPrefix, cleanup };
}

/** SCAN + DEL of this run's keys, bounded in rounds. */
async function deleteRedisKeys(prefix: string): Promise<void> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let cursor = '0';
    for (let round = 0; round < 100_000; round++) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
      if (cursor === '0') break;
    }
  } finally {
    redis.disconnect();
  }
}

/** Runs `main` with a scratch database and Redis prefix, always cleaning up (also on Ctrl-C). */
export async function withScratch(main: (s: Scratch) => Promise<void>): Promise<void> {
  const scratch = await createScratch();
  log(`scratch database ${scratch.dbName}, Redis prefix ${scratch.redisPrefix}`);
  const onSignal = () => {
    log('interrupted; cleaning up');
    void scratch.cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await main(scratch);
  } finally {
    await scratch.cleanup();
    log(`dropped ${scratch.dbName} and Redis keys ${scratch.redisPrefix}:*`);
  }
}

// ------------------------------------------------------------------------------ the application

/** The real application over the scratch database (workers not in process), with the bench definition registered. */
export async function bootApp(
  scratch: Scratch,
): Promise<{ app: NestExpressApplication; engine: WorkflowEngine; runtime: Runtime }> {
  const env = loadEnv({
    NODE_ENV: 'production',
    DATABASE_URL: scratch.dbUrl,
    REDIS_URL: REDIS_URL,
    REDIS_PREFIX: scratch.redisPrefix,
    JWT_SECRET: randomBytes(24).toString('base64url'),
    // production refuses to start without its keys: fresh ones per run
    WEBHOOK_SECRET_KEY: randomBytes(32).toString('base64'),
    EVIDENCE_SIGNING_KEY: randomBytes(32).toString('base64'),
    // the answers are unsigned: signing happens in the approver's browser, outside what is measured
    ANSWER_SIGNING: 'optional',
    // a load generator sends far more than a person: the per-user limits would refuse it
    RATE_LIMIT_REQUESTS: '1000000',
    RATE_LIMIT_EVENTS: '1000000',
    WORKERS_IN_PROCESS: 'false',
    // passed through, so that a run can compare (PIPELINED_TRANSACTIONS=false npm run bench:...)
    PIPELINED_TRANSACTIONS: process.env.PIPELINED_TRANSACTIONS ?? 'true',
    LOG_LEVEL: 'warn',
    PORT: '0',
  });
  const runtime: Runtime = Object.freeze({ env, postgresUrl: scratch.dbUrl, redisUrl: REDIS_URL, clock: systemClock });
  const app = await createApp(runtime, { logger: ['error', 'warn'] });
  const registry = app.get<DefinitionRegistry>(DEFINITIONS);
  if (!registry.get(BENCH_DEFINITION_ID, 1)) registry.register(benchDefinition());
  await app.init();
  return { app, engine: app.get(WorkflowEngine), runtime };
}

/**
 * Makes `count` instances of the bench definition: one through the engine (the template), the rest
 * copied from it in SQL with their start event, `extraEvents` COUNT events of history each, and
 * their open state deadline (`overdueShare` of them already past due). seq, prev_hash and
 * last_hash are consistent (hash = sha256(id:seq)); the chain does not verify, which reads do not need.
 */
export async function makeInstances(
  engine: WorkflowEngine,
  dbUrl: string,
  count: number,
  options: { extraEvents?: number; overdueShare?: number; batch?: number } = {},
): Promise<string[]> {
  const extra = options.extraEvents ?? 0;
  const overdue = options.overdueShare ?? 0;
  const batch = options.batch ?? 20_000;
  const template = await engine.start({ definitionId: BENCH_DEFINITION_ID, input: {}, actor: OFFICER });
  return withClient(dbUrl, async (c) => {
    const [tpl] = (await c.query(`SELECT snapshot FROM workflow_instance WHERE id = $1`, [template.instanceId])).rows;
    const [lbl] = (await c.query(`SELECT label FROM deadline WHERE instance_id = $1`, [template.instanceId])).rows;
    const ids: string[] = [template.instanceId];
    const seqOf = 1 + extra;
    for (let done = 1; done < count; done += batch) {
      const n = Math.min(batch, count - done);
      await c.query('BEGIN');
      await c.query(
        `CREATE TEMP TABLE bench_new ON COMMIT DROP AS SELECT g AS n, gen_random_uuid() AS id FROM generate_series(1, $1) g`,
        [n],
      );
      await c.query(
        `INSERT INTO workflow_instance (id, definition_id, definition_version, snapshot, state_path, status, outcome, partner, memorandum, treaty, subject,
           parent_id, parent_key, started_by, seq, last_hash, created_at, updated_at)
         SELECT id, $1, 1, $2::jsonb, 'counting', 'active', NULL, NULL, NULL, NULL, 'bench', NULL, NULL, $3, $4::int,
           encode(sha256(convert_to(id::text || ':' || $4::int, 'UTF8')), 'hex'), now() - interval '1 day' - n * interval '1 second', now() - n * interval '1 second'
         FROM bench_new`,
        [BENCH_DEFINITION_ID, JSON.stringify(tpl.snapshot), OFFICER.id, seqOf],
      );
      await c.query(
        `INSERT INTO workflow_event (instance_id, seq, type, payload, actor_id, actor_role, actor_member_state, acting_for, idempotency_key,
           definition_version, state_before, state_after, at, prev_hash, hash)
         SELECT b.id, s, CASE WHEN s = 1 THEN '$started' ELSE 'COUNT' END, '{}'::jsonb, $1, 'legal_officer', NULL, NULL, NULL,
           1, CASE WHEN s = 1 THEN NULL ELSE 'counting' END, 'counting',
           -- the last event is the instance's last activity (its updated_at), as the engine writes them
           CASE WHEN s = $3::int THEN now() - b.n * interval '1 second' ELSE now() - interval '1 day' + s * interval '1 minute' END,
           CASE WHEN s = 1 THEN $2 ELSE encode(sha256(convert_to(b.id::text || ':' || (s - 1), 'UTF8')), 'hex') END,
           encode(sha256(convert_to(b.id::text || ':' || s, 'UTF8')), 'hex')
         FROM bench_new b CROSS JOIN generate_series(1, $3::int) s`,
        [OFFICER.id, GENESIS, seqOf],
      );
      await c.query(
        `INSERT INTO deadline (id, instance_id, key, label, responsible, assignee, escalate_to, unit, starts_at, due_at, remind_before, status, opened_by_seq, created_at)
         SELECT gen_random_uuid(), id, 'counting', $1::jsonb, 'legal_officer', NULL, ARRAY['manager'], 'calendar', now() - interval '1 day',
           CASE WHEN n <= $2::int THEN now() - interval '1 hour' ELSE now() + interval '30 days' END, ARRAY[7, 1], 'open', 1, now() - interval '1 day'
         FROM bench_new`,
        [JSON.stringify(lbl.label), Math.floor(n * overdue)],
      );
      const rows = (await c.query(`SELECT id FROM bench_new ORDER BY n`)).rows as { id: string }[];
      await c.query('COMMIT');
      for (const r of rows) ids.push(r.id);
    }
    await c.query('ANALYZE workflow_instance; ANALYZE workflow_event; ANALYZE deadline');
    return ids;
  });
}

// ------------------------------------------------------------------------------ the floor

/**
 * The floor: the same database work as one event, written by hand with `pg` on tables shaped like
 * the engine's (LIKE ... INCLUDING ALL, plus the event -> instance foreign key): BEGIN; lock the
 * instance row; update its jsonb snapshot, seq and hash; insert one event row; COMMIT.
 */
export class Floor {
  private constructor(
    private readonly pool: Pool,
    readonly ids: string[],
  ) {}

  static async create(dbUrl: string, instanceCount: number, clients: number): Promise<Floor> {
    await withClient(dbUrl, async (c) => {
      await c.query(`CREATE TABLE floor_instance (LIKE workflow_instance INCLUDING ALL)`);
      await c.query(`CREATE TABLE floor_event (LIKE workflow_event INCLUDING ALL)`);
      await c.query(`ALTER TABLE floor_event ADD FOREIGN KEY (instance_id) REFERENCES floor_instance(id)`);
      await c.query(
        `INSERT INTO floor_instance (id, definition_id, definition_version, snapshot, state_path, status, subject, started_by, seq, last_hash, created_at, updated_at)
         SELECT gen_random_uuid(), $1, 1, '{"status":"active","value":"counting","context":{"count":0},"historyValue":{},"children":{}}'::jsonb,
           'counting', 'active', 'bench', $2, 1, $3, now(), now()
         FROM generate_series(1, $4::int)`,
        [BENCH_DEFINITION_ID, OFFICER.id, GENESIS, instanceCount],
      );
      await c.query(`ANALYZE floor_instance`);
    });
    const pool = new Pool({ connectionString: dbUrl, max: clients, application_name: 'amendflow-bench-floor' });
    pool.on('error', () => undefined);
    const ids = await pool
      .query(`SELECT id FROM floor_instance ORDER BY id`)
      .then((r) => r.rows.map((x: { id: string }) => x.id));
    return new Floor(pool, ids);
  }

  /** One event's worth of database work on a dedicated client. */
  static async apply(c: PoolClient, id: string): Promise<void> {
    await c.query('BEGIN');
    try {
      const { rows } = await c.query(
        `SELECT id, snapshot, seq, last_hash FROM floor_instance WHERE id = $1 FOR UPDATE`,
        [id],
      );
      const row = rows[0];
      const snapshot = row.snapshot;
      snapshot.context.count += 1;
      const seq = row.seq + 1;
      const now = new Date();
      const hash = createHash('sha256').update(`${id}:${seq}:${row.last_hash}`).digest('hex');
      await c.query(
        `UPDATE floor_instance SET snapshot = $2, seq = $3, last_hash = $4, updated_at = $5 WHERE id = $1`,
        [id, snapshot, seq, hash, now],
      );
      await c.query(
        `INSERT INTO floor_event (instance_id, seq, type, payload, actor_id, actor_role, actor_member_state, acting_for, idempotency_key,
           definition_version, state_before, state_after, at, prev_hash, hash)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)`,
        [
          id,
          seq,
          'COUNT',
          '{}',
          OFFICER.id,
          OFFICER.role,
          null,
          null,
          null,
          1,
          'counting',
          'counting',
          now,
          row.last_hash,
          hash,
        ],
      );
      await c.query('COMMIT');
    } catch (err) {
      await c.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  /** `clients` concurrent clients, each holding one connection, for a bounded time and count. */
  async run(clients: number, limits: Limits): Promise<RunResult> {
    const conns = await Promise.all(Array.from({ length: clients }, () => this.pool.connect()));
    try {
      let i = 0;
      return await runBounded(clients, limits, (w) => Floor.apply(conns[w], this.ids[i++ % this.ids.length]));
    } finally {
      for (const c of conns) c.release();
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

// ------------------------------------------------------------------------------ bounded loops, stats

export interface Limits {
  seconds: number;
  maxOps: number;
}

export interface RunResult {
  ops: number;
  seconds: number;
  perSecond: number;
  /** Latency of each operation in ms (client side). */
  latencies: Float64Array;
}

/** `workers` concurrent loops calling `op` until `limits.seconds` pass or `limits.maxOps` ops are done. Any failure aborts the run. */
export async function runBounded(
  workers: number,
  limits: Limits,
  op: (worker: number) => Promise<void>,
): Promise<RunResult> {
  const latencies = new Float64Array(limits.maxOps);
  let started = 0;
  let done = 0;
  const t0 = performance.now();
  const deadline = t0 + limits.seconds * 1000;
  const loop = async (w: number) => {
    while (started < limits.maxOps && performance.now() < deadline) {
      started++;
      const s = performance.now();
      await op(w);
      latencies[done++] = performance.now() - s;
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, w) => loop(w)));
  const seconds = (performance.now() - t0) / 1000;
  return { ops: done, seconds, perSecond: done / seconds, latencies: latencies.slice(0, done) };
}

export function percentile(values: ArrayLike<number>, p: number): number {
  const sorted = Float64Array.from(values).sort();
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function median(values: number[]): number {
  return percentile(values, 50);
}

export const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** Round-robin over the given instances for the engine: one COUNT per call. */
export function engineOp(engine: WorkflowEngine, ids: string[], start = 0): () => Promise<void> {
  let i = start;
  return async () => {
    await engine.apply({ instanceId: ids[i++ % ids.length], type: 'COUNT', payload: {}, actor: OFFICER });
  };
}

/** Counts statements sent through `pg` (which TypeORM uses) by their first words, while `fn` runs. */
/**
 * What a statement is counted as: its first 70 characters, whitespace collapsed, a pipelined
 * message's `EXECUTE afp_...(values)` shown as the prepared statement's text (so that messages
 * differing only in their values count as one), copied out of the message so that the key does not
 * keep the message (kilobytes of literals) alive.
 */
export function statementKey(text: string): string {
  const short = expandPipelined(text).replace(/\s+/g, ' ').trim().slice(0, 70);
  return Buffer.from(short, 'utf8').toString('utf8');
}

export async function countStatements<T>(
  fn: () => Promise<T>,
): Promise<{ result: T; counts: Map<string, number>; dbMs: number }> {
  const proto = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  const counts = new Map<string, number>();
  let dbMs = 0;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const q = args[0];
    const text = typeof q === 'string' ? q : ((q as { text?: string })?.text ?? '?');
    const key = statementKey(text);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const s = performance.now();
    const out = original.apply(this, args);
    if (out && typeof (out as Promise<unknown>).then === 'function')
      (out as Promise<unknown>).then(
        () => (dbMs += performance.now() - s),
        () => (dbMs += performance.now() - s),
      );
    return out;
  };
  try {
    const result = await fn();
    return { result, counts, dbMs };
  } finally {
    proto.query = original;
  }
}

export { randomUUID };

/**
 * With BENCH_PROFILE=<dir>, records a V8 CPU profile of this process while `fn` runs and writes
 * `<dir>/<name>.cpuprofile` (summarise it with bench/profile-summary.ts); otherwise just runs `fn`.
 */
export async function profiled<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_PROFILE;
  if (!dir) return fn();
  const inspector = await import('node:inspector');
  const { mkdirSync, writeFileSync } = await import('node:fs');
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) =>
      session.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))),
    );
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 500 });
  await post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = (await post('Profiler.stop')) as import('node:inspector').Profiler.StopReturnType;
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/${name}.cpuprofile`, JSON.stringify(profile));
    session.disconnect();
    log(`profile written to ${dir}/${name}.cpuprofile`);
  }
}

/**
 * Counts the socket writes (system calls: one per `write` or corked `writev`) this process makes
 * from now until `stop()`, by remote port (5432 PostgreSQL, 6379 Redis...).
 */
export function socketWriteCounter(): { writes: Map<number, number>; stop: () => void } {
  const proto = net.Socket.prototype as unknown as { _writeGeneric: (...args: unknown[]) => unknown };
  const original = proto._writeGeneric;
  const writes = new Map<number, number>();
  proto._writeGeneric = function (this: net.Socket, ...args: unknown[]) {
    const port = this.remotePort ?? 0;
    writes.set(port, (writes.get(port) ?? 0) + 1);
    return original.apply(this, args);
  };
  return { writes, stop: () => (proto._writeGeneric = original) };
}

/** "PostgreSQL 2.57, Redis 0.04" socket writes per op (other ports together). */
export function writesLine(writes: Iterable<[number, number]>, ops: number): string {
  const names: Record<number, string> = { 5432: 'PostgreSQL', 6379: 'Redis' };
  const by = new Map<string, number>();
  for (const [port, n] of writes) {
    const name = names[port] ?? 'other (HTTP, IPC)';
    by.set(name, (by.get(name) ?? 0) + n);
  }
  const parts = [...by].sort((a, b) => b[1] - a[1]).map(([name, n]) => `${name} ${(n / Math.max(1, ops)).toFixed(2)}`);
  return parts.length ? parts.join(', ') : 'none';
}

/**
 * CPU seconds so far, read from /proc: the whole machine's (busy = every state but idle and
 * iowait; steal apart, the time the hypervisor gave to other guests), and the PostgreSQL and Redis
 * servers' processes (their own time plus that of exited children they reaped, so that a backend
 * ending during a measurement does not take its time with it).
 */
export interface CpuSample {
  busy: number;
  total: number;
  steal: number;
  postgres: number;
  redis: number;
}

export function cpuSample(): CpuSample {
  const tick = 100; // USER_HZ on Linux
  const [, ...f] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = f.map(Number);
  const sample: CpuSample = {
    busy: (user + nice + system + irq + softirq) / tick,
    total: (user + nice + system + idle + iowait + irq + softirq + steal) / tick,
    steal: steal / tick,
    postgres: 0,
    redis: 0,
  };
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const server =
        name === 'postgres' || name.startsWith('postgres:') ? 'postgres' : name === 'redis-server' ? 'redis' : null;
      if (!server) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime, stime, cutime, cstime: fields 14-17 of /proc/<pid>/stat
      sample[server] += (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / tick;
    } catch {
      // the process ended between the listing and the read
    }
  }
  return sample;
}

export function cpuSince(from: CpuSample): CpuSample {
  const now = cpuSample();
  return {
    busy: now.busy - from.busy,
    total: now.total - from.total,
    steal: now.steal - from.steal,
    postgres: now.postgres - from.postgres,
    redis: now.redis - from.redis,
  };
}

/** "machine 97 % busy (steal 1 %); per op: 2.31 ms CPU on the machine, PostgreSQL 1.02 ms, Redis 0.05 ms". */
export function cpuLine(cpu: CpuSample, ops: number, what: string): string {
  const per = (s: number) => ((s * 1000) / Math.max(1, ops)).toFixed(2);
  const pct = (s: number) => Math.round((100 * s) / Math.max(1e-9, cpu.total));
  return (
    `machine ${pct(cpu.busy)} % busy (steal ${pct(cpu.steal)} %); per ${what}: ${per(cpu.busy)} ms CPU on the machine, ` +
    `PostgreSQL ${per(cpu.postgres)} ms, Redis ${per(cpu.redis)} ms`
  );
}
