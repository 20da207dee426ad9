import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every API process keeps the answer of the token check (is the token revoked, the user's role,
 * member state and active flag) for a short while. These triggers tell every process, on the
 * channel `auth_changed`, the moment a token is revoked or a user's access changes: the NOTIFY is
 * part of the changing transaction, so it is delivered on commit and never for a rollback, whatever
 * code (or hand-written SQL) made the change. Payload: `t:<token id>` or `u:<user id>`.
 */
export class TokenChangeNotify1700000060000 implements MigrationInterface {
  name = 'TokenChangeNotify1700000060000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION auth_token_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('auth_changed', 't:' || OLD.id::text);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION app_user_access_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('auth_changed', 'u:' || OLD.id::text);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER auth_token_changed AFTER UPDATE OR DELETE ON auth_token
        FOR EACH ROW EXECUTE FUNCTION auth_token_changed()`);
    await q.query(`
      CREATE TRIGGER app_user_access_changed AFTER UPDATE OF role, member_state, active, password_hash ON app_user
        FOR EACH ROW EXECUTE FUNCTION app_user_access_changed()`);
    await q.query(`
      CREATE TRIGGER app_user_deleted AFTER DELETE ON app_user
        FOR EACH ROW EXECUTE FUNCTION app_user_access_changed()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER app_user_deleted ON app_user`);
    await q.query(`DROP TRIGGER app_user_access_changed ON app_user`);
    await q.query(`DROP TRIGGER auth_token_changed ON auth_token`);
    await q.query(`DROP FUNCTION app_user_access_changed()`);
    await q.query(`DROP FUNCTION auth_token_changed()`);
  }
}
