import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the mail server answered for each notification mail, per recipient: the addresses it
 * accepted and rejected, its final answer (e.g. `250 2.0.0 Ok: queued as 4F2A1`) and the
 * Message-ID the mail went with (a bounce that comes back later names it). Null until a mail was
 * tried.
 */
export class NotificationMailDelivery1700000070000 implements MigrationInterface {
  name = 'NotificationMailDelivery1700000070000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notification ADD COLUMN mail_delivery jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notification DROP COLUMN mail_delivery`);
  }
}
