import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const AUDIT_ACTIONS = [
  'sign_in',
  'sign_in_failed',
  'sign_out',
  'user_created',
  'role_changed',
  'user_deactivated',
  'user_reactivated',
  'acting_appointed',
  'acting_revoked',
  'token_revoked',
  'password_changed',
  'password_reset_issued',
  'password_reset',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** Append-only (a trigger refuses updates and deletes). */
@Entity({ name: 'audit_log' })
export class AuditLogEntity {
  /** bigserial: pg returns it as a string. */
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'timestamptz' })
  at!: Date;

  @Column({ name: 'actor_id', type: 'uuid', nullable: true })
  actorId!: string | null;

  @Column({ type: 'text' })
  action!: AuditAction;

  /** What the action was about, e.g. `user:<id>`, `email:<address>`, `acting_appointment:<id>`. */
  @Column({ type: 'text' })
  subject!: string;

  @Column({ type: 'jsonb', default: () => `'{}'::jsonb` })
  details!: Record<string, unknown>;

  @Column({ type: 'text', nullable: true })
  ip!: string | null;
}
