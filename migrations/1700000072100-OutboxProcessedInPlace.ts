import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The relay marks every outbox message processed soon after the engine wrote it (processed_at,
 * attempts, note). When the new version of the row lands on the same page as the old one,
 * PostgreSQL logs only the bytes that changed (the payload, most of the row, is the prefix both
 * share); on a full page it logs the whole new row again. Pages of outbox_message now keep half
 * their room for those versions (fillfactor 50; pages written from now on). Vacuum frees the old
 * versions, and new messages fill the room they leave, so the table does not stay twice as large.
 */
export class OutboxProcessedInPlace1700000072100 implements MigrationInterface {
  name = 'OutboxProcessedInPlace1700000072100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox_message SET (fillfactor = 50)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox_message RESET (fillfactor)`);
  }
}
