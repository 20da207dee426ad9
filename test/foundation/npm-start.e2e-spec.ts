/**
 * The quick start as a user runs it: the README's start command, exactly as written there
 * (`npm ci && DEMO=true npm start`), run by a shell: `npm start` builds the server and the web
 * application and serves both. Run in a copy of the project (sources and configuration,
 * node_modules linked), so that its build never touches the dist/ other suites use; `npm ci`
 * answers from a stand-in `npm` first on PATH (the linked node_modules are the lockfile's), every
 * other npm command goes to the real one.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ENV_KEYS, deleteRedisKeys, required } from '../setup/test-infra';
import { withPg } from '../setup/test-infra';
import { createFreshDatabase, type TestDatabase } from '../support/databases';
import { freePort, waitFor } from '../faults/fault-support';

const ROOT = path.resolve(__dirname, '..', '..');
const PROJECT_FILES = ['package.json', 'package-lock.json', 'nest-cli.json', 'tsconfig.json', 'tsconfig.build.json'];
const PROJECT_DIRS = ['src', 'workflows', 'migrations'];

jest.setTimeout(600_000);

/** The README's quick-start command: the line of its "Run and test" block that runs `npm start`, without its comment. */
export function readmeStartCommand(): string {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const line = readme.split('\n').find((l) => /^npm ci && .*npm start\b/.test(l));
  if (!line) throw new Error('README.md has no quick-start line (npm ci && ... npm start)');
  return line.replace(/\s+#.*$/, '').trim();
}

const ADMIN_PASSWORD = 'a first administrator passphrase';

/** Runs a command to its end with `input` on its standard input. */
function run(
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string>; input: string },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input);
  });
}

describe('npm start (the quick start)', () => {
  let dir: string;
  let database: TestDatabase;
  let child: ChildProcess | undefined;
  let output = '';
  const redisUrl = required(ENV_KEYS.redisUrl);
  const redisPrefix = `${required(ENV_KEYS.redisPrefix)}-start-${randomBytes(3).toString('hex')}`;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'amendflow-start-'));
    for (const f of PROJECT_FILES) cpSync(path.join(ROOT, f), path.join(dir, f));
    for (const d of PROJECT_DIRS) cpSync(path.join(ROOT, d), path.join(dir, d), { recursive: true });
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    const npm = execFileSync('sh', ['-c', 'command -v npm']).toString().trim();
    mkdirSync(path.join(dir, '.bin'));
    writeFileSync(
      path.join(dir, '.bin', 'npm'),
      `#!/bin/sh\nif [ "$1" = ci ]; then echo "npm ci: node_modules linked from the project"; exit 0; fi\nexec "${npm}" "$@"\n`,
    );
    chmodSync(path.join(dir, '.bin', 'npm'), 0o755);
    database = await createFreshDatabase();
  });

  afterAll(async () => {
    if (child && child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGKILL');
    await database?.drop().catch(() => undefined);
    await deleteRedisKeys(redisUrl, redisPrefix).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it("the README's start command builds server and web application, serves /app/ and /health/ready in demo mode, the first administrator is created by the command line, and it turns not-ready at SIGTERM", async () => {
    const command = readmeStartCommand();
    expect(command).toMatch(/\bnpm start$/);
    const port = await freePort();
    const env = {
      PATH: `${path.join(dir, '.bin')}:${process.env.PATH ?? ''}`,
      HOME: process.env.HOME ?? '/tmp',
      PORT: String(port),
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: redisPrefix,
      SHUTDOWN_DRAIN_MS: '1500',
      LOG_FORMAT: 'json',
    };
    const proc = spawn('sh', ['-c', command], {
      cwd: dir,
      detached: true, // its own process group: npm, the build and the service are stopped together
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    proc.stdout.on('data', (c: Buffer) => (output += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (output += c.toString()));
    // 'close': every holder of the output pipes is gone (npm may exit at the signal before the service does)
    const exited = new Promise<void>((resolve) => proc.on('close', () => resolve()));
    const base = `http://127.0.0.1:${port}`;

    const ready = await waitFor(
      `the service on ${base} (output so far:\n${output.slice(-2000)})`,
      async () => {
        if (proc.exitCode !== null) throw new Error(`npm start exited with ${proc.exitCode}:\n${output.slice(-4000)}`);
        const res = await fetch(`${base}/health/ready`).catch(() => null);
        return res?.status === 200 ? res : null;
      },
      540_000,
      500,
    );
    expect(await ready.json()).toMatchObject({ status: 'ok' });

    const app = await fetch(`${base}/app/`);
    expect(app.status).toBe(200);
    expect(app.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(app.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await app.text();
    const script = /<script[^>]+src="([^"]+)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const bundle = await fetch(new URL(script!, `${base}/app/`));
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toBe('text/javascript; charset=utf-8');

    // the README asks for the demo: demo accounts, said in the log and on the sign-in page
    const config = (await (await fetch(`${base}/auth/config`)).json()) as { demo: boolean; demoBanner: string | null };
    expect(config.demo).toBe(command.includes('DEMO=true'));
    if (config.demo) expect(config.demoBanner).toMatch(/^Demonstration mode/);

    // the first administrator, with the built command line (package.json "bin")
    const empty = await createFreshDatabase();
    const createAdmin = (databaseUrl: string) =>
      run(
        'npx',
        [
          'amendflow',
          'create-admin',
          '--email',
          'First.Admin@example.org',
          '--name',
          'First admin',
          '--password-stdin',
        ],
        {
          cwd: dir,
          env: { ...env, PORT: '0', DATABASE_URL: databaseUrl },
          input: `${ADMIN_PASSWORD}\n`,
        },
      );
    try {
      const created = await createAdmin(empty.url);
      expect(created).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(/^Created administrator first\.admin@example\.org /m),
      });
      const rows = await withPg(
        empty.url,
        async (c) =>
          (await c.query<{ role: string; hash: string }>(`SELECT role, password_hash AS hash FROM app_user`)).rows,
      );
      expect(rows).toEqual([{ role: 'admin', hash: expect.stringMatching(/^\$argon2id\$/) }]);
      const again = await createAdmin(empty.url);
      expect(again.code).toBe(2);
      expect(again.stderr).toContain('An administrator exists already (first.admin@example.org)');
    } finally {
      await empty.drop().catch(() => undefined);
    }
    if (config.demo) {
      // the demo deployment has its administrator already: create-admin says so and creates nothing
      const demo = await createAdmin(database.url);
      expect(demo.code).toBe(2);
      expect(demo.stderr).toContain('An administrator exists already (admin@amendflow.local)');
      const signIn = await fetch(`${base}/auth/sign-in`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: 'admin@amendflow.local', password: 'amendflow-demo' }),
      });
      expect(signIn.status).toBe(200);
    }

    process.kill(proc.pid!, 0); // still there
    process.kill(-proc.pid!, 'SIGTERM');
    await waitFor('/health/ready to answer 503 while shutting down', async () => {
      const res = await fetch(`${base}/health/ready`).catch(() => null);
      return res?.status === 503;
    });
    await exited;
    expect(output).toMatch(/Received SIGTERM; shutting down in 1500 ms/);
    expect(output).toMatch(/Stopped/);
  });
});
