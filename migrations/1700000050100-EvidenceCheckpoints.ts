import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dropEvidenceTable, makeEvidenceTable } from './support/evidence';

/**
 * The service's signed checkpoints: the head of a procedure's hash chain (its last event's
 * sequence number and hash) signed with the service's own Ed25519 key (never stored here: only
 * its public half, with each checkpoint). Written periodically for every procedure changed since
 * its last checkpoint, and when a procedure closes (adoption, entry into force, withdrawal).
 * Evidence: append-only.
 */
export class EvidenceCheckpoints1700000050100 implements MigrationInterface {
  name = 'EvidenceCheckpoints1700000050100';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE evidence_checkpoint (
        id bigserial PRIMARY KEY,
        instance_id uuid NOT NULL REFERENCES workflow_instance(id),
        seq int NOT NULL CHECK (seq >= 1),
        head_hash text NOT NULL CHECK (head_hash ~ '^[0-9a-f]{64}$'),
        at timestamptz NOT NULL,
        reason text NOT NULL CHECK (reason IN ('periodic', 'closed')),
        key_id text NOT NULL,
        public_key text NOT NULL,
        signature text NOT NULL,
        CONSTRAINT evidence_checkpoint_once UNIQUE (instance_id, seq, key_id)
      )`);
    await q.query(`CREATE INDEX evidence_checkpoint_at ON evidence_checkpoint (at, id)`);
    await makeEvidenceTable(q, 'evidence_checkpoint');
  }

  async down(q: QueryRunner): Promise<void> {
    await dropEvidenceTable(q, 'evidence_checkpoint');
    await q.query(`DROP TABLE evidence_checkpoint`);
  }
}
