import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const REFERENCE_KINDS = ['member_state', 'partner', 'treaty', 'body'] as const;
export type ReferenceKind = (typeof REFERENCE_KINDS)[number];

export function isReferenceKind(value: unknown): value is ReferenceKind {
  return typeof value === 'string' && (REFERENCE_KINDS as readonly string[]).includes(value);
}

/**
 * One version of one reference record (table `reference_record`, see
 * migrations/1700000001000-ReferenceData.ts). Versions are append-only: the
 * only change ever made to a stored row is closing it (`validTo`) when the
 * next version is recorded. `data` is the whole record as in the reference
 * files (snake_case fields, names en/ru/zh, dates with their precision,
 * memorandum, sources); null there means "not confirmed".
 */
@Entity({ name: 'reference_record' })
export class ReferenceRecord {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  kind!: ReferenceKind;

  @Column({ type: 'text' })
  code!: string;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ name: 'valid_from', type: 'timestamptz' })
  validFrom!: Date;

  @Column({ name: 'valid_to', type: 'timestamptz', nullable: true })
  validTo!: Date | null;

  @Column({ type: 'jsonb' })
  data!: Record<string, unknown>;

  @Column({ name: 'recorded_by', type: 'text' })
  recordedBy!: string;

  @Column({ name: 'recorded_at', type: 'timestamptz', update: false, default: () => 'now()' })
  recordedAt!: Date;

  @Column({ type: 'text', nullable: true })
  note!: string | null;

  /** Who ended the record with this version (no successor), when it ended; null otherwise. */
  @Column({ name: 'ended_by', type: 'text', nullable: true })
  endedBy!: string | null;

  /** Why the record ended with this version, on which source. */
  @Column({ name: 'end_note', type: 'text', nullable: true })
  endNote!: string | null;
}
