/**
 * Does the write path hold up as the tables grow? Engine throughput (as bench:engine: 8 workers,
 * COUNT through WorkflowEngine.apply) with 1,000 instances (10,000 events), then with 100,000
 * instances and 1,000,000 events of history (bulk-loaded in SQL), spread over every instance;
 * the floor (hand-written `pg`, 8 clients, 1,000 rows) is measured alongside in both phases so
 * the machine's drift can be told apart from growth. Then the managers' dashboard read at
 * 100,000 instances: p50/p95 over 50 sequential requests, and the API process's peak RSS (sampled
 * every 100 ms) during the large phase and those reads.
 *
 *   npm run bench:growth
 *   (BENCH_SECONDS, BENCH_ROUNDS, BENCH_LARGE override the defaults)
 */
import { AccessTokenService } from '../src/auth/access-token.service';
import { DataSource } from 'typeorm';
import { UsersService } from '../src/auth/users.service';
import {
  bootApp,
  engineOp,
  Floor,
  fmt,
  log,
  machineLine,
  makeInstances,
  median,
  percentile,
  runBounded,
  withScratch,
  type RunResult,
} from './lib/harness';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const SMALL = 1_000;
const LARGE = Number(process.env.BENCH_LARGE ?? 100_000);
const EVENTS_PER_INSTANCE = 10;
const WORKERS = 8;
const READS = 50;
const TARGET_RATIO = 0.9;
const TARGET_P95 = 100;
const TARGET_RSS_MB = 400;

function shuffled<T>(xs: T[]): T[] {
  const a = xs.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

void withScratch(async (scratch) => {
  log(
    `growth: ${fmt(SMALL)} -> ${fmt(LARGE)} instances (${EVENTS_PER_INSTANCE} events each), ${WORKERS} workers, ${ROUNDS} rounds of ${SECONDS} s per side; ${machineLine()}; ${new Date().toISOString()}`,
  );
  const { app, engine } = await bootApp(scratch);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const floor = await Floor.create(scratch.dbUrl, SMALL, WORKERS);
  try {
    const phase = async (name: string, ids: string[]) => {
      const op = engineOp(engine, ids);
      const eng = () => runBounded(WORKERS, { seconds: SECONDS, maxOps: 500_000 }, op);
      const flo = () => floor.run(WORKERS, { seconds: SECONDS, maxOps: 500_000 });
      await runBounded(WORKERS, { seconds: 2, maxOps: 500_000 }, op);
      const e: RunResult[] = [];
      const f: RunResult[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        if (r % 2 === 0) {
          f.push(await flo());
          e.push(await eng());
        } else {
          e.push(await eng());
          f.push(await flo());
        }
        log(
          `  ${name} round ${r + 1}: engine ${fmt(e[r].perSecond)} events/s (p99 ${percentile(e[r].latencies, 99).toFixed(1)} ms), floor ${fmt(f[r].perSecond)} events/s`,
        );
      }
      return { engine: median(e.map((x) => x.perSecond)), floor: median(f.map((x) => x.perSecond)) };
    };

    const small = await makeInstances(engine, scratch.dbUrl, SMALL, {
      extraEvents: EVENTS_PER_INSTANCE - 1,
      overdueShare: 0.1,
    });
    log(`phase 1: ${fmt(small.length)} instances`);
    const a = await phase('small', small);

    const t0 = performance.now();
    const more = await makeInstances(engine, scratch.dbUrl, LARGE - SMALL, {
      extraEvents: EVENTS_PER_INSTANCE - 1,
      overdueShare: 0.1,
    });
    const all = shuffled([...small, ...more]);
    // A table that grew by a million rows in seconds is vacuumed and analysed by autovacuum within
    // a minute in service; do it now so the large phase measures that state, not the minute after a bulk load.
    await app
      .get(DataSource)
      .query(`VACUUM ANALYZE workflow_instance, workflow_event, deadline, stage_visit, awaiting_answer`);
    const [counts] = await app
      .get(DataSource)
      .query(
        `SELECT (SELECT count(*) FROM workflow_instance)::int AS i, (SELECT count(*) FROM workflow_event)::int AS e`,
      );
    log(
      `phase 2: ${fmt(counts.i)} instances, ${fmt(counts.e)} events, bulk-loaded in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    // The API process's memory (it runs in this process) while it serves the large phase and the reads.
    let rssPeak = process.memoryUsage().rss;
    const rssAtStart = rssPeak;
    const rssProbe = setInterval(() => {
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }, 100);
    rssProbe.unref();
    const b = await phase('large', all);

    const raw = b.engine / a.engine;
    const normalised = b.engine / b.floor / (a.engine / a.floor);

    // The managers' dashboard (or, while it does not exist, the overdue list and the list).
    const manager = await app.get(UsersService).create(
      {
        email: 'bench-manager@bench.local',
        password: 'bench password not secret',
        displayName: 'Bench manager',
        role: 'manager',
        memberState: null,
      },
      { actor: null, ip: null },
    );
    const { accessToken } = await app
      .get(AccessTokenService)
      .issue({ id: manager.id, role: manager.role, memberState: manager.memberState });
    const get = async (path: string) => {
      const s = performance.now();
      const res = await fetch(url + path, {
        headers: { authorization: `Bearer ${accessToken}` },
        signal: AbortSignal.timeout(30_000),
      });
      await res.arrayBuffer();
      return { status: res.status, ms: performance.now() - s };
    };
    const probe = await get('/monitoring/dashboard');
    const reads =
      probe.status === 200
        ? ['/monitoring/dashboard']
        : ['/instances?overdue=true&pageSize=50', '/instances?pageSize=50'];
    if (probe.status !== 200)
      log(`GET /monitoring/dashboard answered ${probe.status}: timing ${reads.join(' and ')} instead`);
    const readResults: string[] = [];
    for (const path of reads) {
      const times: number[] = [];
      for (let i = 0; i < READS + 3; i++) {
        const r = await get(path);
        if (r.status !== 200) throw new Error(`GET ${path} answered ${r.status}`);
        if (i >= 3) times.push(r.ms);
      }
      const p95 = percentile(times, 95);
      readResults.push(
        `GET ${path}: p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (${READS} requests; target p95 <= ${TARGET_P95} ms: ${p95 <= TARGET_P95 ? 'met' : 'MISSED'})`,
      );
    }

    clearInterval(rssProbe);
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    const rssMb = rssPeak / (1024 * 1024);

    log('');
    log(
      `SUMMARY ${fmt(SMALL)} instances: engine ${fmt(a.engine)} events/s (floor ${fmt(a.floor)}); ${fmt(LARGE)} instances / ${fmt(LARGE * EVENTS_PER_INSTANCE)} events: engine ${fmt(b.engine)} events/s (floor ${fmt(b.floor)})`,
    );
    log(
      `SUMMARY ratio large/small ${raw.toFixed(3)} (floor-normalised ${normalised.toFixed(3)}; target >= ${TARGET_RATIO}: ${raw >= TARGET_RATIO ? 'met' : 'MISSED'})`,
    );
    for (const r of readResults) log(`SUMMARY ${r}`);
    log(
      `SUMMARY API process RSS peak at ${fmt(counts.i)} instances (engine phase and reads): ${rssMb.toFixed(0)} MB, ${(rssAtStart / (1024 * 1024)).toFixed(0)} MB at its start, after the bulk load in this process (target <= ${TARGET_RSS_MB} MB: ${rssMb <= TARGET_RSS_MB ? 'met' : 'MISSED'})`,
    );
  } finally {
    await floor.close().catch(() => undefined);
    await app.close();
  }
}).catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
