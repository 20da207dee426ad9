import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { UserRole } from '../common/roles';

@Entity({ name: 'app_user' })
export class UserEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Always stored lower-case (a check constraint enforces it). */
  @Column({ type: 'text' })
  email!: string;

  @Column({ name: 'display_name', type: 'text' })
  displayName!: string;

  @Column({ name: 'password_hash', type: 'text', select: false })
  passwordHash!: string;

  @Column({ type: 'text' })
  role!: UserRole;

  /** Set for approvers only (check constraint): the state whose positions they record. */
  @Column({ name: 'member_state', type: 'text', nullable: true })
  memberState!: string | null;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  /** Both timestamps come from the application clock, not the database's `now()`. */
  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
