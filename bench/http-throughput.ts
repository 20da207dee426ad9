/**
 * Events per second through the API: POST /instances/:id/events with a bearer token, autocannon
 * (in a child process) at 16 connections, requests spread over 10,000 instances; as a ratio of the
 * floor (the hand-written `pg` transaction, 8 clients, see bench/lib/harness.ts) measured in the
 * same run, in alternating rounds; p50 and p99 latency.
 *
 *   npm run bench:http
 *   (BENCH_SECONDS, BENCH_ROUNDS, BENCH_INSTANCES, BENCH_CONNECTIONS override the defaults)
 */
import { fork } from 'node:child_process';
import * as path from 'node:path';
import { AccessTokenService } from '../src/auth/access-token.service';
import { UsersService } from '../src/auth/users.service';
import {
  bootApp,
  Floor,
  profiled,
  fmt,
  log,
  machineLine,
  makeInstances,
  median,
  percentile,
  withScratch,
  type RunResult,
} from './lib/harness';
import type { LoadJob, LoadResult } from './lib/load-runner';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 10_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const FLOOR_CLIENTS = 8;
const TARGET_RATIO = 0.35;
const TARGET_P99 = 50;

function load(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = fork(path.join(__dirname, 'lib', 'load-runner.ts'), [], {
      execArgv: ['-r', 'ts-node/register/transpile-only'],
      stdio: 'inherit',
    });
    const killer = setTimeout(() => child.kill('SIGKILL'), (job.seconds + 60) * 1000);
    let answered = false;
    child.on('message', (m: { result?: LoadResult; error?: string }) => {
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

const floorLine = (r: RunResult) =>
  `floor  ${fmt(r.perSecond).padStart(7)} events/s  (${fmt(r.ops)} in ${r.seconds.toFixed(1)} s, ${FLOOR_CLIENTS} clients; p50 ${percentile(r.latencies, 50).toFixed(2)} ms, p99 ${percentile(r.latencies, 99).toFixed(2)} ms)`;
const httpLine = (r: LoadResult) =>
  `http   ${fmt(r.perSecond).padStart(7)} events/s  (${fmt(r.requests)} requests in ${r.seconds.toFixed(1)} s, ${CONNECTIONS} connections, non-2xx ${r.non2xx}, errors ${r.errors}; p50 ${r.p50} ms, p90 ${r.p90} ms, p99 ${r.p99} ms, max ${r.max} ms; server CPU ${r.serverCpuMsPerRequest?.toFixed(2)} ms/request)`;

void withScratch(async (scratch) => {
  log(
    `HTTP throughput: ${CONNECTIONS} connections, ${fmt(INSTANCES)} instances, ${ROUNDS} rounds of ${SECONDS} s per side; ${machineLine()}; ${new Date().toISOString()}`,
  );
  const { app, engine } = await bootApp(scratch);
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const floor = await Floor.create(scratch.dbUrl, INSTANCES, FLOOR_CLIENTS);
  try {
    const officer = await app.get(UsersService).create(
      {
        email: 'bench-officer@bench.local',
        password: 'bench password not secret',
        displayName: 'Bench officer',
        role: 'legal_officer',
        memberState: null,
      },
      { actor: null, ip: null },
    );
    const { accessToken } = await app
      .get(AccessTokenService)
      .issue({ id: officer.id, role: officer.role, memberState: officer.memberState });
    const ids = await makeInstances(engine, scratch.dbUrl, INSTANCES);
    log(`made ${fmt(ids.length)} instances (untimed), listening on ${url}`);

    let offset = 0;
    const http = async (seconds: number) => {
      const cpu0 = process.cpuUsage();
      const r = await load({ url, token: accessToken, ids, connections: CONNECTIONS, seconds, offset });
      const cpu = process.cpuUsage(cpu0);
      r.serverCpuMsPerRequest = (cpu.user + cpu.system) / 1000 / Math.max(1, r.requests);
      offset += r.requests;
      // let requests still in flight when the load generator stopped finish
      await new Promise((resolve) => setTimeout(resolve, 500));
      if (r.non2xx || r.errors) throw new Error(`HTTP run had ${r.non2xx} non-2xx answers and ${r.errors} errors`);
      return r;
    };
    const floorRun = (seconds: number) => floor.run(FLOOR_CLIENTS, { seconds, maxOps: 500_000 });

    await http(3);
    await floorRun(2);
    const https: LoadResult[] = [];
    const floors: RunResult[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      let f: RunResult;
      let h: LoadResult;
      if (r % 2 === 0) {
        f = await floorRun(SECONDS);
        h = await http(SECONDS);
      } else {
        h = await http(SECONDS);
        f = await floorRun(SECONDS);
      }
      floors.push(f);
      https.push(h);
      log(`round ${r + 1}: ratio ${(h.perSecond / f.perSecond).toFixed(3)}`);
      log(`  ${floorLine(f)}`);
      log(`  ${httpLine(h)}`);
    }
    if (process.env.BENCH_PROFILE) await profiled('http-server', () => http(SECONDS));
    const hm = median(https.map((x) => x.perSecond));
    const fm = median(floors.map((x) => x.perSecond));
    const ratio = hm / fm;
    const p50 = median(https.map((x) => x.p50));
    const p99 = median(https.map((x) => x.p99));
    log('');
    log(
      `SUMMARY http ${fmt(hm)} events/s, floor ${fmt(fm)} events/s, ratio ${ratio.toFixed(3)} (target >= ${TARGET_RATIO}: ${ratio >= TARGET_RATIO ? 'met' : 'MISSED'}); ` +
        `p50 ${p50} ms, p99 ${p99} ms (target <= ${TARGET_P99} ms: ${p99 <= TARGET_P99 ? 'met' : 'MISSED'}) (medians of ${ROUNDS} rounds)`,
    );
  } finally {
    await floor.close().catch(() => undefined);
    await app.close();
  }
}).catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
