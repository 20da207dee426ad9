import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..');

/**
 * The web client's API types (src/web/client/api/schema.d.ts) are generated from the OpenAPI
 * document; a controller whose documented shape changed without `npm run api:types` fails here.
 * The generator runs as its own process: openapi-typescript loads ES modules that jest's module
 * system does not.
 */
describe('generated API types of the web client', () => {
  it('match the OpenAPI document the controllers declare', async () => {
    const check = run(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', path.join('tools', 'api-types.ts'), '--check'],
      { cwd: ROOT, timeout: 280_000 },
    );
    await expect(check.then((r) => r.stdout)).resolves.toContain('schema.d.ts is up to date');
  }, 300_000);
});
