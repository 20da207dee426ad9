/**
 * The API as the product runs it with API_PROCESSES=N (src/cluster.ts), in a child process of a
 * benchmark, with what the benchmark needs to measure it and nothing the product has:
 *
 * - every API process counts the statements it sends through `pg` (Client.prototype.query wrapped,
 *   as countStatements does in process), its CPU time (process.cpuUsage) and its peak RSS, and
 *   answers the benchmark's requests over IPC: `reset` (start counting now) and `report` (the
 *   figures since the reset) — {@link ApiStatsRequest}, {@link ApiStatsReply};
 * - the cluster's primary only relays those messages between the benchmark and its API processes;
 * - each API process says `listening` (with its pid) once it serves HTTP.
 *
 * With N = 1 this process is the API process itself (no cluster), as in production.
 *
 * Started by {@link startApiCluster}; stopped with SIGTERM (the product's own graceful shutdown).
 */
import { fork, type ChildProcess } from 'node:child_process';
import cluster from 'node:cluster';
import * as net from 'node:net';
import { Client } from 'pg';
import { startApi } from '../../src/cluster';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as inspector from 'node:inspector';
import { socketWriteCounter, statementKey } from './harness';

export interface ApiStatsRequest {
  readonly bench: 'reset' | 'report';
  readonly id: number;
}

export interface ApiProcessStats {
  readonly pid: number;
  /** Statements sent since the reset, in total and by their first words. */
  readonly statements: number;
  readonly counts: [string, number][];
  /** User + system CPU time since the reset, ms. */
  readonly cpuMs: number;
  /** Peak RSS since the reset (sampled every 200 ms and at the report), MB. */
  readonly rssMb: number;
  /** Socket writes since the reset, by remote port. */
  readonly writes: [number, number][];
}

export type ApiStatsReply =
  | { readonly bench: 'listening'; readonly pid: number }
  | { readonly bench: 'reset'; readonly id: number; readonly pid: number }
  | { readonly bench: 'report'; readonly id: number; readonly stats: ApiProcessStats };

const isRequest = (m: unknown): m is ApiStatsRequest =>
  typeof m === 'object' &&
  m !== null &&
  ((m as { bench?: unknown }).bench === 'reset' || (m as { bench?: unknown }).bench === 'report') &&
  typeof (m as { id?: unknown }).id === 'number';

const isReply = (m: unknown): m is ApiStatsReply =>
  typeof m === 'object' &&
  m !== null &&
  ['listening', 'reset', 'report'].includes(String((m as { bench?: unknown }).bench));

// ------------------------------------------------------------------------------ in the child

/** In an API process: counts statements, CPU and RSS, and answers reset/report over IPC. */
function instrumentApiProcess(): void {
  const proto = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  let counts = new Map<string, number>();
  proto.query = function (this: unknown, ...args: unknown[]) {
    const q = args[0];
    const text = typeof q === 'string' ? q : ((q as { text?: string })?.text ?? '?');
    const key = statementKey(text);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    return original.apply(this, args);
  };
  let cpu0 = process.cpuUsage();
  let peak = process.memoryUsage().rss;
  let sockets = socketWriteCounter();
  setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 200).unref();
  // BENCH_PROFILE=<dir>: a CPU profile of each measured window (reset to report)
  const profileDir = process.env.BENCH_PROFILE;
  let profiler: inspector.Session | null = null;
  let windows = 0;
  const post = (s: inspector.Session, method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => s.post(method, params ?? {}, (e, r) => (e ? reject(e) : resolve(r))));
  const handle = async (m: unknown) => {
    if (!isRequest(m)) return;
    if (profileDir && m.bench === 'reset') {
      profiler?.disconnect();
      profiler = new inspector.Session();
      profiler.connect();
      await post(profiler, 'Profiler.enable');
      await post(profiler, 'Profiler.setSamplingInterval', { interval: 500 });
      await post(profiler, 'Profiler.start');
    }
    if (profileDir && m.bench === 'report' && profiler) {
      const { profile } = (await post(profiler, 'Profiler.stop')) as inspector.Profiler.StopReturnType;
      mkdirSync(profileDir, { recursive: true });
      writeFileSync(`${profileDir}/api-${process.pid}-${++windows}.cpuprofile`, JSON.stringify(profile));
      profiler.disconnect();
      profiler = null;
    }
    if (m.bench === 'reset') {
      counts = new Map();
      sockets.stop();
      sockets = socketWriteCounter();
      cpu0 = process.cpuUsage();
      peak = process.memoryUsage().rss;
      process.send?.({ bench: 'reset', id: m.id, pid: process.pid } satisfies ApiStatsReply);
      return;
    }
    const cpu = process.cpuUsage(cpu0);
    peak = Math.max(peak, process.memoryUsage().rss);
    const stats: ApiProcessStats = {
      pid: process.pid,
      statements: [...counts.values()].reduce((a, b) => a + b, 0),
      counts: [...counts],
      cpuMs: (cpu.user + cpu.system) / 1000,
      rssMb: peak / 1024 / 1024,
      writes: [...sockets.writes],
    };
    process.send?.({ bench: 'report', id: m.id, stats } satisfies ApiStatsReply);
  };
  process.on('message', (m: unknown) => void handle(m));
}

