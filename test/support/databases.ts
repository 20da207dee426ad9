/**
 * Databases of one's own, on the test server. Every name starts with this
 * run's database name, so globalTeardown drops whatever a test forgets.
 */
import { randomBytes } from 'node:crypto';
import { ENV_KEYS, createDatabase, databaseUrl, dropDatabase, required } from '../setup/test-infra';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

async function make(template: string | undefined): Promise<TestDatabase> {
  const admin = required(ENV_KEYS.adminUrl);
  const name = `${required(ENV_KEYS.databaseName)}_${randomBytes(4).toString('hex')}`;
  await createDatabase(admin, name, template);
  return { name, url: databaseUrl(admin, name), drop: () => dropDatabase(admin, name) };
}

/** A new database with every migration applied (a clone of the migrated template: fast). */
export function createFreshDatabase(): Promise<TestDatabase> {
  return make(required(ENV_KEYS.templateName));
}

/** A new, empty database (no migrations): for migration tests. */
export function createEmptyDatabase(): Promise<TestDatabase> {
  return make(undefined);
}

/** The run-wide migrated database shared by apps created with `freshDatabase: false`. */
export function sharedDatabaseUrl(): string {
  return required(ENV_KEYS.databaseUrl);
}
