import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A processed outbox message may carry a note on what its handler decided instead of doing the
 * work, e.g. a child procedure not opened because one is already open for the same memorandum.
 */
export class OutboxNote1700000040000 implements MigrationInterface {
  name = 'OutboxNote1700000040000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox_message ADD COLUMN note text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE outbox_message DROP COLUMN note`);
  }
}
