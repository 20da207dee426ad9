import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE, revokeRewrite } from './support/evidence';

/**
 * Each event keeps the facts the machine was handed with it (`world`: member states, memoranda,
 * bodies, the draft's versions and authors, the treaty's Parties), so that replaying the record
 * gives the machine exactly what it saw, years later and without the reference data of the day.
 * Events recorded before this column existed have none; the replay derives their facts from the
 * versioned reference data, as before.
 *
 * The finding links (an evidence table created before the rule of 1700000050000 reached it) lose
 * UPDATE, DELETE and TRUNCATE for the service's role too.
 */
export class EventWorld1700000058000 implements MigrationInterface {
  name = 'EventWorld1700000058000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE workflow_event ADD COLUMN world jsonb`);
    await revokeRewrite(q, 'finding_link');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`GRANT UPDATE, DELETE, TRUNCATE ON finding_link TO ${APP_ROLE}`);
    await q.query(`ALTER TABLE workflow_event DROP COLUMN world`);
  }
}
