/**
 * Consensus rounds on the real workload: N model-memorandum amendments (procedure 1(d)) brought to
 * the coordinators' round through the engine with the real machine (untimed), then 10 states × N
 * `agree` answers in a seeded shuffled order, 8 concurrent senders, each acknowledged only when
 * applied, three ways in the same run:
 *
 *   engine  in process: the POSITION event the approvals service makes of an answer, through
 *           WorkflowEngine.apply (N instances of their own);
 *   http    POST /approvals/:id/answer with each approver's token, from a load generator in a
 *           child process (bench/lib/load-runner.ts) against BENCH_API_PROCESSES API processes
 *           (API_PROCESSES, src/cluster.ts) started in a child process over the same scratch
 *           database and Redis prefix (bench/lib/api-cluster.ts); 0 = against this process, as
 *           before (N instances of their own);
 *   floor   the same work written by hand with `pg` on tables shaped like the engine's: BEGIN; lock
 *           the row; update a jsonb tally; insert the event; COMMIT (5 statements).
 *
 * Each side's answers are split into BENCH_ROUNDS slices; the sides take turns slice by slice, in a
 * rotating order, and the ratios are medians over the rounds. Reported per side: approvals/s,
 * p50/p99 per answer, statements per answer (the `pg` driver wrapped), WAL bytes per answer
 * (pg_current_wal_lsn delta; the WAL is the whole server's, so other work on it adds to it), Node
 * CPU per answer of the API process(es) and their peak RSS: this process for engine and floor (and
 * http with BENCH_API_PROCESSES=0); for http over API processes of their own, what each of them
 * counted (statements, CPU, peak RSS) and reported over IPC. Afterwards:
 * every instance reached consensus with exactly 10 × N positions per side, and every chain verifies.
 *
 *   npm run bench:consensus
 *   (BENCH_INSTANCES=500, BENCH_ROUNDS=3, BENCH_SEED=17, BENCH_SENDERS=8, BENCH_MAX_SECONDS=600 per slice;
 *   BENCH_API_PROCESSES=<cores - 1, at least 1>, what docs/operations.md recommends with PostgreSQL on the same machine;
 *   BENCH_STATEMENTS=1 lists each side's statements per answer by text;
 *   BENCH_WAL_DETAIL=1 lists each side's WAL bytes per answer by relation, with pg_walinspect;
 *   BENCH_PG_STATEMENTS=1 lists the statements the server spent most time on, with pg_stat_statements)
 */
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { Client, Pool, type PoolClient } from 'pg';
import { AccessTokenService } from '../src/auth/access-token.service';
import { UsersService } from '../src/auth/users.service';
import { DraftsService } from '../src/documents/drafts.service';
import type { WorkflowEngine } from '../src/engine/engine.service';
import { EvidenceService } from '../src/record/evidence.service';
import type { Actor } from '../workflows/kernel/types';
import {
  bootApp,
  countStatements,
  cpuLine,
  cpuSample,
  cpuSince,
  type CpuSample,
  fmt,
  log,
  machineLine,
  median,
  percentile,
  profiled,
  runBounded,
  socketWriteCounter,
  writesLine,
  withScratch,
} from './lib/harness';
import { startApiCluster, type ApiCluster, type ApiProcessStats } from './lib/api-cluster';
import type { SequenceJob, SequenceResult } from './lib/load-runner';

const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SEED = Number(process.env.BENCH_SEED ?? 17);
const SENDERS = Number(process.env.BENCH_SENDERS ?? 8);
const MAX_SECONDS = Number(process.env.BENCH_MAX_SECONDS ?? 600);
/**
 * API processes of the http side: what docs/operations.md recommends with PostgreSQL on the same
 * machine (it needs a core: one per core less one, at least one); 0 = this process.
 */
const API_PROCESSES = Number(process.env.BENCH_API_PROCESSES ?? Math.max(1, availableParallelism() - 1));
const STATES = ['BY', 'CN', 'IN', 'IR', 'KG', 'KZ', 'PK', 'RU', 'TJ', 'UZ'] as const;
const DEFINITION = 'model-memorandum-amendment';
const SYSTEM: Actor = { id: 'system', role: 'system', memberState: null, actingFor: null };
const GENESIS = '0'.repeat(64);

if (!(INSTANCES >= 1 && INSTANCES <= 100_000) || !(ROUNDS >= 1 && ROUNDS <= 20) || !(SENDERS >= 1 && SENDERS <= 64))
  throw new Error('BENCH_INSTANCES must be 1..100000, BENCH_ROUNDS 1..20, BENCH_SENDERS 1..64');
