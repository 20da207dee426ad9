import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every notice the relay stores names the deadline it is about: the procedure's deadline opened
 * at or before the notice's event and open at it, or the one the event itself names
 * (`NotificationsService.contextsOf`). The only index of `deadline` by procedure covered open
 * deadlines (`deadline_open_key`), so that lookup, which must also see closed ones, read the whole
 * table once per notice: about 2.5 ms per notice with 1,800 deadlines, and linear in the number of
 * procedures. This index serves it (and any other read of a procedure's deadlines) in a few index
 * pages: the newest deadline opened at or before the event, backwards.
 */
export class DeadlineByProcedure1700000072200 implements MigrationInterface {
  name = 'DeadlineByProcedure1700000072200';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX deadline_instance_opened ON deadline (instance_id, opened_by_seq)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX deadline_instance_opened`);
  }
}
