import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notifications (one row per person per outbox message: a reminder never reaches anyone twice),
 * webhook subscriptions (a person's own, or a member state's) and webhook deliveries (one per
 * subscription and notification: the record of what was POSTed).
 */
export class Notifications1700000004000 implements MigrationInterface {
  name = 'Notifications1700000004000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE notification (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        instance_id uuid REFERENCES workflow_instance(id),
        kind text NOT NULL CHECK (kind IN ('reminder', 'escalation', 'info')),
        subject text NOT NULL,
        data jsonb NOT NULL DEFAULT '{}'::jsonb,
        outbox_id bigint NOT NULL,
        created_at timestamptz NOT NULL,
        read_at timestamptz,
        CONSTRAINT notification_once UNIQUE (outbox_id, user_id)
      )`);
    await q.query(`CREATE INDEX notification_user_newest ON notification (user_id, created_at DESC, id DESC)`);
    await q.query(
      `CREATE INDEX notification_user_unread ON notification (user_id, created_at DESC) WHERE read_at IS NULL`,
    );
    await q.query(`CREATE INDEX notification_instance ON notification (instance_id) WHERE instance_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE webhook_subscription (
        id uuid PRIMARY KEY,
        user_id uuid REFERENCES app_user(id) ON DELETE CASCADE,
        member_state text CHECK (member_state IS NULL OR member_state ~ '^[A-Z]{2}$'),
        url text NOT NULL CHECK (url ~* '^https?://'),
        secret text NOT NULL CHECK (length(secret) >= 16),
        active boolean NOT NULL DEFAULT true,
        created_by uuid,
        created_at timestamptz NOT NULL,
        deactivated_at timestamptz,
        CONSTRAINT webhook_subscription_one_owner CHECK ((user_id IS NULL) <> (member_state IS NULL))
      )`);
    await q.query(
      `CREATE INDEX webhook_subscription_user ON webhook_subscription (user_id) WHERE active AND user_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX webhook_subscription_state ON webhook_subscription (member_state) WHERE active AND member_state IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE webhook_delivery (
        id uuid PRIMARY KEY,
        subscription_id uuid NOT NULL REFERENCES webhook_subscription(id) ON DELETE CASCADE,
        notification_id uuid NOT NULL REFERENCES notification(id) ON DELETE CASCADE,
        status text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
        attempts int NOT NULL DEFAULT 0,
        last_error text,
        created_at timestamptz NOT NULL,
        delivered_at timestamptz,
        CONSTRAINT webhook_delivery_once UNIQUE (subscription_id, notification_id)
      )`);
    await q.query(`CREATE INDEX webhook_delivery_notification ON webhook_delivery (notification_id)`);
    await q.query(`CREATE INDEX webhook_delivery_pending ON webhook_delivery (created_at) WHERE status = 'pending'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_delivery`);
    await q.query(`DROP TABLE webhook_subscription`);
    await q.query(`DROP TABLE notification`);
  }
}
