import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Identities and authorisation: users, issued access tokens (so a single token or all of a
 * user's tokens can be revoked), acting-approver appointments and the append-only audit log.
 */
export class Auth1700000002000 implements MigrationInterface {
  name = 'Auth1700000002000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      create table app_user (
        id uuid primary key default gen_random_uuid(),
        email text not null,
        display_name text not null,
        password_hash text not null,
        role text not null,
        member_state text null,
        active boolean not null default true,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint app_user_email_lowercase check (email = lower(email) and email <> ''),
        constraint app_user_role_known check (role in ('legal_officer', 'approver', 'manager', 'admin')),
        constraint app_user_member_state_format check (member_state is null or member_state ~ '^[A-Z]{2}$'),
        -- a member state is what makes an approver: required for approvers, forbidden for everyone else
        constraint app_user_member_state_iff_approver check ((role = 'approver') = (member_state is not null))
      )`);
    await q.query(`create unique index app_user_email_key on app_user (email)`);
    await q.query(`create index app_user_role_state_idx on app_user (role, member_state)`);

    // One row per issued access token (the JWT's jti). Sign-out revokes one row; an admin
    // revocation, a deactivation or a role change revokes every live row of the user.
    await q.query(`
      create table auth_token (
        id uuid primary key,
        user_id uuid not null references app_user (id) on delete cascade,
        issued_at timestamptz not null,
        expires_at timestamptz not null,
        revoked_at timestamptz null,
        revoked_reason text null,
        constraint auth_token_period check (expires_at > issued_at),
        constraint auth_token_revocation check ((revoked_at is null) = (revoked_reason is null))
      )`);
    await q.query(`create index auth_token_user_live_idx on auth_token (user_id, expires_at) where revoked_at is null`);

    await q.query(`
      create table acting_appointment (
        id uuid primary key default gen_random_uuid(),
        member_state text not null,
        acting_user_id uuid not null references app_user (id),
        for_user_id uuid not null references app_user (id),
        valid_from timestamptz not null,
        valid_to timestamptz not null,
        appointed_by uuid not null references app_user (id),
        reason text not null,
        created_at timestamptz not null default now(),
        revoked_at timestamptz null,
        revoked_by uuid null references app_user (id),
        constraint acting_appointment_member_state_format check (member_state ~ '^[A-Z]{2}$'),
        constraint acting_appointment_period check (valid_to > valid_from),
        constraint acting_appointment_distinct_people check (acting_user_id <> for_user_id),
        constraint acting_appointment_reason_given check (btrim(reason) <> ''),
        constraint acting_appointment_revocation check ((revoked_at is null) = (revoked_by is null))
      )`);
    await q.query(
      `create index acting_appointment_acting_idx on acting_appointment (acting_user_id, valid_from) where revoked_at is null`,
    );
    await q.query(
      `create index acting_appointment_for_idx on acting_appointment (for_user_id, valid_from) where revoked_at is null`,
    );

    await q.query(`
      create table audit_log (
        id bigserial primary key,
        at timestamptz not null,
        actor_id uuid null,
        action text not null,
        subject text not null,
        details jsonb not null default '{}'::jsonb,
        ip text null,
        constraint audit_log_action_known check (action in (
          'sign_in', 'sign_in_failed', 'sign_out', 'user_created', 'role_changed',
          'user_deactivated', 'user_reactivated', 'acting_appointed', 'acting_revoked', 'token_revoked'))
      )`);
    await q.query(`create index audit_log_at_idx on audit_log (at)`);
    await q.query(`create index audit_log_subject_idx on audit_log (subject, at)`);
    // The audit log is evidence: rows are added, never changed or removed.
    await q.query(`
      create function audit_log_append_only() returns trigger language plpgsql as $$
      begin
        raise exception 'audit_log is append-only (% refused)', tg_op using errcode = 'insufficient_privilege';
      end
      $$`);
    await q.query(`
      create trigger audit_log_append_only before update or delete on audit_log
      for each row execute function audit_log_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`drop trigger if exists audit_log_append_only on audit_log`);
    await q.query(`drop function if exists audit_log_append_only()`);
    await q.query(`drop table if exists audit_log`);
    await q.query(`drop table if exists acting_appointment`);
    await q.query(`drop table if exists auth_token`);
    await q.query(`drop table if exists app_user`);
  }
}
