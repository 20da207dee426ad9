import * as path from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';

/**
 * No entity is listed here: each feature module registers its own with
 * `TypeOrmModule.forFeature`, and the application's connection picks them up with
 * `autoLoadEntities`. Standalone DataSources (migrations) run SQL only and need none.
 *
 * Compiled migrations of the top-level `migrations/` folder. From sources
 * (jest, ts-node) __dirname is `src/infra`, from the build it is
 * `dist/src/infra`; in both cases two levels up is the folder that holds
 * `migrations/` (`.ts` files in the first case, `.js` in the second).
 */
export const MIGRATIONS_GLOB = path.join(__dirname, '..', '..', 'migrations', '*.{ts,js}');

export function buildDataSourceOptions(
  url: string,
  opts: { poolSize?: number; queryTimeoutMs?: number } = {},
): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    ...(opts.poolSize ? { poolSize: opts.poolSize } : {}),
    // The service's pool only (migrations may run longer): a query with no answer in time fails
    // (503) instead of holding its request while the network to PostgreSQL is partitioned.
    ...(opts.queryTimeoutMs ? { extra: { query_timeout: opts.queryTimeoutMs } } : {}),
    applicationName: 'amendflow',
    entities: [],
    migrations: [MIGRATIONS_GLOB],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    migrationsRun: false,
    synchronize: false,
    // Fail fast when the database is down so requests get a 503 quickly.
    connectTimeoutMS: 5000,
    logging: ['warn'],
  };
}

/** A standalone DataSource (not initialised) for scripts and tests. */
export function createDataSource(url: string): DataSource {
  return new DataSource(buildDataSourceOptions(url));
}
