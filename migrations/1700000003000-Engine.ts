import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The workflow engine's storage: instances (persisted XState snapshots), their append-only,
 * hash-chained events, deadlines, the transactional outbox, idempotency records and the audit of
 * definition migrations.
 */
export class Engine1700000003000 implements MigrationInterface {
  name = 'Engine1700000003000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE workflow_instance (
        id uuid PRIMARY KEY,
        definition_id text NOT NULL,
        definition_version int NOT NULL,
        snapshot jsonb NOT NULL,
        state_path text NOT NULL,
        status text NOT NULL CHECK (status IN ('active', 'done')),
        outcome text,
        partner text,
        memorandum text,
        treaty text,
        subject text NOT NULL,
        parent_id uuid REFERENCES workflow_instance(id),
        parent_key text,
        started_by text NOT NULL,
        seq int NOT NULL,
        last_hash text NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT workflow_instance_child_once UNIQUE (parent_id, parent_key)
      )`);
    await q.query(`CREATE INDEX workflow_instance_definition_state ON workflow_instance (definition_id, state_path)`);
    await q.query(`CREATE INDEX workflow_instance_status_updated ON workflow_instance (status, updated_at DESC)`);
    await q.query(`CREATE INDEX workflow_instance_partner ON workflow_instance (partner) WHERE partner IS NOT NULL`);
    await q.query(`CREATE INDEX workflow_instance_parent ON workflow_instance (parent_id) WHERE parent_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE workflow_event (
        id bigserial PRIMARY KEY,
        instance_id uuid NOT NULL REFERENCES workflow_instance(id),
        seq int NOT NULL,
        type text NOT NULL,
        payload jsonb NOT NULL,
        actor_id text NOT NULL,
        actor_role text NOT NULL,
        actor_member_state text,
        acting_for text,
        idempotency_key text,
        definition_version int NOT NULL,
        state_before text,
        state_after text NOT NULL,
        at timestamptz NOT NULL,
        prev_hash text NOT NULL,
        hash text NOT NULL,
        CONSTRAINT workflow_event_seq UNIQUE (instance_id, seq)
      )`);
    await q.query(
      `CREATE UNIQUE INDEX workflow_event_idempotency ON workflow_event (instance_id, idempotency_key) WHERE idempotency_key IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX workflow_event_actor_state ON workflow_event (actor_member_state, at) WHERE actor_member_state IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE idempotency_record (
        actor_id text NOT NULL,
        key text NOT NULL,
        request_hash text NOT NULL,
        instance_id uuid NOT NULL REFERENCES workflow_instance(id),
        seq int NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (actor_id, key)
      )`);

    await q.query(`
      CREATE TABLE deadline (
        id uuid PRIMARY KEY,
        instance_id uuid NOT NULL REFERENCES workflow_instance(id),
        key text NOT NULL,
        label jsonb NOT NULL,
        responsible text NOT NULL,
        assignee text,
        escalate_to text[] NOT NULL,
        unit text NOT NULL CHECK (unit IN ('calendar', 'working')),
        starts_at timestamptz NOT NULL,
        due_at timestamptz NOT NULL,
        remind_before int[] NOT NULL,
        status text NOT NULL CHECK (status IN ('open', 'closed')),
        passed_at timestamptz,
        closed_at timestamptz,
        extensions jsonb NOT NULL DEFAULT '[]'::jsonb,
        opened_by_seq int NOT NULL,
        closed_by_seq int,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX deadline_open_key ON deadline (instance_id, key) WHERE status = 'open'`);
    await q.query(`CREATE INDEX deadline_open_due ON deadline (due_at) WHERE status = 'open'`);

    await q.query(`
      CREATE TABLE outbox_message (
        id bigserial PRIMARY KEY,
        instance_id uuid REFERENCES workflow_instance(id),
        kind text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        available_at timestamptz NOT NULL,
        processed_at timestamptz,
        attempts int NOT NULL DEFAULT 0,
        last_error text
      )`);
    await q.query(`CREATE INDEX outbox_message_pending ON outbox_message (id) WHERE processed_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE outbox_message`);
    await q.query(`DROP TABLE deadline`);
    await q.query(`DROP TABLE idempotency_record`);
    await q.query(`DROP TABLE workflow_event`);
    await q.query(`DROP TABLE workflow_instance`);
  }
}