if (!(Number.isInteger(API_PROCESSES) && API_PROCESSES >= 0 && API_PROCESSES <= 64))
  throw new Error('BENCH_API_PROCESSES must be 0 (this process) or the number of API processes, 1..64');

// ------------------------------------------------------------------------------ the answers

interface Answer {
  instance: number;
  state: (typeof STATES)[number];
}

/** mulberry32: a small seeded generator, so every run answers in the same order. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every (instance, state) pair once, Fisher-Yates shuffled with the seed, cut into `rounds` slices. */
function answerSlices(instances: number, rounds: number, seed: number): Answer[][] {
  const all: Answer[] = [];
  for (let i = 0; i < instances; i++) for (const state of STATES) all.push({ instance: i, state });
  const rnd = seeded(seed);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [all[i], all[j]] = [all[j], all[i]];
  }
  const per = Math.ceil(all.length / rounds);
  return Array.from({ length: rounds }, (_, r) => all.slice(r * per, (r + 1) * per));
}

// ------------------------------------------------------------------------------ setup (untimed)

/** Drives `count` 1(d) procedures to the coordinators' round as the approvals e2e spec does, 8 at a time. */
async function atCoordinatorsRound(
  engine: WorkflowEngine,
  drafts: DraftsService,
  officer: Actor,
  reviewer: Actor,
  count: number,
): Promise<string[]> {
  const ids: string[] = new Array<string>(count);
  let next = 0;
  const one = async (k: number) => {
    const started = await engine.start({
      definitionId: DEFINITION,
      input: { proposedBy: 'Secretariat', rationale: `Bench amendment ${k + 1}` },
      actor: officer,
    });
    const id = started.instanceId;
    await engine.apply({ instanceId: id, type: 'START_DRAFTING', payload: {}, actor: officer });
    // the text under review and circulated: version 1 of the draft, made from the model Memorandum
    await drafts.create(id, { source: 'model_memorandum' }, officer);
    await engine.apply({ instanceId: id, type: 'SUBMIT_FOR_REVIEW', payload: { draftVersion: 1 }, actor: officer });
    await engine.apply({ instanceId: id, type: 'APPROVE_REVIEW', payload: {}, actor: reviewer });
    // the circulation period ends: the scheduler's event, through the same engine path
    await engine.apply({
      instanceId: id,
      type: 'DEADLINE_PASSED',
      payload: { deadlineKey: 'circulation' },
      actor: SYSTEM,
    });
    const r = await engine.apply({
      instanceId: id,
      type: 'SUBMIT_TO_COORDINATORS',
      payload: { draftVersion: 1 },
      actor: officer,
    });
    if (r.state !== 'cnc_approval')
      throw new Error(`instance ${id} is in "${r.state}", not at the coordinators' round`);
    ids[k] = id;
  };
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < count) await one(next++);
    }),
  );
  return ids;
}

// ------------------------------------------------------------------------------ the floor

/**
 * The hand-written floor on tables shaped like the engine's (LIKE ... INCLUDING ALL, plus the
 * event -> instance foreign key): BEGIN; SELECT ... FOR UPDATE; UPDATE the jsonb tally (and the
 * status once all ten have agreed), seq and hash; INSERT the POSITION event; COMMIT.
 */
class ConsensusFloor {
  private constructor(
    private readonly pool: Pool,
    readonly ids: string[],
  ) {}

