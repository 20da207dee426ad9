import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A notification row is written for every reader of every notice (the officers of a procedure for
 * each member state's answer), so what each row costs to insert counts. Checked against the
 * queries that read the table (src/deadlines/notifications.service.ts, src/notifications/*): none
 * looks notifications up by procedure, and procedures are never deleted (the record is
 * append-only), so
 * - the index on instance_id serves no query: dropped (one index entry less per row);
 * - the foreign key to workflow_instance checks, for every row, a procedure that the outbox row the
 *   notice comes from already references with a foreign key of its own, and takes a key-share lock
 *   on that procedure's row, which the next answer's transaction holds for update: dropped (the
 *   relay no longer waits on answers in progress, nor runs a check per row).
 * The key to the reader (ON DELETE CASCADE) and every index a reader's query uses stay.
 */
export class NotificationWriteCost1700000071000 implements MigrationInterface {
  name = 'NotificationWriteCost1700000071000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX notification_instance`);
    await q.query(`ALTER TABLE notification DROP CONSTRAINT notification_instance_id_fkey`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE notification ADD CONSTRAINT notification_instance_id_fkey FOREIGN KEY (instance_id) REFERENCES workflow_instance(id)`,
    );
    await q.query(`CREATE INDEX notification_instance ON notification (instance_id) WHERE instance_id IS NOT NULL`);
  }
}
