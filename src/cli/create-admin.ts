/**
 * `amendflow create-admin`: creates an administrator (the first one, typically, on a fresh
 * production database: there is no other way in). See src/cli/amendflow.ts.
 */
import { createInterface } from 'node:readline';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { UsersService } from '../auth/users.service';
import { resolveRuntime, type ResolvedInfrastructure } from '../bootstrap';
import { loadEnv } from '../config/env';
import { runMigrations } from '../infra/migrations';
import type { Runtime } from '../infra/runtime';
import { UsageError } from './usage-error';

interface Options {
  email?: string;
  name?: string;
  passwordStdin: boolean;
  force: boolean;
}

function parse(argv: string[]): Options {
  const options: Options = { passwordStdin: false, force: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === '--email') options.email = value();
    else if (arg === '--name') options.name = value();
    else if (arg === '--password-stdin') options.passwordStdin = true;
    else if (arg === '--force') options.force = true;
    else throw new UsageError(`Unknown option ${arg}`);
  }
  return options;
}

/** Reads lines from standard input; hides what is typed when `hidden` and stdin is a terminal. */
async function ask(question: string, hidden = false): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY });
  if (hidden && process.stdin.isTTY) {
    const write = (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput.bind(rl);
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) =>
      write(s.startsWith(question) ? s : s.replace(/[^\r\n]/g, ''));
  }
  try {
    return await new Promise<string>((resolve, reject) => {
      rl.question(question, resolve);
      rl.once('close', () => reject(new UsageError('Standard input ended before an answer was given')));
    });
  } finally {
    rl.close();
  }
}

export async function createAdmin(argv: string[]): Promise<void> {
  const options = parse(argv);
  const interactive = !!process.stdin.isTTY;
  const email = options.email ?? (interactive ? (await ask('Email: ')).trim() : undefined);
  const name = options.name ?? (interactive ? (await ask('Name: ')).trim() : 'Administrator');
  if (!email) throw new UsageError('--email is required when not run in a terminal');
  let password: string;
  if (options.passwordStdin) {
    password = (await ask('')).replace(/\r?\n$/, '');
  } else if (interactive) {
    password = await ask('Password: ', true);
    process.stderr.write('\n');
    if ((await ask('Password again: ', true)) !== password) throw new UsageError('The two passwords differ');
    process.stderr.write('\n');
  } else {
    throw new UsageError('Give the password with --password-stdin when not run in a terminal');
  }

  let infra: ResolvedInfrastructure | undefined;
  try {
    const env = loadEnv();
    Logger.overrideLogger(['error', 'warn']);
    infra = await resolveRuntime({ env });
    await runMigrations(env.MIGRATION_DATABASE_URL ?? infra.runtime.postgresUrl);
    // No workers, relay sweeps or metrics listener: this process only writes one user.
    const runtime: Runtime = Object.freeze({
      ...infra.runtime,
      env: Object.freeze({
        ...env,
        WORKERS_IN_PROCESS: false,
        OUTBOX_SWEEP_MS: 0,
        METRICS_PORT: undefined,
        DEMO: false,
      }),
    });
    const app = await NestFactory.createApplicationContext(AppModule.forRoot(runtime), {
      logger: ['error', 'warn'],
      abortOnError: false,
    });
    try {
      const users = app.get(UsersService);
      const admins = await users.list({ role: 'admin', active: true });
      if (admins.length > 0 && !options.force) {
        throw new UsageError(
          `An administrator exists already (${admins.map((a) => a.email).join(', ')}): sign in as one to create users, or pass --force`,
        );
      }
      const user = await users.create(
        { email, displayName: name || 'Administrator', password, role: 'admin', memberState: null },
        { actor: null, ip: null },
        { via: 'create-admin' },
      );
      process.stdout.write(`Created administrator ${user.email} (${user.id})\n`);
    } finally {
      await app.close();
    }
  } finally {
    await infra?.stop().catch(() => undefined);
  }
}
