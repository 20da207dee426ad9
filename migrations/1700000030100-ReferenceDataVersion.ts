import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A counter of changes to the reference data, bumped by a trigger in the transaction that changes
 * `reference_record` (however it is changed: API, migration, SQL). Every process compares it with
 * the version of its in-memory copy before answering from it, so a member state added through
 * one process is known to every other one as soon as the change has committed.
 */
export class ReferenceDataVersion1700000030100 implements MigrationInterface {
  name = 'ReferenceDataVersion1700000030100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE reference_data_version (
        id boolean PRIMARY KEY DEFAULT true CHECK (id),
        version bigint NOT NULL
      )`);
    await q.query(`INSERT INTO reference_data_version (id, version) VALUES (true, 1)`);
    await q.query(`
      CREATE FUNCTION reference_data_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE reference_data_version SET version = version + 1;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER reference_record_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON reference_record
        FOR EACH STATEMENT EXECUTE FUNCTION reference_data_changed()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER reference_record_changed ON reference_record`);
    await q.query(`DROP FUNCTION reference_data_changed()`);
    await q.query(`DROP TABLE reference_data_version`);
  }
}
