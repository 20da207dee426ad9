import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The engine rewrites a procedure's row on every event (snapshot, state_path, status, outcome, seq,
 * last_hash, updated_at). PostgreSQL can make that a HOT update (no index entry written, the new
 * version on the same page) only if no indexed column changes and the page has room. So:
 * - no index of workflow_instance holds updated_at any more: the list ordered by last activity
 *   reads the time of each procedure's last event from the new index on workflow_event (at);
 *   `started_by` and `status` keep an index of their own (the "my procedures" and status filters;
 *   status changes once, when a procedure ends);
 * - (definition_id, state_path) is a prefix of workflow_instance_stage_counts, and (parent_id) of
 *   workflow_instance_child_once: both duplicates are dropped;
 * - pages keep 30 % free for the new versions (fillfactor 70; pages written from now on).
 * The table keeps: its primary key, child_once, partner, stage_counts (state_path and status change
 * only when a procedure changes stage or ends, not on the answers within a stage), and the new
 * starter and status indexes.
 */
export class InstanceHotUpdates1700000061000 implements MigrationInterface {
  name = 'InstanceHotUpdates1700000061000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX workflow_event_at ON workflow_event (at)`);
    await q.query(`DROP INDEX workflow_instance_status_updated`);
    await q.query(`DROP INDEX workflow_instance_started_by`);
    await q.query(`CREATE INDEX workflow_instance_starter ON workflow_instance (started_by)`);
    await q.query(`CREATE INDEX workflow_instance_status ON workflow_instance (status)`);
    await q.query(`DROP INDEX workflow_instance_definition_state`);
    await q.query(`DROP INDEX workflow_instance_parent`);
    await q.query(`ALTER TABLE workflow_instance SET (fillfactor = 70)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE workflow_instance RESET (fillfactor)`);
    await q.query(`CREATE INDEX workflow_instance_parent ON workflow_instance (parent_id) WHERE parent_id IS NOT NULL`);
    await q.query(`CREATE INDEX workflow_instance_definition_state ON workflow_instance (definition_id, state_path)`);
    await q.query(`DROP INDEX workflow_instance_status`);
    await q.query(`DROP INDEX workflow_instance_starter`);
    await q.query(`CREATE INDEX workflow_instance_started_by ON workflow_instance (started_by, updated_at DESC)`);
    await q.query(`CREATE INDEX workflow_instance_status_updated ON workflow_instance (status, updated_at DESC)`);
    await q.query(`DROP INDEX workflow_event_at`);
  }
}
