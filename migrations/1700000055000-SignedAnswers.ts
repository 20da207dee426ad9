import type { MigrationInterface, QueryRunner } from 'typeorm';
import { revokeRewrite } from './support/evidence';

/**
 * Signed answers (docs/evidence.md, "Signed answers").
 *
 * - `workflow_event.signature`: the signed statement of a member state's answer (statement, its
 *   hash, the signature and a copy of the public key or WebAuthn credential), written with the
 *   event in the same statement. A statement is used once: a second event carrying the same
 *   statement hash is refused by the unique index.
 * - `signing_key_record`: the approvers' signing keys, as an append-only list of acts
 *   (register, rotate, revoke, confirm). A key's state is read from the acts; no row is ever
 *   changed or deleted, and the database refuses it whatever the caller.
 */
export class SignedAnswers1700000055000 implements MigrationInterface {
  name = 'SignedAnswers1700000055000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE workflow_event ADD COLUMN signature jsonb`);
    await q.query(
      `CREATE UNIQUE INDEX workflow_event_statement_once ON workflow_event ((signature ->> 'statementHash')) WHERE signature IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE signing_key_record (
        id uuid PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        key_id uuid NOT NULL,
        user_id uuid NOT NULL REFERENCES app_user(id),
        action text NOT NULL,
        key jsonb NOT NULL,
        label text,
        replaces uuid,
        reason text,
        by_id uuid NOT NULL REFERENCES app_user(id),
        by_role text NOT NULL,
        at timestamptz NOT NULL,
        statement jsonb NOT NULL,
        endorsement jsonb,
        confirms uuid REFERENCES signing_key_record(id),
        CONSTRAINT signing_key_record_action CHECK (action IN ('register', 'rotate', 'revoke', 'confirm')),
        CONSTRAINT signing_key_record_confirms CHECK ((action = 'confirm') = (confirms IS NOT NULL)),
        CONSTRAINT signing_key_record_revoke_reason CHECK (action <> 'revoke' OR reason IS NOT NULL),
        CONSTRAINT signing_key_record_rotate_replaces CHECK ((action = 'rotate') = (replaces IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX signing_key_record_by_user ON signing_key_record (user_id, seq)`);
    await q.query(`CREATE INDEX signing_key_record_by_key ON signing_key_record (key_id, seq)`);
    await q.query(
      `CREATE UNIQUE INDEX signing_key_record_confirm_once ON signing_key_record (confirms, by_id) WHERE confirms IS NOT NULL`,
    );
    await q.query(
      `CREATE UNIQUE INDEX signing_key_record_registered_once ON signing_key_record (key_id) WHERE action IN ('register', 'rotate')`,
    );
    await q.query(`
      CREATE FUNCTION signing_key_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% rows are append-only: record a revocation instead', TG_TABLE_NAME
          USING ERRCODE = 'restrict_violation';
      END
      $$`);
    await q.query(
      `CREATE TRIGGER signing_key_record_no_change BEFORE UPDATE OR DELETE ON signing_key_record FOR EACH ROW EXECUTE FUNCTION signing_key_append_only()`,
    );
    await q.query(
      `CREATE TRIGGER signing_key_record_no_truncate BEFORE TRUNCATE ON signing_key_record FOR EACH STATEMENT EXECUTE FUNCTION signing_key_append_only()`,
    );
    // Evidence: the service's role appends key records, never rewrites them.
    await revokeRewrite(q, 'signing_key_record');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE signing_key_record`);
    await q.query(`DROP FUNCTION signing_key_append_only()`);
    await q.query(`DROP INDEX workflow_event_statement_once`);
    await q.query(`ALTER TABLE workflow_event DROP COLUMN signature`);
  }
}
