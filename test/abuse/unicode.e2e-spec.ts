import { bearer, signedIn } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

/**
 * JSON can carry text that is not Unicode: a lone surrogate escape (`\udfff`). Validators and
 * PostgreSQL fail on it; the API refuses it with 400 before anything reads it.
 */
describe('text that is not valid Unicode', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await createTestApp();
    admin = (await signedIn(t.app, { role: 'admin' })).token;
  });
  afterAll(() => t.close());

  const count = async () => (await t.dataSource.query(`SELECT count(*)::int AS n FROM app_user`))[0].n as number;
  const raw = (body: string) =>
    t.http().post('/users').set(bearer(admin)).set('content-type', 'application/json').send(body);

  it('refuses a lone surrogate in a value or a key with 400, writing nothing', async () => {
    const before = await count();
    for (const body of [
      '{"email":"\\udfff\\ud800","displayName":"X","password":"a long enough password","role":"legal_officer"}',
      '{"email":"a@b.example","displayName":"\\ud83d","password":"a long enough password","role":"legal_officer"}',
      '{"\\udfff":"x","email":"a@b.example","displayName":"X","password":"a long enough password","role":"legal_officer"}',
    ]) {
      const res = await raw(body).expect(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'INVALID_PAYLOAD' });
      expect(res.body.message).toMatch(/unpaired surrogate/);
    }
    expect(await count()).toBe(before);
  });

  it('accepts text outside the basic plane (a surrogate pair)', async () => {
    const res = await raw(
      '{"email":"emoji@amendflow.example","displayName":"Officer \\ud83d\\ude00 \\u4e2d\\u6587","password":"a long enough password","role":"legal_officer"}',
    );
    expect(res.status).toBe(201);
    expect(res.body.displayName ?? res.body.user?.displayName).toBe('Officer 😀 中文');
  });
});
