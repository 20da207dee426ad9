import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Links between a finding of a 1(a) analysis and the 1(c), 1(d) or 1(e) procedure opened for it.
 * A link is a recorded fact, not a change of stage: it is made from either side at any time,
 * a closed procedure included, and each link is also an event (`$finding_linked`) in the history
 * of the procedures it joins. The rows are append-only (a trigger refuses UPDATE, DELETE and
 * TRUNCATE). Links recorded in a 1(a) snapshot before this table existed are copied in.
 */
export class FindingLinks1700000054000 implements MigrationInterface {
  name = 'FindingLinks1700000054000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE finding_link (
        analysis_id uuid NOT NULL REFERENCES workflow_instance(id),
        finding_id text NOT NULL,
        procedure_id uuid NOT NULL REFERENCES workflow_instance(id),
        memorandum_id text NULL,
        finding_text text NOT NULL,
        linked_by text NOT NULL,
        linked_at timestamptz NOT NULL,
        linked_from text NOT NULL,
        CONSTRAINT finding_link_pk PRIMARY KEY (analysis_id, finding_id, procedure_id),
        CONSTRAINT finding_link_from_check CHECK (linked_from IN ('analysis', 'procedure', 'start'))
      )`);
    await q.query(`CREATE INDEX finding_link_procedure_idx ON finding_link (procedure_id)`);
    await q.query(`
      CREATE FUNCTION finding_link_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'finding_link rows are append-only: a link, once recorded, stays';
      END $$`);
    await q.query(
      `CREATE TRIGGER finding_link_no_change BEFORE UPDATE OR DELETE ON finding_link FOR EACH ROW EXECUTE FUNCTION finding_link_append_only()`,
    );
    await q.query(
      `CREATE TRIGGER finding_link_no_truncate BEFORE TRUNCATE ON finding_link FOR EACH STATEMENT EXECUTE FUNCTION finding_link_append_only()`,
    );
    // Links the 1(a) machine kept in its context (LINK_FINDING while the analysis was open).
    await q.query(`
      INSERT INTO finding_link (analysis_id, finding_id, procedure_id, memorandum_id, finding_text, linked_by, linked_at, linked_from)
      SELECT i.id, l->>'findingId', (l->>'instanceId')::uuid, a->>'memorandumId', f->>'text', l->>'by', (l->>'at')::timestamptz, 'analysis'
        FROM workflow_instance i
        CROSS JOIN LATERAL jsonb_array_elements(coalesce(i.snapshot->'context'->'links', '[]'::jsonb)) AS l
        CROSS JOIN LATERAL jsonb_each(coalesce(i.snapshot->'context'->'assessments', '{}'::jsonb)) AS x(k, a)
        CROSS JOIN LATERAL jsonb_array_elements(coalesce(a->'findings', '[]'::jsonb)) AS f
       WHERE i.definition_id = 'implementation-analysis'
         AND f->>'id' = l->>'findingId'
         AND EXISTS (SELECT 1 FROM workflow_instance p WHERE p.id::text = l->>'instanceId')
      ON CONFLICT DO NOTHING`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE finding_link`);
    await q.query(`DROP FUNCTION finding_link_append_only()`);
  }
}
