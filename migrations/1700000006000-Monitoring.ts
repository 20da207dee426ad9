import type { MigrationInterface, QueryRunner } from 'typeorm';
import { queryRows } from '../src/infra/sql';
import { awaitedAnswers } from '../workflows/kernel/awaited';

/**
 * Read models the engine keeps in the event's transaction, for the managers' dashboard and the
 * approvers' inboxes: each visit of an instance to a stage (time spent per stage), and which
 * member states owe an answer now and since when (who is holding a procedure up).
 */
export class Monitoring1700000006000 implements MigrationInterface {
  name = 'Monitoring1700000006000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE stage_visit (
        id bigserial PRIMARY KEY,
        instance_id uuid NOT NULL REFERENCES workflow_instance(id),
        definition_id text NOT NULL,
        state_path text NOT NULL,
        entered_at timestamptz NOT NULL,
        entered_seq int NOT NULL,
        left_at timestamptz,
        left_seq int
      )`);
    await q.query(`CREATE UNIQUE INDEX stage_visit_current ON stage_visit (instance_id) WHERE left_at IS NULL`);
    await q.query(
      `CREATE INDEX stage_visit_done ON stage_visit (definition_id, state_path) INCLUDE (entered_at, left_at) WHERE left_at IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE awaiting_answer (
        instance_id uuid NOT NULL REFERENCES workflow_instance(id),
        member_state text NOT NULL,
        question text NOT NULL CHECK (question IN ('position', 'comments')),
        round int NOT NULL,
        draft_version int NOT NULL,
        since timestamptz NOT NULL,
        PRIMARY KEY (instance_id, member_state)
      )`);
    await q.query(`CREATE INDEX awaiting_answer_state ON awaiting_answer (member_state, since)`);
    await q.query(`CREATE INDEX workflow_instance_started_by ON workflow_instance (started_by, updated_at DESC)`);
    // Counts by procedure, stage and status for the dashboard, answered from the index alone.
    await q.query(
      `CREATE INDEX workflow_instance_stage_counts ON workflow_instance (definition_id, state_path, status)`,
    );

    // Backfill from the history and the snapshots already stored.
    await q.query(`
      INSERT INTO stage_visit (instance_id, definition_id, state_path, entered_at, entered_seq, left_at, left_seq)
      SELECT e.instance_id, i.definition_id, e.state_after, e.at, e.seq,
             lead(e.at) OVER w, lead(e.seq) OVER w
      FROM (SELECT instance_id, seq, at, state_after, state_before FROM workflow_event
            WHERE state_before IS NULL OR state_before <> state_after) e
      JOIN workflow_instance i ON i.id = e.instance_id
      WINDOW w AS (PARTITION BY e.instance_id ORDER BY e.seq)`);
    const active = await queryRows<{ id: string; context: unknown }>(
      q,
      `SELECT id, snapshot -> 'context' AS context FROM workflow_instance WHERE status = 'active'`,
    );
    for (const row of active) {
      const a = awaitedAnswers(row.context);
      for (const s of a?.pending ?? [])
        await q.query(
          `INSERT INTO awaiting_answer (instance_id, member_state, question, round, draft_version, since) VALUES ($1,$2,$3,$4,$5,$6)`,
          [row.id, s, a!.kind, a!.round, a!.draftVersion, a!.since],
        );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX workflow_instance_stage_counts`);
    await q.query(`DROP INDEX workflow_instance_started_by`);
    await q.query(`DROP TABLE awaiting_answer`);
    await q.query(`DROP TABLE stage_visit`);
  }
}
