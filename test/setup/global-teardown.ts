/** Drops every database of this run and deletes this run's Redis keys. */
import { dropDatabase, deleteRedisKeys, ENV_KEYS, listDatabases } from './test-infra';

export default async function globalTeardown(): Promise<void> {
  const admin = process.env[ENV_KEYS.adminUrl];
  const name = process.env[ENV_KEYS.databaseName];
  const redisUrl = process.env[ENV_KEYS.redisUrl];
  const prefix = process.env[ENV_KEYS.redisPrefix];
  if (admin && name) {
    for (const db of await listDatabases(admin, name)) {
      await dropDatabase(admin, db);
    }
  }
  if (redisUrl && prefix) {
    await deleteRedisKeys(redisUrl, prefix);
  }
}
