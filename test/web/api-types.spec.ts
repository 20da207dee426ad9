import { readFileSync } from 'node:fs';
import { API_TYPES_FILE, generateApiTypes } from '../../tools/api-types';

/**
 * The web client's API types (src/web/client/api/schema.d.ts) are generated from the OpenAPI
 * document; a controller whose documented shape changed without `npm run api:types` fails here.
 */
describe('generated API types of the web client', () => {
  it('match the OpenAPI document the controllers declare', async () => {
    const fresh = await generateApiTypes();
    expect(fresh).toContain('export interface paths');
    expect(fresh).toContain("'/instances/{id}/events'");
    const committed = readFileSync(API_TYPES_FILE, 'utf8');
    if (committed !== fresh) throw new Error(`${API_TYPES_FILE} is stale: run npm run api:types and commit the result`);
  }, 300_000);
});
