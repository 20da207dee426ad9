import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import Redis from 'ioredis';
import { BootError } from './boot-error';
import { bootLogger, type BootLogger } from './boot-logger';
import { describeUrl, errorReason, freePort, sleep } from './net';
import { redisOptionsFromUrl } from './redis-options';

export type RedisKind = 'env' | 'local' | 'child';

export interface ResolvedRedis {
  /** Connection URL, possibly with credentials: never log it (use `describe`). */
  readonly url: string;
  readonly kind: RedisKind;
  /** e.g. `local 127.0.0.1:6379`; never contains a password. */
  readonly describe: string;
  /** Stops the child redis-server if this resolver started it; otherwise a no-op. */
  stop(): Promise<void>;
}

export interface RedisResolverOptions {
  /** REDIS_URL; when set it is the only candidate. */
  redisUrl?: string;
  /** Port probed on 127.0.0.1 (REDIS_LOCAL_PORT, default 6379). */
  localPort?: number;
  logger?: BootLogger;
}

const noop = (): Promise<void> => Promise.resolve();

export async function resolveRedis(options: RedisResolverOptions): Promise<ResolvedRedis> {
  const logger = options.logger ?? bootLogger('Redis');
  let resolved: ResolvedRedis;

  if (options.redisUrl) {
    const where = describeUrl(options.redisUrl, 6379);
    try {
      await pingRedis(options.redisUrl, 5000);
    } catch (err) {
      throw new BootError(`Cannot connect to Redis at ${where}: ${errorReason(err)}. Set REDIS_URL or start Redis.`);
    }
    resolved = { url: options.redisUrl, kind: 'env', describe: `from REDIS_URL ${where}`, stop: noop };
  } else {
    const localPort = options.localPort ?? 6379;
    const localUrl = `redis://127.0.0.1:${localPort}`;
    try {
      await pingRedis(localUrl, 2000);
      resolved = { url: localUrl, kind: 'local', describe: `local 127.0.0.1:${localPort}`, stop: noop };
    } catch (err) {
      logger.debug(`No Redis on 127.0.0.1:${localPort} (${errorReason(err)}); starting redis-server`);
      resolved = await startChildRedis(localPort, logger);
    }
  }

  await warnUnlessNoEviction(resolved.url, logger);
  return resolved;
}

function probeClient(url: string, timeoutMs: number): Redis {
  const client = new Redis({
    ...redisOptionsFromUrl(url),
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined); // surfaced through the awaited calls
  return client;
}

export async function pingRedis(url: string, timeoutMs: number): Promise<void> {
  const client = probeClient(url, timeoutMs);
  try {
    await client.connect();
    // typed as 'PONG' by ioredis; whatever a server really answers is checked
    const answer: string = await client.ping();
    if (answer !== 'PONG') throw new Error(`unexpected answer to PING: ${answer}`);
  } finally {
    client.disconnect();
  }
}

/** BullMQ loses jobs when Redis evicts keys; say so early. CONFIG may be disabled (managed Redis): then stay quiet. */
async function warnUnlessNoEviction(url: string, logger: BootLogger): Promise<void> {
  const client = probeClient(url, 2000);
  try {
    await client.connect();
    const reply = (await client.config('GET', 'maxmemory-policy')) as string[];
    const policy = reply[1];
    if (policy && policy !== 'noeviction') {
      logger.warn(
        `Redis maxmemory-policy is "${policy}"; BullMQ needs "noeviction" or queued jobs may be lost (CONFIG SET maxmemory-policy noeviction)`,
      );
    }
  } catch (err) {
    logger.debug(`Could not read Redis maxmemory-policy: ${errorReason(err)}`);
  } finally {
    client.disconnect();
  }
}

function findOnPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  return undefined;
}

async function startChildRedis(localPort: number, logger: BootLogger): Promise<ResolvedRedis> {
  const binary = findOnPath('redis-server');
  if (!binary) {
    throw new BootError(
      `Redis is not reachable on 127.0.0.1:${localPort} and redis-server is not installed. ` +
        'Install Redis (apt-get install redis-server) or set REDIS_URL.',
    );
  }

  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    binary,
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
      '--dir',
      tmpdir(),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    output.push(chunk.toString('utf8'));
    if (output.length > 40) output.shift();
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', (err) => {
      output.push(errorReason(err));
      exited = true;
      resolve();
    });
  });
  // Safety net: never leave the child behind, whatever way this process ends.
  const killOnExit = () => {
    if (!exited) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const deadline = Date.now() + 10_000;
  for (;;) {
    if (exited) {
      process.removeListener('exit', killOnExit);
      const tail = output
        .join('')
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .slice(-2)
        .join(' | ');
      throw new BootError(
        `redis-server exited during start-up${tail ? `: ${tail}` : ''}. Install Redis (apt-get install redis-server) or set REDIS_URL.`,
      );
    }
    try {
      await pingRedis(url, 1000);
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new BootError(
          `redis-server did not answer PING on 127.0.0.1:${port} within 10 s: ${errorReason(err)}. Set REDIS_URL.`,
        );
      }
      await sleep(100);
    }
  }
  logger.debug(`Started redis-server (pid ${child.pid}) on 127.0.0.1:${port}`);

  return {
    url,
    kind: 'child',
    describe: `child redis-server 127.0.0.1:${port}`,
    stop: async () => {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exitedPromise;
        clearTimeout(timer);
      }
      process.removeListener('exit', killOnExit);
    },
  };
}
