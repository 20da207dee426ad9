/**
 * Helpers for the fault tests: the service as a child process, a private redis-server, a TCP
 * proxy that can be cut, users inserted straight into a database, and bounded polling.
 * Nothing here touches the shared PostgreSQL or Redis beyond this run's own databases and keys.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as net from 'node:net';
import * as path from 'node:path';
import { hashPassword } from '../../src/auth/password-hasher';
import { withPg } from '../setup/test-infra';
import { createFreshDatabase, type TestDatabase } from '../support/databases';
import { createTestApp, type TestApp } from '../support/test-app';
import { sleep, waitFor } from '../support/wait';

export { sleep, waitFor };

export const ROOT = path.resolve(__dirname, '..', '..');

/** A TCP port nobody listens on right now (the kernel picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface ChildService {
  url: string;
  port: number;
  proc: ChildProcess;
  /** Everything the process printed (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code / signal once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface ServiceOptions {
  /** `src/main.ts` (an API process, the default) or `src/worker.ts` (a worker process). */
  entry?: 'src/main.ts' | 'src/worker.ts';
  /** Modules loaded before the entry (`node -r`), e.g. test/support/child-clock.ts. */
  preload?: string[];
}

/**
 * Starts the service from its sources (`node -r ts-node/register/transpile-only src/main.ts`,
 * so it does not depend on a build) and waits until /health answers 200. A worker process
 * (`entry: 'src/worker.ts'`) has no HTTP port: `PORT` is its `METRICS_PORT`, and it is up when
 * /metrics answers there.
 */
export async function startService(
  env: Record<string, string>,
  bootTimeoutMs = 240_000,
  options: ServiceOptions = {},
): Promise<ChildService> {
  const port = await freePort();
  const entry = options.entry ?? 'src/main.ts';
  const worker = entry === 'src/worker.ts';
  const preload = (options.preload ?? []).flatMap((m) => ['-r', m]);
  const proc = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', ...preload, entry], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/tmp',
      TS_NODE_TRANSPILE_ONLY: 'true',
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      ...env,
      ...(worker ? { METRICS_PORT: String(port), METRICS_HOST: '127.0.0.1' } : { PORT: String(port) }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const append = (chunk: Buffer) => {
    out += chunk.toString();
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  proc.stdout.on('data', append);
  proc.stderr.on('data', append);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  let gone = false;
  void exited.then(() => (gone = true));
  const url = `http://127.0.0.1:${port}`;
  const service: ChildService = {
    url,
    port,
    proc,
    output: () => out,
    exited,
    kill: async (signal: NodeJS.Signals = 'SIGKILL') => {
      if (gone) return;
      proc.kill(signal);
      await exited;
    },
  };
  try {
    await waitFor(
      `the ${worker ? 'worker to answer /metrics' : 'service to answer /health'}`,
      async () => {
        if (gone) throw new Error(`the service exited during boot:\n${out.slice(-3000)}`);
        const res = await fetch(`${url}/${worker ? 'metrics' : 'health'}`, { signal: AbortSignal.timeout(2000) });
        return res.status === 200;
      },
      bootTimeoutMs,
      250,
    );
  } catch (err) {
    await service.kill();
    throw new Error(`${(err as Error).message}\n--- service output ---\n${out.slice(-3000)}`, { cause: err });
  }
  return service;
}

export interface RedisServer {
  port: number;
  url: string;
  running(): boolean;
  stop(): Promise<void>;
}

/** A private redis-server (no persistence) on `port`; stopped with SIGKILL, like a crash. */
export async function startRedis(port: number): Promise<RedisServer> {
  const proc = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--maxmemory-policy',
      'noeviction',
    ],
    {
      stdio: 'ignore',
    },
  );
  const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
  let gone = false;
  void exited.then(() => (gone = true));
  await waitFor(
    `redis-server on port ${port}`,
    () =>
      new Promise<boolean>((resolve) => {
        if (gone) throw new Error('redis-server exited');
        const socket = net.connect(port, '127.0.0.1');
        socket.once('connect', () => {
          socket.write('PING\r\n');
          socket.once('data', (d) => {
            socket.destroy();
            resolve(d.toString().startsWith('+PONG'));
          });
        });
        socket.once('error', () => resolve(false));
      }),
    15_000,
    100,
  );
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    running: () => !gone,
    stop: async () => {
      if (gone) return;
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * A TCP proxy to `target` that can be cut (every connection dropped, new ones refused) and
 * restored on the same port.
 */
export class TcpProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  private stalled = false;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(port = 0): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      this.sockets.add(client);
      this.sockets.add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream);
      upstream.pipe(client);
      if (this.stalled) this.freeze(client, upstream);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
  }

  /** Drops every open connection and stops listening (new connections: ECONNREFUSED). */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Keeps every connection open but carries nothing either way, like a network partition. */
  stall(): void {
    this.stalled = true;
    const all = [...this.sockets];
    for (let i = 0; i < all.length; i += 2) this.freeze(all[i], all[i + 1]);
  }

  /** Ends a stall: connections made during it are dropped, new ones carry data again. */
  unstall(): void {
    if (!this.stalled) return;
    this.stalled = false;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  private freeze(a: net.Socket | undefined, b: net.Socket | undefined): void {
    for (const s of [a, b]) {
      if (!s) continue;
      s.unpipe();
      s.pause();
    }
  }

  /** Listens again on the same port. */
  async restore(): Promise<void> {
    if (this.server) return; // not cut
    for (let attempt = 1; ; attempt++) {
      try {
        await this.start(this.port);
        return;
      } catch (err) {
        if (attempt >= 20) throw err;
        await sleep(100);
      }
    }
  }

  async close(): Promise<void> {
    await this.cut();
  }
}

