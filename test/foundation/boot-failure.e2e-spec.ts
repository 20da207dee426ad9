import { spawn } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

/** Starts the service from its sources (no build needed) and collects its output. */
function startService(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'development',
        HOME: process.env.HOME ?? '/tmp',
        JWT_SECRET: 'boot-failure-test-secret-of-32-bytes-or-more',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 360_000); // compiling the sources takes minutes on a loaded machine
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const nonEmptyLines = (s: string) => s.split('\n').filter((l) => l.trim() !== '');

jest.setTimeout(420_000);

describe('boot failures', () => {
  it('an unreachable DATABASE_URL exits 1 with one readable line and no stack trace', async () => {
    const { code, stdout, stderr } = await startService({
      DATABASE_URL: 'postgres://postgres:s3cret-pw@127.0.0.1:1/x',
    });
    expect(code).toBe(1);
    const lines = nonEmptyLines(stdout + stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^Cannot connect to PostgreSQL at 127\.0\.0\.1:1\/x: .+\. Set DATABASE_URL or start PostgreSQL\.$/,
    );
    expect(stdout + stderr).not.toContain('s3cret-pw');
    expect(stdout + stderr).not.toMatch(/^\s+at /m);
  });

  it('an invalid environment exits 1 with one line per bad variable', async () => {
    const { code, stdout, stderr } = await startService({ DATABASE_URL: 'mysql://x/y', PORT: 'http' });
    expect(code).toBe(1);
    expect(nonEmptyLines(stdout + stderr).sort()).toEqual([
      'DATABASE_URL: must be a postgres:// URL',
      'PORT: must be a port number between 0 and 65535',
    ]);
  });

  it('production mode refuses to start without DATABASE_URL, REDIS_URL, JWT_SECRET, WEBHOOK_SECRET_KEY and EVIDENCE_SIGNING_KEY: one line per missing setting', async () => {
    const { code, stdout, stderr } = await startService({ NODE_ENV: 'production', JWT_SECRET: '', DEMO: 'true' });
    expect(code).toBe(1);
    expect(nonEmptyLines(stdout + stderr)).toEqual([
      'DATABASE_URL: is required when NODE_ENV=production (postgres://user:password@host:5432/database)',
      'REDIS_URL: is required when NODE_ENV=production (redis://host:6379)',
      'JWT_SECRET: is required when NODE_ENV=production (at least 32 random bytes)',
      'WEBHOOK_SECRET_KEY: is required when NODE_ENV=production (32 bytes: openssl rand -base64 32)',
      'EVIDENCE_SIGNING_KEY: or EVIDENCE_SIGNING_KEY_FILE is required when NODE_ENV=production (the checkpoint signing key: openssl rand -base64 32)',
      'DEMO: demo accounts (a known password) are refused when NODE_ENV=production',
    ]);
  });
});
