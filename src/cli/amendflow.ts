#!/usr/bin/env node
/**
 * The operator's command line (package.json "bin", built into dist/src/cli/amendflow.js):
 *
 *   npx amendflow create-admin [--email EMAIL] [--name NAME] [--password-stdin] [--force]
 *   npx amendflow verify <bundle.json> [--service-key KEY]... [--json]
 *
 * create-admin creates an administrator (the first one, typically, on a fresh production
 * database: there is no other way in). Asks for what the flags do not give when run in a
 * terminal; with --password-stdin the password is the first line of standard input (for
 * scripts). The password meets the same rules as any other (PASSWORD_MIN_LENGTH, not a common
 * breached password). Refuses when an active administrator exists, unless --force. Settings as
 * for the service (DATABASE_URL, ...); pending migrations are applied first.
 *
 * verify checks an evidence bundle (GET /instances/:id/evidence) offline: no server, no
 * database, no settings. It prints a report (chain, replay, checkpoints, each answer with its
 * signature) and exits 0 when everything verifies, 1 when anything fails, 2 when the file cannot
 * be read as a bundle. --service-key (repeatable) pins the service's checkpoint key(s) (raw
 * Ed25519, base64url, as GET /evidence/checkpoints publishes it); --json prints the report as JSON.
 */
import { reportBootFailure } from '../bootstrap';
import { DomainException } from '../common/domain.exception';
import { createAdmin } from './create-admin';
import { UsageError } from './usage-error';
import { verifyCommand } from './verify-command';

const USAGE =
  'Usage: amendflow create-admin [--email EMAIL] [--name NAME] [--password-stdin] [--force]\n' +
  '       amendflow verify <bundle.json> [--service-key KEY]... [--json]\n';

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  try {
    if (command === 'create-admin') await createAdmin(rest);
    else if (command === 'verify') process.exit(await verifyCommand(rest));
    else throw new UsageError(command ? `Unknown command ${command}` : 'Name a command');
    process.exit(0);
  } catch (err) {
    if (err instanceof UsageError) process.stderr.write(`${err.message}\n${USAGE}`);
    else if (err instanceof DomainException) process.stderr.write(`${err.message}\n`);
    else reportBootFailure(err);
    process.exit(err instanceof UsageError ? 2 : 1);
  }
}

void main(process.argv.slice(2));