  static async create(dbUrl: string, count: number, clients: number): Promise<ConsensusFloor> {
    const c = new Client({ connectionString: dbUrl });
    await c.connect();
    try {
      await c.query(`CREATE TABLE floor_instance (LIKE workflow_instance INCLUDING ALL)`);
      await c.query(`CREATE TABLE floor_event (LIKE workflow_event INCLUDING ALL)`);
      await c.query(`ALTER TABLE floor_event ADD FOREIGN KEY (instance_id) REFERENCES floor_instance(id)`);
      await c.query(
        `INSERT INTO floor_instance (id, definition_id, definition_version, snapshot, state_path, status, subject, started_by, seq, last_hash, created_at, updated_at)
         SELECT gen_random_uuid(), $1, 1, '{"value":"cnc_approval","context":{"draftVersion":1,"positions":{}}}'::jsonb,
           'cnc_approval', 'active', 'bench', 'bench-officer', 1, $2, now(), now()
         FROM generate_series(1, $3::int)`,
        [DEFINITION, GENESIS, count],
      );
      await c.query(`ANALYZE floor_instance`);
      const ids = (await c.query(`SELECT id FROM floor_instance ORDER BY id`)).rows.map((x: { id: string }) => x.id);
      const pool = new Pool({ connectionString: dbUrl, max: clients, application_name: 'amendflow-bench-floor' });
      pool.on('error', () => undefined);
      return new ConsensusFloor(pool, ids);
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  static async answer(c: PoolClient, id: string, state: string): Promise<void> {
    await c.query('BEGIN');
    try {
      const { rows } = await c.query(
        `SELECT snapshot, state_path, seq, last_hash FROM floor_instance WHERE id = $1 FOR UPDATE`,
        [id],
      );
      const row = rows[0];
      const snapshot = row.snapshot;
      if (snapshot.context.positions[state]) throw new Error(`floor: ${state} has already answered on ${id}`);
      snapshot.context.positions[state] = 'agree';
      const agreed = Object.keys(snapshot.context.positions).length === STATES.length;
      if (agreed) snapshot.value = 'submitted_for_adoption';
      const seq = row.seq + 1;
      const now = new Date();
      const hash = createHash('sha256').update(`${id}:${seq}:${row.last_hash}`).digest('hex');
      await c.query(
        `UPDATE floor_instance SET snapshot = $2, state_path = $3, seq = $4, last_hash = $5, updated_at = $6 WHERE id = $1`,
        [id, snapshot, snapshot.value, seq, hash, now],
      );
      await c.query(
        `INSERT INTO floor_event (instance_id, seq, type, payload, actor_id, actor_role, actor_member_state, acting_for, idempotency_key,
           definition_version, state_before, state_after, at, prev_hash, hash)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15)`,
        [
          id,
          seq,
          'POSITION',
          { draftVersion: 1, kind: 'agree' },
          `bench-approver-${state}`,
          'approver',
          state,
          null,
          null,
          1,
          row.state_path,
          snapshot.value,
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

  async run(answers: Answer[]): Promise<number[]> {
    const conns = await Promise.all(Array.from({ length: SENDERS }, () => this.pool.connect()));
    try {
      let i = 0;
      const r = await runBounded(SENDERS, { seconds: MAX_SECONDS, maxOps: answers.length }, (w) => {
        const a = answers[i++];
        return ConsensusFloor.answer(conns[w], this.ids[a.instance], a.state);
      });
      return Array.from(r.latencies);
    } finally {
      for (const c of conns) c.release();
    }
  }

  /** Instances that reached consensus, and POSITION events in total. */
  async check(): Promise<{ agreed: number; positions: number }> {
    const [a] = (
      await this.pool.query(`SELECT count(*)::int AS n FROM floor_instance WHERE state_path = 'submitted_for_adoption'`)
    ).rows;
    const [p] = (await this.pool.query(`SELECT count(*)::int AS n FROM floor_event WHERE type = 'POSITION'`)).rows;
    return { agreed: a.n as number, positions: p.n as number };
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

// ------------------------------------------------------------------------------ measuring

type Side = 'engine' | 'http' | 'floor';

interface Slice {
  answers: number;
  seconds: number;
  latencies: number[];
  statements: number;
  walBytes: number;
  cpuMs: number;
  rssMb: number;
  /** Outbox messages (notices, deadline changes) not yet relayed when the slice's last answer was applied. */
  backlog: number;
  /** The http side's API processes, when they are not this process: each one's own figures. */
  processes?: ApiProcessStats[];
  /** The machine's CPU, and the PostgreSQL and Redis servers', during the slice. */
  cpu: CpuSample;
  /** The load generator's own CPU time (the http side's HTTP clients, another process), ms. */
  loadCpuMs: number;
  /** Socket writes by remote port: this process's, or the API processes' for the http side. */
  writes: Map<number, number>;
}

/** How many outbox messages are still to be relayed. */
async function outboxBacklog(c: Client): Promise<number> {
  const r = await c.query(`SELECT count(*)::int AS n FROM outbox_message WHERE processed_at IS NULL AND attempts < 5`);
  return (r.rows[0] as { n: number }).n;
}

/** Waits (bounded) until every outbox message is processed, by whichever process's relay. */
async function outboxDrained(c: Client): Promise<void> {
  const until = Date.now() + 300_000;
  for (;;) {
    const n = await outboxBacklog(c);
    if (n === 0) return;
    if (Date.now() > until) throw new Error(`the outbox still holds ${n} messages after 300 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function walLsn(c: Client): Promise<string> {
  return ((await c.query(`SELECT pg_current_wal_lsn()::text AS lsn`)).rows[0] as { lsn: string }).lsn;
}

async function walDelta(c: Client, from: string): Promise<number> {
  const r = await c.query(`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::float8 AS d`, [from]);
  return (r.rows[0] as { d: number }).d;
}

/**
 * BENCH_PG_STATEMENTS=1: the server's own account of its statements (pg_stat_statements, which
 * needs `shared_preload_libraries = 'pg_stat_statements'`), reset before a slice. Says so and
 * returns false when the extension cannot be used.
 */
async function serverStatementsReset(c: Client): Promise<boolean> {
  try {
    await c.query(`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`);
    await c.query(`SELECT pg_stat_statements_reset()`);
    return true;
  } catch (err) {
    log(`    BENCH_PG_STATEMENTS: pg_stat_statements is not available (${(err as Error).message})`);
    return false;
  }
}

/**
 * The statements of this database the server spent most time executing since the reset, per
 * answer: execution time (wall time in the server, which on busy cores includes waiting to run),
 * calls and rows. The relay's statements show here with the engine's.
 */
async function serverStatementsDetail(c: Client, answers: number): Promise<void> {
  const { rows } = await c.query(
    `SELECT total_exec_time::float8 AS ms, calls::float8 AS calls, rows::float8 AS rows,
            left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS text
       FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
      ORDER BY total_exec_time DESC LIMIT 12`,
  );
  for (const r of rows as { ms: number; calls: number; rows: number; text: string }[])
    log(
      `    ${(r.ms / answers).toFixed(3).padStart(7)} ms ${(r.calls / answers).toFixed(2).padStart(5)} calls ` +
        `${(r.ms / Math.max(1, r.calls)).toFixed(3).padStart(7)} ms each  ${r.text}`,
    );
}

/**
 * The WAL written since `from`, per answer, by relation (full-page images apart): what each table
 * and index costs. Records without a relation (commits, ...) are listed by resource manager.
 */
async function walDetail(c: Client, from: string, answers: number): Promise<void> {
  await c.query(`CREATE EXTENSION IF NOT EXISTS pg_walinspect`);
  // pg_walinspect reads only WAL already flushed: the window ends at the flush position
  // (pg_current_wal_lsn, the insert position, can be ahead of it by a record being written).
  const { rows } = await c.query(
    `WITH r AS (
       SELECT w.resource_manager, w.record_length, w.fpi_length,
              (regexp_match(w.block_ref, 'rel \\d+/\\d+/(\\d+)'))[1]::oid AS node
         FROM pg_get_wal_records_info($1::pg_lsn, pg_current_wal_flush_lsn()) w)
     SELECT coalesce(k.relname, CASE WHEN r.node IS NULL THEN r.resource_manager ELSE 'other ' || r.node END) AS what,
            sum(r.record_length - r.fpi_length)::float8 AS bytes, sum(r.fpi_length)::float8 AS fpi
       FROM r LEFT JOIN pg_class k ON k.relfilenode = r.node
      GROUP BY 1 ORDER BY sum(r.record_length)::float8 DESC LIMIT 25`,
    [from],
  );
  for (const r of rows as { what: string; bytes: number; fpi: number }[])
    log(`    ${fmt(r.bytes / answers).padStart(6)} B + ${fmt(r.fpi / answers).padStart(6)} B full pages  ${r.what}`);
}

/**
 * Runs one slice: the answers applied, with statements, WAL, CPU and RSS around it. `seconds`, when
 * `fn` returns it, is the load generator's own time (without its process start).
 */
async function measured(
  wal: Client,
  fn: () => Promise<{ applied: number; latencies: number[]; seconds?: number; loadCpuMs?: number }>,
  api?: ApiCluster,
): Promise<Slice> {
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 200);
  await api?.reset();
  const serverStatements = process.env.BENCH_PG_STATEMENTS === '1' && (await serverStatementsReset(wal));
  const lsn = await walLsn(wal);
  const machine0 = cpuSample();
  const sockets = socketWriteCounter();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  try {
    const { result, counts } = await countStatements(fn);
    const processes = await api?.report();
    if (processes) {
      // the API processes' statements, CPU and RSS, not this process's (which only waited)
      counts.clear();
      for (const p of processes) for (const [text, n] of p.counts) counts.set(text, (counts.get(text) ?? 0) + n);
    }
    if (process.env.BENCH_STATEMENTS === '1')
      for (const [text, n] of [...counts].sort((a, b) => b[1] - a[1]))
        log(`    ${(n / Math.max(1, result.applied)).toFixed(2)} × ${text}`);
    const seconds = result.seconds ?? (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const machine = cpuSince(machine0);
    sockets.stop();
    const writes = new Map(sockets.writes);
    if (processes) {
      writes.clear();
      for (const p of processes) for (const [port, n] of p.writes) writes.set(port, (writes.get(port) ?? 0) + n);
    }
    const backlog = await outboxBacklog(wal);
    const walBytes = await walDelta(wal, lsn);
    if (process.env.BENCH_WAL_DETAIL === '1') await walDetail(wal, lsn, Math.max(1, result.applied));
    if (serverStatements) await serverStatementsDetail(wal, Math.max(1, result.applied));
    const statements = [...counts.values()].reduce((a, b) => a + b, 0);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    return {
      answers: result.applied,
      seconds,
      latencies: result.latencies,
      statements,
      walBytes,
      backlog,
      cpuMs: processes ? processes.reduce((a, p) => a + p.cpuMs, 0) : (cpu.user + cpu.system) / 1000,
      rssMb: processes ? Math.max(...processes.map((p) => p.rssMb)) : peakRss / 1024 / 1024,
      ...(processes ? { processes } : {}),
      cpu: machine,
      loadCpuMs: result.loadCpuMs ?? 0,
      writes,
    };
  } finally {
    clearInterval(sampler);
    sockets.stop();
  }
}

function sequence(job: SequenceJob): Promise<SequenceResult> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'lib', 'load-runner.ts'), [], {
      execArgv: ['-r', 'ts-node/register/transpile-only'],
      stdio: 'inherit',
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), (job.maxSeconds + 60) * 1000);
    let answered = false;
    child.on('message', (m: { result?: SequenceResult; error?: string }) => {
      answered = true;
      clearTimeout(killer);
      if (m.result) resolve(m.result);
      else reject(new Error(m.error));
    });
    child.on('exit', (code) => {
      clearTimeout(killer);
      if (!answered) reject(new Error(`load runner exited with ${code}`));
    });
    child.send(job);
  });
}

const perSecond = (s: Slice) => s.answers / s.seconds;

/** Each API process's share when the http side ran on several: CPU per answer (of all answers) and peak RSS. */
function perProcess(s: Slice): string {
  const n = Math.max(1, s.answers);
  return (s.processes ?? [])
    .map(
      (p) =>
        `pid ${p.pid}: ${(p.statements / n).toFixed(1)} statements, ${(p.cpuMs / n).toFixed(2)} ms CPU per answer, RSS ${fmt(p.rssMb)} MB`,
    )
    .join('; ');
}

function line(side: Side, s: Slice): string {
  const n = Math.max(1, s.answers);
  const several = s.processes && s.processes.length > 0;
  return (
    `${side.padEnd(6)} ${fmt(perSecond(s)).padStart(6)} approvals/s (${fmt(s.answers)} in ${s.seconds.toFixed(1)} s; ` +
    `p50 ${percentile(s.latencies, 50).toFixed(1)} ms, p99 ${percentile(s.latencies, 99).toFixed(1)} ms; ` +
    `${(s.statements / n).toFixed(1)} statements, ${fmt(s.walBytes / n)} WAL bytes, ${(s.cpuMs / n).toFixed(2)} ms CPU per answer; ` +
    `${fmt(s.backlog)} outbox messages left to relay at the end` +
    (several
      ? ` in ${s.processes!.length} API process(es); peak RSS per API process ${fmt(s.rssMb)} MB)\n           ${perProcess(s)}`
      : `; API process RSS ${fmt(s.rssMb)} MB)`) +
    `\n           ${cpuLine(s.cpu, n, 'answer')}` +
    (s.loadCpuMs ? `, the load generator (HTTP clients) ${(s.loadCpuMs / n).toFixed(2)} ms` : '') +
    `; socket writes per answer: ${writesLine(s.writes, n)}`
  );
}

// ------------------------------------------------------------------------------ the run

void withScratch(async (scratch) => {
  log(
    `Consensus rounds: ${fmt(INSTANCES)} 1(d) instances per side, ${fmt(INSTANCES * STATES.length)} agree answers per side ` +
      `(seed ${SEED}, ${SENDERS} concurrent senders) in ${ROUNDS} alternating rounds; ${machineLine()}; ${new Date().toISOString()}`,
  );
  const { app, engine, runtime } = await bootApp(scratch);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  let url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  let api: ApiCluster | undefined;
  if (API_PROCESSES > 0) {
    // the http side: API_PROCESSES API processes of their own, as the product runs them, over the
    // same database, Redis prefix and secrets as this process (whose tokens they accept)
    const t0 = performance.now();
    api = await startApiCluster(API_PROCESSES, {
      NODE_ENV: 'production',
      DATABASE_URL: scratch.dbUrl,
      REDIS_URL: runtime.redisUrl,
      REDIS_PREFIX: scratch.redisPrefix,
      JWT_SECRET: runtime.env.JWT_SECRET,
      WEBHOOK_SECRET_KEY: runtime.env.WEBHOOK_SECRET_KEY,
      EVIDENCE_SIGNING_KEY: runtime.env.EVIDENCE_SIGNING_KEY ?? '',
      ANSWER_SIGNING: runtime.env.ANSWER_SIGNING,
      RATE_LIMIT_REQUESTS: String(runtime.env.RATE_LIMIT_REQUESTS),
      RATE_LIMIT_EVENTS: String(runtime.env.RATE_LIMIT_EVENTS),
      WORKERS_IN_PROCESS: 'false',
      LOG_LEVEL: 'error',
      ...(process.env.BENCH_PROFILE ? { BENCH_PROFILE: process.env.BENCH_PROFILE } : {}),
    }).catch(async (err: unknown) => {
      await app.close();
      throw err;
    });
    url = api.url;
    log(
      `http side: ${API_PROCESSES} API process(es) (pids ${api.pids.join(', ')}) on ${url}, started in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
  } else log('http side: this process (BENCH_API_PROCESSES=0)');
  const wal = new Client({ connectionString: scratch.dbUrl, application_name: 'amendflow-bench-wal' });
  await wal.connect();
  const floor = await ConsensusFloor.create(scratch.dbUrl, INSTANCES, SENDERS);
  try {
    const users = app.get(UsersService);
    const tokens = app.get(AccessTokenService);
    const user = async (role: 'legal_officer' | 'approver', name: string, memberState: string | null) => {
      const u = await users.create(
        {
          email: `${name}@bench.local`,
          password: 'bench password not secret',
          displayName: `Bench ${name}`,
          role,
          memberState,
        },
        { actor: null, ip: null },
      );
      return { id: u.id, role: u.role, memberState: u.memberState, actingFor: null } satisfies Actor;
    };
    const officer = await user('legal_officer', 'officer', null);
    const reviewer = await user('legal_officer', 'reviewer', null);
    const approvers = new Map<string, Actor>();
    for (const s of STATES) approvers.set(s, await user('approver', `approver-${s.toLowerCase()}`, s));

    const t0 = performance.now();
    const drafts = app.get(DraftsService);
    const engineIds = await atCoordinatorsRound(engine, drafts, officer, reviewer, INSTANCES);
    const httpIds = await atCoordinatorsRound(engine, drafts, officer, reviewer, INSTANCES);
    log(
      `brought ${fmt(2 * INSTANCES)} instances to the coordinators' round in ${((performance.now() - t0) / 1000).toFixed(1)} s (untimed); ` +
        `${fmt(INSTANCES)} floor rows; listening on ${url}; RSS ${fmt(process.memoryUsage().rss / 1024 / 1024)} MB`,
    );
    // the notices of the set-up are delivered before the first slice, so that no side pays for them
    await outboxDrained(wal);
    const slices = answerSlices(INSTANCES, ROUNDS, SEED);

    const runEngine = (answers: Answer[]) =>
      measured(wal, async () => {
        let i = 0;
        const r = await runBounded(SENDERS, { seconds: MAX_SECONDS, maxOps: answers.length }, async () => {
          const a = answers[i++];
          // what ApprovalsService.answer hands the engine for an approver's `agree` on version 1
          await engine.apply({
            instanceId: engineIds[a.instance],
            type: 'POSITION',
            payload: { draftVersion: 1, kind: 'agree' },
            actor: approvers.get(a.state)!,
          });
        });
        return { applied: r.ops, latencies: Array.from(r.latencies) };
      });
    const runHttp = async (answers: Answer[]) => {
      // tokens issued per slice, so a long run never outlives them
      const tokenOf = new Map<string, string>();
      for (const [s, a] of approvers)
        tokenOf.set(s, (await tokens.issue({ id: a.id, role: 'approver', memberState: a.memberState })).accessToken);
      return measured(
        wal,
        async () => {
          const r = await sequence({
            kind: 'sequence',
            url,
            senders: SENDERS,
            maxSeconds: MAX_SECONDS,
            requests: answers.map((a) => ({
              path: `/approvals/${httpIds[a.instance]}/answer`,
              token: tokenOf.get(a.state)!,
              body: { draftVersion: 1, kind: 'agree' },
            })),
          });
          if (r.failures.length)
            throw new Error(`HTTP answers failed (${r.sent - r.ok} of ${r.sent}):\n  ${r.failures.join('\n  ')}`);
          return { applied: r.ok, latencies: r.latencies, seconds: r.seconds, loadCpuMs: r.cpuMs };
        },
        api,
      );
    };
    const runFloor = (answers: Answer[]) =>
      measured(wal, async () => {
        const latencies = await floor.run(answers);
        return { applied: latencies.length, latencies };
      });
    const runners: Record<Side, (a: Answer[]) => Promise<Slice>> = {
      engine: runEngine,
      http: runHttp,
      floor: runFloor,
    };

    const results: Record<Side, Slice[]> = { engine: [], http: [], floor: [] };
    const order: Side[] = ['floor', 'engine', 'http'];
    for (let r = 0; r < ROUNDS; r++) {
      const turn = [...order.slice(r % 3), ...order.slice(0, r % 3)];
      for (const side of turn) {
        results[side].push(await profiled(`consensus-${side}-${r + 1}`, () => runners[side](slices[r])));
        // the notices a side's answers left in the outbox are delivered before the next side starts
        // (untimed), so that no side's time or CPU includes another side's deliveries
        await outboxDrained(wal);
      }
      const f = perSecond(results.floor[r]);
      log(
        `round ${r + 1} (${turn.join(', ')}): engine/floor ${(perSecond(results.engine[r]) / f).toFixed(3)}, http/floor ${(perSecond(results.http[r]) / f).toFixed(3)}`,
      );
      for (const side of ['floor', 'engine', 'http'] as const) log(`  ${line(side, results[side][r])}`);
    }

    // ---------------------------------------------------------------- correctness afterwards
    const expected = INSTANCES * STATES.length;
    const problems: string[] = [];
    const evidenceService = app.get(EvidenceService);
    for (const [side, ids] of [
      ['engine', engineIds],
      ['http', httpIds],
    ] as const) {
      const [counts] = (
        await wal.query(
          `SELECT count(*) FILTER (WHERE e.type = 'POSITION')::int AS positions,
                  count(*) FILTER (WHERE e.state_before = 'cnc_approval' AND e.state_after = 'submitted_for_adoption')::int AS reached
             FROM workflow_event e WHERE e.instance_id = ANY($1::uuid[])`,
          [ids],
        )
      ).rows as { positions: number; reached: number }[];
      const [states] = (
        await wal.query(
          `SELECT count(*) FILTER (WHERE state_path = 'submitted_for_adoption')::int AS agreed FROM workflow_instance WHERE id = ANY($1::uuid[])`,
          [ids],
        )
      ).rows as { agreed: number }[];
      let invalid = 0;
      for (const id of ids) if (!(await evidenceService.verifySummary(id)).valid) invalid++;
      log(
        `check ${side}: ${fmt(states.agreed)} of ${fmt(INSTANCES)} instances at submitted_for_adoption, consensus reached ${fmt(counts.reached)} times, ` +
          `${fmt(counts.positions)} positions (expected ${fmt(expected)}), ${invalid} chains invalid`,
      );
      if (states.agreed !== INSTANCES || counts.reached !== INSTANCES || counts.positions !== expected || invalid)
        problems.push(side);
    }
    const [stored] = (
      await wal.query(
        `SELECT avg(pg_column_size(e.*))::int AS event_row, avg(pg_column_size(e.world))::int AS world,
                avg(pg_column_size(e.payload))::int AS payload,
                (SELECT avg(pg_column_size(i.snapshot))::int FROM workflow_instance i WHERE i.id = ANY($1::uuid[])) AS snapshot
           FROM workflow_event e WHERE e.instance_id = ANY($1::uuid[]) AND e.type = 'POSITION'`,
        [engineIds],
      )
    ).rows as { event_row: number; world: number; payload: number; snapshot: number }[];
    log(
      `stored per answer: event row ${fmt(stored.event_row)} bytes (world ${fmt(stored.world)}, payload ${fmt(stored.payload)}); ` +
        `instance snapshot ${fmt(stored.snapshot)} bytes as stored (compressed when large)`,
    );
    const fc = await floor.check();
    log(
      `check floor: ${fmt(fc.agreed)} of ${fmt(INSTANCES)} rows agreed, ${fmt(fc.positions)} positions (expected ${fmt(expected)})`,
    );
    if (fc.agreed !== INSTANCES || fc.positions !== expected) problems.push('floor');

    // ---------------------------------------------------------------- summary (medians over rounds)
    const med = (side: Side, f: (s: Slice) => number) => median(results[side].map(f));
    const fm = med('floor', perSecond);
    log('');
    for (const side of ['floor', 'engine', 'http'] as const) {
      const per = (s: Slice) => Math.max(1, s.answers);
      log(
        `SUMMARY ${side.padEnd(6)} ${fmt(med(side, perSecond))} approvals/s` +
          (side === 'floor'
            ? ''
            : `, ratio to the floor ${median(results[side].map((s, r) => perSecond(s) / perSecond(results.floor[r]))).toFixed(3)}`) +
          `; p50 ${med(side, (s) => percentile(s.latencies, 50)).toFixed(1)} ms, p99 ${med(side, (s) => percentile(s.latencies, 99)).toFixed(1)} ms; ` +
          `${med(side, (s) => s.statements / per(s)).toFixed(1)} statements, ${fmt(med(side, (s) => s.walBytes / per(s)))} WAL bytes, ` +
          `${med(side, (s) => s.cpuMs / per(s)).toFixed(2)} ms Node CPU per answer` +
          (side === 'http' && api ? ` (summed over ${API_PROCESSES} API process(es))` : '') +
          `; API process RSS peak ${fmt(Math.max(...results[side].map((s) => s.rssMb)))} MB ` +
          (side === 'http' && api ? `(the largest of ${API_PROCESSES}) ` : '') +
          `(medians of ${ROUNDS} rounds)`,
      );
    }
    log(`floor ${fmt(fm)} approvals/s is the reference of both ratios`);
    // The CPU budget: what each answer costs the whole machine (every process: the side's Node
    // processes, PostgreSQL, Redis, the load generator) and what that allows with every core busy.
    const cores = availableParallelism();
    const machineMs = (side: Side) => med(side, (s) => (s.cpu.busy * 1000) / Math.max(1, s.answers));
    const ceiling = (side: Side) => (cores * 1000) / machineMs(side);
    log(
      `SUMMARY CPU per answer on the machine (all processes): ` +
        (['floor', 'engine', 'http'] as const)
          .map(
            (side) =>
              `${side} ${machineMs(side).toFixed(2)} ms (PostgreSQL ${med(side, (s) => (s.cpu.postgres * 1000) / Math.max(1, s.answers)).toFixed(2)} ms; ` +
              `machine ${Math.round(med(side, (s) => (100 * s.cpu.busy) / Math.max(1e-9, s.cpu.total)))} % busy)`,
          )
          .join(', '),
    );
    // the http side without its clients: what the product itself costs when they run elsewhere
    const serverMs = machineMs('http') - med('http', (s) => s.loadCpuMs / Math.max(1, s.answers));
    const serverCeiling = (cores * 1000) / serverMs;
    log(
      `SUMMARY with all ${cores} cores busy that allows at most: floor ${fmt(ceiling('floor'))}/s, ` +
        `engine ${fmt(ceiling('engine'))}/s (${(ceiling('engine') / ceiling('floor')).toFixed(3)} of the floor's), ` +
        `http ${fmt(ceiling('http'))}/s (${(ceiling('http') / ceiling('floor')).toFixed(3)}); ` +
        `http with its clients on another machine (${serverMs.toFixed(2)} ms per answer here) ${fmt(serverCeiling)}/s (${(serverCeiling / ceiling('floor')).toFixed(3)})`,
    );
    if (problems.length) throw new Error(`correctness checks failed for: ${problems.join(', ')}`);
    log('checks passed: every instance reached consensus once, positions as expected, chains valid');
  } finally {
    await floor.close().catch(() => undefined);
    await wal.end().catch(() => undefined);
    await api?.stop().catch((err: unknown) => log(`stopping the API processes failed: ${(err as Error).message}`));
    await app.close();
  }
}).catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
