/**
 * Development logs are pretty (one coloured line per entry, no JSON), production's are JSON, and
 * both redact credentials. The pretty logger writes to the process's stdout, so it is read from a
 * child process that logs through the service's own root logger.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { loadEnv } from '../../src/config/env';

const run = promisify(execFile);
const ESC = String.fromCharCode(27);
const ROOT = path.resolve(__dirname, '../..');

/** What a child process writes when it logs one entry (with a password in it) at LOG_FORMAT=`format`. */
async function logged(format: 'pretty' | 'json'): Promise<string> {
  const script = `
    const { createRootLogger } = require('./src/infra/logging');
    const log = createRootLogger({ LOG_LEVEL: 'log', LOG_FORMAT: '${format}' });
    log.info({ user: { password: 'hunter2-secret' }, procedure: 'p-1' }, 'answer recorded');
  `;
  const { stdout } = await run(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
    cwd: ROOT,
    env: { ...process.env, FORCE_COLOR: '1', TS_NODE_TRANSPILE_ONLY: 'true' },
    timeout: 180_000,
  });
  return stdout;
}

describe('log formats', () => {
  it('development defaults to pretty logs, production to JSON', () => {
    expect(loadEnv({ NODE_ENV: 'development' }).LOG_FORMAT).toBe('pretty');
  });

  it('pretty: one coloured line per entry with the message and fields, credentials redacted, no JSON', async () => {
    const out = await logged('pretty');
    const lines = out.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('answer recorded');
    expect(lines[0]).toContain('p-1');
    expect(lines[0]).toContain('[redacted]');
    expect(out).not.toContain('hunter2-secret');
    expect(lines[0]).toContain(`${ESC}[`); // ANSI colour
    expect(() => JSON.parse(lines[0]) as unknown).toThrow();
  });

  it('json: one JSON object per entry, credentials redacted, no colour', async () => {
    const out = await logged('json');
    const lines = out.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]) as Record<string, unknown>;
    expect(entry).toMatchObject({ msg: 'answer recorded', procedure: 'p-1', user: { password: '[redacted]' } });
    expect(out).not.toContain('hunter2-secret');
    expect(out).not.toContain(`${ESC}[`);
  });
});
