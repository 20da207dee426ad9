import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A legal officer can hide an abusive comment from the views and show it again. Comments are
 * append-only, so hiding is a record of its own (who, when, why, hide or show), never a change of
 * the comment: the original stays for the record. The latest record of a comment decides.
 */
export class CommentModeration1700000010100 implements MigrationInterface {
  name = 'CommentModeration1700000010100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE draft_comment_moderation (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        comment_id uuid NOT NULL REFERENCES draft_comment(id),
        action text NOT NULL CHECK (action IN ('hide', 'show')),
        reason text NOT NULL,
        actor_id text NOT NULL,
        at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX draft_comment_moderation_comment ON draft_comment_moderation (comment_id, seq DESC)`);
    await q.query(`
      CREATE TRIGGER draft_comment_moderation_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON draft_comment_moderation
        FOR EACH STATEMENT EXECUTE FUNCTION draft_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE draft_comment_moderation`);
  }
}
