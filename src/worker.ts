/**
 * A worker process: the same modules as the API, as a Nest application context without HTTP,
 * running the BullMQ workers (deadlines, webhooks, exports, mail), the outbox relay and the deadline
 * reconciler. Start as many as needed next to API processes started with WORKERS_IN_PROCESS=false:
 *
 *   npm run build && npm run start:worker      (node dist/src/worker.js)
 *
 * Redis's maxmemory-policy is checked while Redis is resolved (a warning unless noeviction).
 */
import { Logger, type INestApplicationContext, type LoggerService, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { reportBootFailure, resolveRuntime, type ResolvedInfrastructure } from './bootstrap';
import { createRootLogger, PinoBootLogger } from './infra/logging';
import { loadEnv } from './config/env';
import { BootError } from './infra/boot-error';
import { runMigrations } from './infra/migrations';
import { errorReason } from './infra/net';
import type { Runtime } from './infra/runtime';

/** Boots the worker application context for a resolved Runtime (workers always on). */
export async function createWorker(
  runtime: Runtime,
  options: { logger?: LoggerService | LogLevel[] | false } = {},
): Promise<INestApplicationContext> {
  const workerRuntime: Runtime = Object.freeze({
    ...runtime,
    env: Object.freeze({ ...runtime.env, WORKERS_IN_PROCESS: true }),
  });
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(workerRuntime), {
    abortOnError: false,
    ...(options.logger !== undefined ? { logger: options.logger } : { bufferLogs: true }),
  });
  if (options.logger === undefined) app.useLogger(app.get(PinoNestLogger));
  await app.init();
  return app;
}

async function main(): Promise<void> {
  let infra: ResolvedInfrastructure | undefined;
  const logger = new Logger('Worker');
  try {
    const env = loadEnv();
    const root = createRootLogger(env);
    Logger.overrideLogger(new PinoBootLogger(root));
    infra = await resolveRuntime({ env, logger: root });
    const applied = await runMigrations(env.MIGRATION_DATABASE_URL ?? infra.runtime.postgresUrl).catch(
      (err: unknown) => {
        throw new BootError(`Database migrations failed: ${errorReason(err)}`, { cause: err });
      },
    );
    if (applied.length > 0) logger.log(`Applied ${applied.length} migration(s): ${applied.join(', ')}`);
    const app = await createWorker(infra.runtime);
    logger.log(
      'amendflow worker running (queues: deadlines, webhooks, exports, mail; outbox relay; deadline reconciler)',
    );

    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) process.exit(1);
      stopping = true;
      logger.log(`Received ${signal}; finishing running jobs and shutting down`);
      const force = setTimeout(() => process.exit(1), 30_000);
      force.unref();
      void (async () => {
        let code = 0;
        await app.close().catch((err: unknown) => {
          code = 1;
          logger.error(`Closing the worker failed: ${errorReason(err)}`);
        });
        await infra?.stop().catch(() => (code = 1));
        logger.log('Stopped');
        process.exit(code);
      })();
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  } catch (err) {
    reportBootFailure(err);
    await infra?.stop().catch(() => undefined);
    process.exit(1);
  }
}

if (require.main === module) void main();
