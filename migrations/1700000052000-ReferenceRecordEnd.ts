import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A record can end without a successor (a member state ceases to be a member): its last version is
 * closed (`valid_to`) and who ended it and why are kept on that version, so the reference history
 * says why the record stops as it says why each version starts.
 */
export class ReferenceRecordEnd1700000052000 implements MigrationInterface {
  name = 'ReferenceRecordEnd1700000052000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE reference_record ADD COLUMN ended_by text NULL, ADD COLUMN end_note text NULL`);
    await q.query(
      `ALTER TABLE reference_record ADD CONSTRAINT reference_record_end_check
         CHECK ((ended_by IS NULL AND end_note IS NULL) OR (valid_to IS NOT NULL AND ended_by IS NOT NULL AND end_note IS NOT NULL))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE reference_record DROP CONSTRAINT reference_record_end_check`);
    await q.query(`ALTER TABLE reference_record DROP COLUMN ended_by, DROP COLUMN end_note`);
  }
}
