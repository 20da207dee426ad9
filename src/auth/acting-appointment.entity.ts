import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * An approver standing in for another approver of the same member state during a period
 * (`validFrom` inclusive, `validTo` exclusive). Revoking keeps the row.
 */
@Entity({ name: 'acting_appointment' })
export class ActingAppointmentEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'member_state', type: 'text' })
  memberState!: string;

  @Column({ name: 'acting_user_id', type: 'uuid' })
  actingUserId!: string;

  @Column({ name: 'for_user_id', type: 'uuid' })
  forUserId!: string;

  @Column({ name: 'valid_from', type: 'timestamptz' })
  validFrom!: Date;

  @Column({ name: 'valid_to', type: 'timestamptz' })
  validTo!: Date;

  @Column({ name: 'appointed_by', type: 'uuid' })
  appointedBy!: string;

  @Column({ type: 'text' })
  reason!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ name: 'revoked_by', type: 'uuid', nullable: true })
  revokedBy!: string | null;
}
