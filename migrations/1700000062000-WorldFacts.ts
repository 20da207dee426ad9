import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dropEvidenceTable, makeEvidenceTable } from './support/evidence';

/**
 * The facts an event's machine was handed that are shared by many events (member states,
 * memoranda, bodies, the treaty's Parties) are stored once, under the SHA-256 of their JSON text,
 * in `world_facts`; the event names them (`world_facts`) and keeps in `world` only what is its
 * instance's own (the draft's versions and authors). Until this migration every event carried the
 * whole set (~1.5 KB), rewritten with each answer. Events recorded before keep their full `world`
 * and no `world_facts`; readers take either.
 *
 * `world_facts` is evidence: append-only, like the events that name it.
 */
export class WorldFacts1700000062000 implements MigrationInterface {
  name = 'WorldFacts1700000062000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE world_facts (
        hash text PRIMARY KEY CHECK (hash ~ '^[0-9a-f]{64}$'),
        facts jsonb NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now()
      )`);
    await makeEvidenceTable(q, 'world_facts');
    await q.query(`ALTER TABLE workflow_event ADD COLUMN world_facts text REFERENCES world_facts (hash)`);
  }

  async down(q: QueryRunner): Promise<void> {
    // the full facts back into each event that named them, so nothing is lost
    await q.query(`ALTER TABLE workflow_event DISABLE TRIGGER USER`);
    await q.query(
      `UPDATE workflow_event e SET world = f.facts || jsonb_build_object('draft', coalesce(e.world -> 'draft', 'null'::jsonb))
         FROM world_facts f WHERE f.hash = e.world_facts`,
    );
    await q.query(`ALTER TABLE workflow_event ENABLE TRIGGER USER`);
    await q.query(`ALTER TABLE workflow_event DROP COLUMN world_facts`);
    await dropEvidenceTable(q, 'world_facts');
    await q.query(`DROP TABLE world_facts`);
  }
}
