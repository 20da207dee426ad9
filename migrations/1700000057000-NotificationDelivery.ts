import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Notifications that reach people: what each one is about (`topic`) and how its mail went
 * (queued, waiting for the digest, sent, refused by the mail server, failed); each user's
 * language, time zone, digest hour and private calendar token; per-topic delivery preferences;
 * one digest row per user and local day (the digest is sent once a day); the partners a user
 * follows (their deadlines go into the user's calendar).
 */
export class NotificationDelivery1700000057000 implements MigrationInterface {
  name = 'NotificationDelivery1700000057000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE notification ADD COLUMN topic text`);
    await q.query(`UPDATE notification SET topic = kind`);
    await q.query(`ALTER TABLE notification ALTER COLUMN topic SET NOT NULL`);
    await q.query(`
      ALTER TABLE notification
        ADD COLUMN mail_status text CHECK (mail_status IN ('queued', 'digest', 'sent', 'refused', 'failed')),
        ADD COLUMN mail_attempts int NOT NULL DEFAULT 0,
        ADD COLUMN mail_error text,
        ADD COLUMN mailed_at timestamptz,
        ADD COLUMN digest_id uuid`);
    await q.query(
      `CREATE INDEX notification_digest_due ON notification (user_id, created_at) WHERE mail_status = 'digest'`,
    );

    await q.query(`
      ALTER TABLE app_user
        ADD COLUMN language text CHECK (language IN ('en', 'ru', 'zh')),
        ADD COLUMN time_zone text,
        ADD COLUMN digest_hour smallint NOT NULL DEFAULT 8 CHECK (digest_hour BETWEEN 0 AND 23),
        ADD COLUMN calendar_token_hash text`);
    await q.query(
      `CREATE UNIQUE INDEX app_user_calendar_token ON app_user (calendar_token_hash) WHERE calendar_token_hash IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE notification_preference (
        user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        topic text NOT NULL,
        delivery text NOT NULL CHECK (delivery IN ('in_app', 'email', 'digest')),
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (user_id, topic)
      )`);

    await q.query(`
      CREATE TABLE notification_digest (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        local_date date NOT NULL,
        status text NOT NULL CHECK (status IN ('queued', 'sent', 'refused', 'failed')),
        items int NOT NULL,
        attempts int NOT NULL DEFAULT 0,
        error text,
        created_at timestamptz NOT NULL,
        sent_at timestamptz,
        CONSTRAINT notification_digest_once_a_day UNIQUE (user_id, local_date)
      )`);

    await q.query(`
      CREATE TABLE partner_follow (
        user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        partner text NOT NULL CHECK (partner ~ '^[A-Z0-9_-]{2,32}$'),
        created_at timestamptz NOT NULL,
        PRIMARY KEY (user_id, partner)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE partner_follow`);
    await q.query(`DROP TABLE notification_digest`);
    await q.query(`DROP TABLE notification_preference`);
    await q.query(`DROP INDEX app_user_calendar_token`);
    await q.query(
      `ALTER TABLE app_user DROP COLUMN language, DROP COLUMN time_zone, DROP COLUMN digest_hour, DROP COLUMN calendar_token_hash`,
    );
    await q.query(`DROP INDEX notification_digest_due`);
    await q.query(
      `ALTER TABLE notification DROP COLUMN topic, DROP COLUMN mail_status, DROP COLUMN mail_attempts, DROP COLUMN mail_error, DROP COLUMN mailed_at, DROP COLUMN digest_id`,
    );
  }
}
