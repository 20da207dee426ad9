/**
 * Runs or reverts database migrations without starting the service.
 *
 *   npm run migration:run                 apply pending migrations
 *   npm run migration:revert              revert the last migration
 *   npm run migration:revert -- --all     revert every migration
 *   npm run migration:revert -- --count 3 revert the last three
 *
 * The database is found the same way the service finds it (DATABASE_URL,
 * local PostgreSQL, embedded PostgreSQL).
 */
import { Logger } from '@nestjs/common';
import { nestLogLevels, reportBootFailure } from '../bootstrap';
import { revertMigrations, runMigrations } from '../infra/migrations';
import { loadEnv } from '../config/env';
import { resolvePostgres, type ResolvedPostgres } from '../infra/postgres-resolver';

function usage(): never {
  process.stderr.write('Usage: migrate run | migrate revert [--all | --count N]\n');
  process.exit(2);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command !== 'run' && command !== 'revert') usage();
  let count = 1;
  if (rest[0] === '--all') count = Number.POSITIVE_INFINITY;
  else if (rest[0] === '--count' && /^\d+$/.test(rest[1] ?? '')) count = Number(rest[1]);
  else if (rest.length > 0) usage();

  let postgres: ResolvedPostgres | undefined;
  try {
    const env = loadEnv();
    Logger.overrideLogger(nestLogLevels(env.LOG_LEVEL));
    const logger = new Logger('Migrations');
    postgres = await resolvePostgres({
      // the schema's owner when the service itself connects as the restricted role
      databaseUrl: env.MIGRATION_DATABASE_URL ?? env.DATABASE_URL,
      localPort: env.PG_LOCAL_PORT,
      dataDir: env.DATA_DIR,
    });
    logger.log(`Using PostgreSQL ${postgres.describe}`);
    if (command === 'run') {
      const applied = await runMigrations(postgres.url);
      logger.log(applied.length ? `Applied: ${applied.join(', ')}` : 'No pending migrations');
    } else {
      const reverted = await revertMigrations(postgres.url, count);
      logger.log(reverted.length ? `Reverted: ${reverted.join(', ')}` : 'Nothing to revert');
    }
    await postgres.stop();
  } catch (err) {
    reportBootFailure(err);
    await postgres?.stop().catch(() => undefined);
    process.exit(1);
  }
}

void main(process.argv.slice(2));
