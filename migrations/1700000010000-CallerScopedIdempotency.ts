import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotency keys belong to the caller who sent them (user id plus the acting-for identity);
 * the system's keys (deadline jobs, child relay, migrations) live in a scope of their own that
 * no caller can reach, because a caller's scope is derived from their identity, not from the
 * key. Two callers sending the same key on one procedure both apply; a caller who sends a
 * deadline job's id as their key no longer collides with the job's event.
 *
 * `deadline_refusal` records each deadline event the engine refused to take (the procedure
 * moved on, closed, ...), with a reason code, so no reminder or deadline is dropped unrecorded.
 */
export class CallerScopedIdempotency1700000010000 implements MigrationInterface {
  name = 'CallerScopedIdempotency1700000010000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX workflow_event_idempotency`);
    await q.query(`
      CREATE UNIQUE INDEX workflow_event_idempotency_scoped ON workflow_event (
        instance_id,
        (CASE WHEN actor_role = 'system' THEN 'system' ELSE 'user:' || actor_id || '/' || coalesce(acting_for, '') END),
        idempotency_key
      ) WHERE idempotency_key IS NOT NULL`);

    await q.query(`ALTER TABLE idempotency_record ADD COLUMN scope text`);
    await q.query(
      `UPDATE idempotency_record SET scope = CASE WHEN actor_id = 'system' THEN 'system' ELSE 'user:' || actor_id || '/' END`,
    );
    await q.query(`ALTER TABLE idempotency_record ALTER COLUMN scope SET NOT NULL`);
    await q.query(`ALTER TABLE idempotency_record DROP CONSTRAINT idempotency_record_pkey`);
    await q.query(`ALTER TABLE idempotency_record ADD PRIMARY KEY (scope, key)`);

    await q.query(`
      CREATE TABLE deadline_refusal (
        job_id text PRIMARY KEY,
        deadline_id uuid NOT NULL,
        instance_id uuid NOT NULL REFERENCES workflow_instance(id),
        event_type text NOT NULL,
        reason text NOT NULL,
        message text NOT NULL,
        at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX deadline_refusal_instance ON deadline_refusal (instance_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE deadline_refusal`);
    await q.query(`DELETE FROM idempotency_record WHERE scope LIKE 'user:%/_%'`);
    await q.query(`ALTER TABLE idempotency_record DROP CONSTRAINT idempotency_record_pkey`);
    await q.query(`ALTER TABLE idempotency_record DROP COLUMN scope`);
    await q.query(`ALTER TABLE idempotency_record ADD PRIMARY KEY (actor_id, key)`);
    await q.query(`DROP INDEX workflow_event_idempotency_scoped`);
    await q.query(
      `CREATE UNIQUE INDEX workflow_event_idempotency ON workflow_event (instance_id, idempotency_key) WHERE idempotency_key IS NOT NULL`,
    );
  }
}
