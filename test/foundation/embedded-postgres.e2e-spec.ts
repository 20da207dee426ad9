import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { freePort } from '../../src/infra/net';
import { resolvePostgres } from '../../src/infra/postgres-resolver';
import { withPg } from '../setup/test-infra';

const quiet = { log: () => undefined, warn: () => undefined, debug: () => undefined };

describe('embedded PostgreSQL fallback', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'amendflow-embedded-'));

  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts when nothing answers on the local port, initialises once and reuses its data', async () => {
    const closedPort = await freePort(); // nothing listens there
    const first = await resolvePostgres({ localPort: closedPort, dataDir, logger: quiet });
    try {
      expect(first.kind).toBe('embedded');
      expect(first.describe).toMatch(/^embedded 127\.0\.0\.1:\d+\/amendflow$/);
      expect(first.describe).not.toContain(new URL(first.url).password);
      expect(existsSync(path.join(dataDir, 'pg', 'PG_VERSION'))).toBe(true);
      await withPg(first.url, async (c) => {
        expect((await c.query('select 1 as one')).rows[0].one).toBe(1);
        await c.query('create table kept_across_restarts(id int)');
      });
    } finally {
      await first.stop();
    }

    const second = await resolvePostgres({ localPort: closedPort, dataDir, logger: quiet });
    try {
      expect(second.kind).toBe('embedded');
      await withPg(second.url, async (c) => {
        const r = await c.query(`select to_regclass('kept_across_restarts') is not null as kept`);
        expect(r.rows[0].kept).toBe(true);
      });
    } finally {
      await second.stop();
    }
  });
});
