import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One-time password reset links issued by administrators (only a hash of the token is stored),
 * and the audit actions of password changes and resets.
 */
export class PasswordResets1700000020000 implements MigrationInterface {
  name = 'PasswordResets1700000020000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table password_reset (
        id uuid primary key default gen_random_uuid(),
        user_id uuid not null references app_user (id) on delete cascade,
        token_hash text not null unique,
        issued_by uuid null references app_user (id),
        issued_at timestamptz not null,
        expires_at timestamptz not null,
        used_at timestamptz null,
        constraint password_reset_period check (expires_at > issued_at)
      )`);
    await q.query(`create index password_reset_user_open_idx on password_reset (user_id) where used_at is null`);
    await q.query(`alter table audit_log drop constraint audit_log_action_known`);
    await q.query(`
      alter table audit_log add constraint audit_log_action_known check (action in (
        'sign_in', 'sign_in_failed', 'sign_out', 'user_created', 'role_changed',
        'user_deactivated', 'user_reactivated', 'acting_appointed', 'acting_revoked', 'token_revoked',
        'password_changed', 'password_reset_issued', 'password_reset'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`alter table audit_log drop constraint audit_log_action_known`);
    await q.query(`
      alter table audit_log add constraint audit_log_action_known check (action in (
        'sign_in', 'sign_in_failed', 'sign_out', 'user_created', 'role_changed',
        'user_deactivated', 'user_reactivated', 'acting_appointed', 'acting_revoked', 'token_revoked')) not valid`);
    await q.query(`drop table if exists password_reset`);
  }
}