/** The application on a database of its own reached only through a TcpProxy the test controls. */
export interface AppBehindProxy {
  t: TestApp;
  proxy: TcpProxy;
  db: TestDatabase;
  close(): Promise<void>;
}

export async function appBehindProxy(env: Record<string, string>): Promise<AppBehindProxy> {
  const db = await createFreshDatabase();
  const target = new URL(db.url);
  const proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  await proxy.start();
  const viaProxy = new URL(db.url);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxy.port);
  const t = await createTestApp({ databaseUrl: viaProxy.toString(), env, logLevels: ['error'] });
  return {
    t,
    proxy,
    db,
    close: async () => {
      proxy.unstall();
      await proxy.restore().catch(() => undefined);
      await t.close();
      await proxy.close();
      await db.drop().catch(() => undefined);
    },
  };
}

export interface InsertedUser {
  id: string;
  email: string;
  password: string;
}

/** Inserts an active user with an argon2id password hash straight into `databaseUrl`. */
export async function insertUser(
  databaseUrl: string,
  role: string,
  memberState: string | null = null,
): Promise<InsertedUser> {
  const tag = randomBytes(4).toString('hex');
  const email = `${role.replace('_', '-')}.${tag}@faults.test`;
  const password = `fault-test-password-${tag}`;
  const hash = await hashPassword(password);
  const id = await withPg(databaseUrl, async (c) => {
    const r = await c.query<{ id: string }>(
      `INSERT INTO app_user (email, display_name, password_hash, role, member_state, active, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, true, now(), now()) RETURNING id`,
      [email, `Fault test ${role} ${tag}`, hash, role, memberState],
    );
    return r.rows[0].id;
  });
  return { id, email, password };
}

/** Signs in over HTTP and returns the access token. */
export async function signInOverHttp(url: string, user: InsertedUser): Promise<string> {
  const res = await fetch(`${url}/auth/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: user.email, password: user.password }),
  });
  const body = (await res.json()) as { accessToken?: string };
  if (res.status !== 200 || !body.accessToken)
    throw new Error(`sign-in answered ${res.status}: ${JSON.stringify(body)}`);
  return body.accessToken;
}

/** ISO date (YYYY-MM-DD) of `d`. */
export const isoDay = (d: Date = new Date()) => d.toISOString().slice(0, 10);
