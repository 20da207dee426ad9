import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE, EVIDENCE_FUNCTION, dropEvidenceTable, makeEvidenceTable, revokeRewrite } from './support/evidence';

/** Evidence tables whose append-only trigger was created earlier (drafts, comment moderation, audit log). */
const ALREADY_GUARDED = [
  'draft_document',
  'draft_version',
  'draft_article',
  'draft_comment',
  'draft_comment_moderation',
  'audit_log',
];

/**
 * The record cannot be rewritten silently: the history of every procedure (`workflow_event`)
 * becomes append-only in the database like the drafts already are, and the service gets a role
 * of its own, `amendflow_app`, that may read and append but never update or delete evidence.
 *
 * Roles belong to the whole cluster (several databases may share it), so the role is created only
 * when missing; its privileges belong to this database. Tables created later by the migrations'
 * owner are granted to the role by default privileges; a later evidence table takes them back
 * with `makeEvidenceTable` (migrations/support/evidence.ts). The role has no password here: an
 * operator sets one (`ALTER ROLE amendflow_app PASSWORD ...`) and connects the service with it.
 */
export class AppendOnlyEvidence1700000050000 implements MigrationInterface {
  name = 'AppendOnlyEvidence1700000050000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION ${EVIDENCE_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% rows are evidence and append-only: % refused', TG_TABLE_NAME, TG_OP
          USING ERRCODE = 'restrict_violation',
                HINT = 'Record a correction as a new event; nothing in the record is changed or removed.';
      END
      $$`);
    await q.query(`
      DO $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN
          CREATE ROLE ${APP_ROLE} LOGIN;
        END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL; -- created meanwhile by a migration of another database of the cluster
      END
      $$`);
    await q.query(`
      DO $$
      BEGIN
        EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO ${APP_ROLE}', current_database());
      END
      $$`);
    await q.query(`GRANT USAGE ON SCHEMA public TO ${APP_ROLE}`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${APP_ROLE}`);
    await q.query(`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO ${APP_ROLE}`);
    await q.query(
      `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${APP_ROLE}`,
    );
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO ${APP_ROLE}`);
    // The service reads which migrations ran; it never records one (migrations run as the owner).
    await q.query(`REVOKE INSERT, UPDATE, DELETE ON migrations FROM ${APP_ROLE}`);

    await makeEvidenceTable(q, 'workflow_event');
    for (const table of ALREADY_GUARDED) await revokeRewrite(q, table);
  }

  async down(q: QueryRunner): Promise<void> {
    await dropEvidenceTable(q, 'workflow_event');
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM ${APP_ROLE}`);
    await q.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM ${APP_ROLE}`);
    await q.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${APP_ROLE}`);
    await q.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${APP_ROLE}`);
    await q.query(`REVOKE USAGE ON SCHEMA public FROM ${APP_ROLE}`);
    await q.query(`
      DO $$
      BEGIN
        EXECUTE format('REVOKE CONNECT, TEMPORARY ON DATABASE %I FROM ${APP_ROLE}', current_database());
      END
      $$`);
    await q.query(`DROP FUNCTION ${EVIDENCE_FUNCTION}()`);
  }
}
