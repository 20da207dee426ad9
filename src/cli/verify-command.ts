/**
 * `amendflow verify <bundle.json>`: the offline verifier (see src/cli/amendflow.ts). Reads the
 * file, checks its shape, runs the verifier's core (src/record/verify-bundle.ts) with the
 * machines this package ships, and prints the report. Needs no server, database or settings.
 */
import { readFileSync } from 'node:fs';
import { defaultRegistry } from '../../workflows/registry';
import { parseBundle } from '../record/bundle';
import { formatReport, verifyBundle } from '../record/verify-bundle';
import { UsageError } from './usage-error';

/** Runs the command; resolves with the exit code (0 verified, 1 a check failed, 2 not a readable bundle). */
export async function verifyCommand(
  argv: string[],
  out: (text: string) => void = (t) => process.stdout.write(t),
): Promise<number> {
  let file: string | undefined;
  const keys: string[] = [];
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--service-key') {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError('--service-key needs a value');
      keys.push(v.trim());
    } else if (arg === '--json') json = true;
    else if (arg.startsWith('--')) throw new UsageError(`Unknown option ${arg}`);
    else if (file === undefined) file = arg;
    else throw new UsageError('Name one bundle file');
  }
  if (!file) throw new UsageError('Name the bundle file to verify');
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    out(`Cannot read ${file} as JSON: ${(err as Error).message}\n`);
    return 2;
  }
  const parsed = parseBundle(value);
  if ('problems' in parsed) {
    out(
      `${file} is not an amendflow evidence bundle (version 1):\n${parsed.problems.map((p) => `  - ${p}`).join('\n')}\n`,
    );
    return 2;
  }
  const report = await verifyBundle(parsed.bundle, defaultRegistry(), { trustedServiceKeys: keys });
  out(json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  return report.ok ? 0 : 1;
}
