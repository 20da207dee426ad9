/**
 * The tables that grow with use (events, deadlines, notifications, the outbox, webhook
 * deliveries) are read by the services through a few keys. Each such lookup must find its rows
 * through an index: a lookup that reads the whole table costs nothing in a test and grows with
 * every procedure in production (the deadline a notice is about, and a digest's items, were such
 * lookups). With sequential scans priced out, a plan that still reads a whole table has no index
 * to use. Real migrations, real PostgreSQL.
 */
import { DataSource } from 'typeorm';
import { createFreshDatabase, type TestDatabase } from '../support/databases';

const ID = `'00000000-0000-4000-8000-000000000001'::uuid`;
const AT = `'2026-12-01T00:00:00Z'::timestamptz`;

/** What the services look rows up by (src/): the table and a statement of the same shape. */
const LOOKUPS: [table: string, what: string, sql: string][] = [
  [
    'workflow_event',
    'the events of a procedure',
    `SELECT * FROM workflow_event WHERE instance_id = ${ID} ORDER BY seq`,
  ],
  ['workflow_event', 'one event of a procedure', `SELECT * FROM workflow_event WHERE instance_id = ${ID} AND seq = 3`],
  [
    'deadline',
    'the deadline a notice is about (closed ones too)',
    `SELECT key FROM deadline WHERE instance_id = ${ID} AND opened_by_seq <= 7 ORDER BY opened_by_seq DESC LIMIT 1`,
  ],
  [
    'deadline',
    'the open deadlines of a procedure',
    `SELECT * FROM deadline WHERE instance_id = ${ID} AND status = 'open'`,
  ],
  ['deadline', 'open deadlines by due time', `SELECT * FROM deadline WHERE status = 'open' AND due_at < ${AT}`],
  [
    'notification',
    'the list of a reader',
    `SELECT * FROM notification WHERE user_id = ${ID} ORDER BY created_at DESC, id DESC LIMIT 20`,
  ],
  [
    'notification',
    'the unread count of a reader',
    `SELECT count(*) FROM notification WHERE user_id = ${ID} AND read_at IS NULL`,
  ],
  ['notification', 'the readers of a message', `SELECT * FROM notification WHERE outbox_id = 42`],
  [
    'notification',
    'the items of a digest',
    `SELECT * FROM notification WHERE digest_id = ${ID} ORDER BY created_at, id`,
  ],
  [
    'notification',
    'the items of a digest, marked sent',
    `UPDATE notification SET mail_status = 'sent' WHERE digest_id = ${ID}`,
  ],
  [
    'notification',
    'the rows of a reader waiting for the digest',
    `SELECT 1 FROM notification WHERE user_id = ${ID} AND mail_status = 'digest' AND digest_id IS NULL`,
  ],
  ['notice', 'the notice of a message', `SELECT data FROM notice WHERE outbox_id = 42`],
  [
    'outbox_message',
    'the next messages for the relay',
    `SELECT * FROM outbox_message WHERE processed_at IS NULL AND available_at <= ${AT} ORDER BY id LIMIT 100`,
  ],
  [
    'webhook_delivery',
    'the deliveries of a notification',
    `SELECT * FROM webhook_delivery WHERE notification_id = ${ID}`,
  ],
  [
    'webhook_delivery',
    'pending deliveries',
    `SELECT * FROM webhook_delivery WHERE status = 'pending' AND created_at < ${AT}`,
  ],
];

describe('every lookup of a growing table goes through an index', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    db = await createFreshDatabase();
    ds = await new DataSource({ type: 'postgres', url: db.url, poolSize: 1 }).initialize();
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it.each(LOOKUPS)('%s: %s', async (table, _what, sql) => {
    const runner = ds.createQueryRunner();
    try {
      await runner.query(`BEGIN`);
      await runner.query(`SET LOCAL enable_seqscan = off`);
      const plan = ((await runner.query(`EXPLAIN ${sql}`)) as { 'QUERY PLAN': string }[])
        .map((r) => r['QUERY PLAN'])
        .join('\n');
      expect(plan).toMatch(new RegExp(`(Index|Index Only|Bitmap Heap) Scan.* on ${table}\\b`));
      expect(plan).not.toMatch(new RegExp(`Seq Scan on ${table}\\b`));
    } finally {
      await runner.query(`ROLLBACK`).catch(() => undefined);
      await runner.release();
    }
  });
});
