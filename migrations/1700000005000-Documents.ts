import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Drafts that keep every version: one document per procedure instance, numbered versions with
 * their articles in the three languages, and comments. Everything here is append-only: a
 * version, its articles and a comment are never changed or deleted once written, and the
 * database refuses it too (trigger), so no code path can overwrite a version.
 *
 * Language freshness: for each article and language, the version in which that text last
 * changed (`updated_*_at_version`), and the languages that are out of date in this version
 * (`out_of_date`: an authentic text (ru/zh) edited without the other, or English, the working
 * text, not updated after an authentic edit). `confirmed` records languages the version's author
 * confirmed as still matching without changing them.
 */
export class Documents1700000005000 implements MigrationInterface {
  name = 'Documents1700000005000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE draft_document (
        id uuid PRIMARY KEY,
        instance_id uuid NOT NULL REFERENCES workflow_instance(id),
        title jsonb NOT NULL,
        source_kind text NOT NULL,
        source_ref text,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL,
        CONSTRAINT draft_document_one_per_instance UNIQUE (instance_id),
        CONSTRAINT draft_document_source_kind CHECK (source_kind IN ('regulation', 'model_memorandum', 'memorandum', 'blank')),
        CONSTRAINT draft_document_title_languages CHECK (jsonb_typeof(title) = 'object' AND title ?& array['en', 'ru', 'zh'])
      )`);

    await q.query(`
      CREATE TABLE draft_version (
        id uuid PRIMARY KEY,
        document_id uuid NOT NULL REFERENCES draft_document(id),
        number int NOT NULL CHECK (number >= 1),
        author_id text NOT NULL,
        author_role text NOT NULL,
        note text NOT NULL,
        created_at timestamptz NOT NULL,
        based_on int,
        content_hash text NOT NULL,
        CONSTRAINT draft_version_number UNIQUE (document_id, number),
        CONSTRAINT draft_version_based_on_earlier CHECK (based_on IS NULL OR (based_on >= 1 AND based_on < number))
      )`);

    await q.query(`
      CREATE TABLE draft_article (
        version_id uuid NOT NULL REFERENCES draft_version(id),
        article_id uuid NOT NULL,
        position int NOT NULL CHECK (position >= 1),
        number text NOT NULL,
        text_ru text NOT NULL,
        text_zh text NOT NULL,
        text_en text NOT NULL,
        updated_ru_at_version int NOT NULL,
        updated_zh_at_version int NOT NULL,
        updated_en_at_version int NOT NULL,
        out_of_date text[] NOT NULL DEFAULT '{}',
        confirmed text[] NOT NULL DEFAULT '{}',
        PRIMARY KEY (version_id, article_id),
        CONSTRAINT draft_article_position UNIQUE (version_id, position),
        CONSTRAINT draft_article_number UNIQUE (version_id, number),
        CONSTRAINT draft_article_languages CHECK (out_of_date <@ array['ru', 'zh', 'en'] AND confirmed <@ array['ru', 'zh', 'en'])
      )`);
    await q.query(`CREATE INDEX draft_article_by_article ON draft_article (article_id)`);

    await q.query(`
      CREATE TABLE draft_comment (
        id uuid PRIMARY KEY,
        -- the order comments were made in (several can share one timestamp)
        seq bigint GENERATED ALWAYS AS IDENTITY,
        document_id uuid NOT NULL,
        version_number int NOT NULL,
        article_id uuid,
        author_id text NOT NULL,
        author_role text NOT NULL,
        member_state text,
        acting_for text,
        text text NOT NULL,
        created_at timestamptz NOT NULL,
        CONSTRAINT draft_comment_version FOREIGN KEY (document_id, version_number) REFERENCES draft_version(document_id, number)
      )`);
    await q.query(`CREATE INDEX draft_comment_by_version ON draft_comment (document_id, version_number, seq)`);

    // Append-only, enforced by the database: UPDATE, DELETE and TRUNCATE are refused whatever the caller.
    await q.query(`
      CREATE FUNCTION draft_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% rows are append-only: draft versions are immutable; save a new version', TG_TABLE_NAME
          USING ERRCODE = 'restrict_violation';
      END
      $$`);
    for (const table of ['draft_document', 'draft_version', 'draft_article', 'draft_comment']) {
      await q.query(
        `CREATE TRIGGER ${table}_no_change BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION draft_append_only()`,
      );
      await q.query(
        `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION draft_append_only()`,
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE draft_comment`);
    await q.query(`DROP TABLE draft_article`);
    await q.query(`DROP TABLE draft_version`);
    await q.query(`DROP TABLE draft_document`);
    await q.query(`DROP FUNCTION draft_append_only()`);
  }
}
