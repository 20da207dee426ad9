import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A member state's comment on a draft version carries its signed statement
 * (docs/evidence.md, "Signed answers"), written in the same INSERT as the comment; a statement is
 * used once. `draft_comment` stays append-only (its trigger refuses UPDATE and DELETE).
 */
export class SignedComments1700000055100 implements MigrationInterface {
  name = 'SignedComments1700000055100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE draft_comment ADD COLUMN signature jsonb`);
    await q.query(
      `CREATE UNIQUE INDEX draft_comment_statement_once ON draft_comment ((signature ->> 'statementHash')) WHERE signature IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX draft_comment_statement_once`);
    await q.query(`ALTER TABLE draft_comment DROP COLUMN signature`);
  }
}