async function child(): Promise<void> {
  const single = process.env.API_PROCESSES === '1';
  if (cluster.isPrimary && !single) {
    // the primary: relays between the benchmark and the API processes
    process.on('message', (m: unknown) => {
      if (isRequest(m)) for (const w of Object.values(cluster.workers ?? {})) if (w?.isConnected()) w.send(m);
    });
    cluster.on('message', (_worker, m: unknown) => {
      if (isReply(m)) process.send?.(m);
    });
  } else instrumentApiProcess();
  // (the wrapped prototype serves every pg client the application makes from now on)
  await startApi();
  if (cluster.isWorker || single) process.send?.({ bench: 'listening', pid: process.pid } satisfies ApiStatsReply);
}

// ------------------------------------------------------------------------------ in the benchmark

/** A TCP port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface ApiCluster {
  readonly url: string;
  readonly pids: readonly number[];
  /** Every API process starts counting now. */
  reset(): Promise<void>;
  /** Every API process's figures since the last reset. */
  report(): Promise<ApiProcessStats[]>;
  /** SIGTERM (graceful, as in production); SIGKILL if it has not exited within 60 s. */
  stop(): Promise<void>;
}

/**
 * Starts the API with `processes` API processes (API_PROCESSES) on a free loopback port, with the
 * given environment (the benchmark's own database, Redis prefix and secrets), and resolves once
 * every API process serves HTTP.
 */
export async function startApiCluster(
  processes: number,
  env: Record<string, string>,
  bootTimeoutMs = 300_000,
): Promise<ApiCluster> {
  const port = await freePort();
  const proc: ChildProcess = fork(__filename, [], {
    execArgv: ['-r', 'ts-node/register/transpile-only'],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      TS_NODE_TRANSPILE_ONLY: 'true',
      ...env,
      API_PROCESSES: String(processes),
      PORT: String(port),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));

  const listening = new Set<number>();
  const pending = new Map<number, { want: 'reset' | 'report'; replies: ApiStatsReply[]; done: () => void }>();
  proc.on('message', (m: unknown) => {
    if (!isReply(m)) return;
    if (m.bench === 'listening') {
      listening.add(m.pid);
      return;
    }
    const p = pending.get(m.id);
    if (!p || p.want !== m.bench) return;
    p.replies.push(m);
    if (p.replies.length >= processes) p.done();
  });

  const until = Date.now() + bootTimeoutMs;
  while (listening.size < processes) {
    if (gone) throw new Error(`the API child exited while starting (code ${await exited})`);
    if (Date.now() > until) {
      proc.kill('SIGKILL');
      throw new Error(`only ${listening.size} of ${processes} API processes were serving after ${bootTimeoutMs} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  let nextId = 1;
  const ask = async (want: 'reset' | 'report'): Promise<ApiStatsReply[]> => {
    const id = nextId++;
    const replies: ApiStatsReply[] = [];
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        pending.set(id, { want, replies, done: resolve });
        timer = setTimeout(
          () => reject(new Error(`${replies.length} of ${processes} API processes answered "${want}" within 60 s`)),
          60_000,
        );
        proc.send({ bench: want, id } satisfies ApiStatsRequest);
      });
    } finally {
      clearTimeout(timer);
      pending.delete(id);
    }
    return replies;
  };

  return {
    url: `http://127.0.0.1:${port}`,
    pids: [...listening],
    reset: async () => {
      await ask('reset');
    },
    report: async () =>
      (await ask('report')).flatMap((r) => (r.bench === 'report' ? [r.stats] : [])).sort((a, b) => a.pid - b.pid),
    stop: async () => {
      if (gone) return;
      proc.kill('SIGTERM');
      const killer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

// the benchmark forks this file; the cluster's primary forks it again for each API process
if (require.main === module)
  void child().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
