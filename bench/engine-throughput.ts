/**
 * Events applied per second through WorkflowEngine.apply, 8 concurrent workers over 10,000
 * instances, against the floor (the same database work by hand with `pg`, 8 clients) measured
 * in the same run, in alternating rounds. Then counts the statements per event of both.
 *
 *   npm run bench:engine
 *   (BENCH_SECONDS, BENCH_ROUNDS, BENCH_INSTANCES, BENCH_WORKERS override the defaults)
 */
import {
  bootApp,
  countStatements,
  engineOp,
  Floor,
  fmt,
  log,
  machineLine,
  makeInstances,
  median,
  percentile,
  profiled,
  runBounded,
  withScratch,
  type RunResult,
} from './lib/harness';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 10_000);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 8);
const MAX_OPS = 500_000;
const TARGET = 0.7;

interface Measured extends RunResult {
  cpuMsPerOp: number;
}

async function measured(run: () => Promise<RunResult>): Promise<Measured> {
  const cpu0 = process.cpuUsage();
  const r = await run();
  const cpu = process.cpuUsage(cpu0);
  return { ...r, cpuMsPerOp: (cpu.user + cpu.system) / 1000 / Math.max(1, r.ops) };
}

const line = (label: string, r: Measured) =>
  `${label.padEnd(8)} ${fmt(r.perSecond).padStart(7)} events/s  (${fmt(r.ops)} in ${r.seconds.toFixed(1)} s; p50 ${percentile(r.latencies, 50).toFixed(2)} ms, p99 ${percentile(r.latencies, 99).toFixed(2)} ms; node CPU ${r.cpuMsPerOp.toFixed(3)} ms/event)`;

void withScratch(async (scratch) => {
  log(
    `engine throughput: ${WORKERS} workers, ${fmt(INSTANCES)} instances, ${ROUNDS} rounds of ${SECONDS} s per side; ${machineLine()}; ${new Date().toISOString()}`,
  );
  const { app, engine } = await bootApp(scratch);
  const floor = await Floor.create(scratch.dbUrl, INSTANCES, WORKERS);
  try {
    const ids = await makeInstances(engine, scratch.dbUrl, INSTANCES);
    log(`made ${fmt(ids.length)} instances (untimed)`);
    const op = engineOp(engine, ids);
    const engineRun = (seconds: number) => measured(() => runBounded(WORKERS, { seconds, maxOps: MAX_OPS }, op));
    const floorRun = (seconds: number) => measured(() => floor.run(WORKERS, { seconds, maxOps: MAX_OPS }));

    await floorRun(2);
    await engineRun(2);
    const engines: Measured[] = [];
    const floors: Measured[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const pair =
        r % 2 === 0
          ? [await floorRun(SECONDS), await engineRun(SECONDS)]
          : [await engineRun(SECONDS), await floorRun(SECONDS)].reverse();
      floors.push(pair[0]);
      engines.push(pair[1]);
      log(`round ${r + 1}: ratio ${(pair[1].perSecond / pair[0].perSecond).toFixed(3)}`);
      log(`  ${line('floor', pair[0])}`);
      log(`  ${line('engine', pair[1])}`);
    }
    const e = median(engines.map((x) => x.perSecond));
    const f = median(floors.map((x) => x.perSecond));
    const ratio = e / f;

    if (process.env.BENCH_PROFILE) {
      await profiled('engine', () => engineRun(SECONDS));
      await profiled('floor', () => floorRun(SECONDS));
    }

    // Single client: where the per-event latency goes without queueing.
    const engine1 = await measured(() => runBounded(1, { seconds: 3, maxOps: MAX_OPS }, op));
    const floor1 = await measured(() => floor.run(1, { seconds: 3, maxOps: MAX_OPS }));

    // Statements per event.
    const N = 2000;
    const eStmts = await countStatements(() => runBounded(WORKERS, { seconds: 60, maxOps: N }, op));
    const fStmts = await countStatements(() => floor.run(WORKERS, { seconds: 60, maxOps: N }));

    log('');
    log(
      'statements per event (engine, 8 workers, 2,000 events; includes the outbox relay drains kicked after commits):',
    );
    for (const [k, n] of [...eStmts.counts.entries()].sort((a, b) => b[1] - a[1]))
      log(`  ${(n / eStmts.result.ops).toFixed(2).padStart(6)}  ${k}`);
    log(
      `  total ${([...eStmts.counts.values()].reduce((a, b) => a + b, 0) / eStmts.result.ops).toFixed(2)} (floor: ${([...fStmts.counts.values()].reduce((a, b) => a + b, 0) / fStmts.result.ops).toFixed(2)})`,
    );
    log('');
    log('single client (no queueing):');
    log(`  ${line('floor', floor1)}`);
    log(`  ${line('engine', engine1)}`);
    log('');
    log(
      `SUMMARY engine ${fmt(e)} events/s, floor ${fmt(f)} events/s, ratio ${ratio.toFixed(3)} (median of ${ROUNDS} rounds; target >= ${TARGET}: ${ratio >= TARGET ? 'met' : 'MISSED'})`,
    );
  } finally {
    await floor.close().catch(() => undefined);
    await app.close();
  }
}).catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
