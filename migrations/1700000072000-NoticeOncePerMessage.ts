import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A notice's words and context are the same for every reader it reaches (a member state's answer
 * reaches each officer of the procedure; a reminder each approver of a state), but each
 * notification row carried its own copy of them: about 1.1 KB of `data` (the procedure's title,
 * stage and deadline, in three languages) per reader and per notice. They are now stored once per
 * outbox message in `notice`; a notification row keeps what is the reader's own (read, mail,
 * digest) and the short subject. Readers' queries read `data` from `notice` by the notification's
 * outbox_id (the primary key).
 *
 * No foreign key from notification to notice: the relay writes a message's notice and its
 * notification rows in one statement, notices are never deleted, and a key would lock the notice
 * row once per reader. A notification whose notice is missing reads as having no context (`{}`).
 */
export class NoticeOncePerMessage1700000072000 implements MigrationInterface {
  name = 'NoticeOncePerMessage1700000072000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE notice (
        outbox_id bigint PRIMARY KEY,
        data jsonb NOT NULL
      )`);
    await q.query(
      `INSERT INTO notice (outbox_id, data)
       SELECT DISTINCT ON (outbox_id) outbox_id, data FROM notification ORDER BY outbox_id, created_at, id`,
    );
    await q.query(`ALTER TABLE notification DROP COLUMN data`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notification ADD COLUMN data jsonb NOT NULL DEFAULT '{}'::jsonb`);
    await q.query(`UPDATE notification n SET data = m.data FROM notice m WHERE m.outbox_id = n.outbox_id`);
    await q.query(`DROP TABLE notice`);
  }
}
