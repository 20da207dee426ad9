import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A daily digest reads its items and marks them sent by `digest_id`
 * (`NotificationMailService.sendDigest`), and marks them failed or refused the same way. No index
 * held `digest_id`, so each digest read and updated by a scan of every notification: once per
 * reader and day, over a table that only grows. The index holds only the rows ever put in a
 * digest.
 */
export class NotificationDigestItems1700000072300 implements MigrationInterface {
  name = 'NotificationDigestItems1700000072300';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX notification_digest_items ON notification (digest_id) WHERE digest_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX notification_digest_items`);
  }
}
