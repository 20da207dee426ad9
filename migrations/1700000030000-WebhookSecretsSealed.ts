import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhook signing secrets are kept encrypted (AES-256-GCM with WEBHOOK_SECRET_KEY, see
 * src/deadlines/webhook-secrets.ts) in `secret_sealed`. The key lives only in the environment of
 * the running service, so this migration cannot encrypt the plaintext secrets stored so far: it
 * erases them instead. Such a subscription stays listed but its deliveries are cancelled with
 * "re-issue the secret" until its owner deletes it and subscribes again (docs/webhooks.md).
 */
export class WebhookSecretsSealed1700000030000 implements MigrationInterface {
  name = 'WebhookSecretsSealed1700000030000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE webhook_subscription ADD COLUMN secret_sealed text CHECK (secret_sealed LIKE 'v1.%')`);
    await q.query(`ALTER TABLE webhook_subscription DROP COLUMN secret`);
  }

  async down(q: QueryRunner): Promise<void> {
    // The plaintext secrets cannot be recovered: every subscription gets a random one to re-issue.
    await q.query(`ALTER TABLE webhook_subscription ADD COLUMN secret text`);
    await q.query(`UPDATE webhook_subscription SET secret = md5(random()::text || id::text) || md5(random()::text)`);
    await q.query(`ALTER TABLE webhook_subscription ALTER COLUMN secret SET NOT NULL`);
    await q.query(`ALTER TABLE webhook_subscription DROP COLUMN secret_sealed`);
  }
}
