import { bearer, signedIn } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

/** A draft version carries every article in three languages: its route has a 16 MB limit, the rest of the API 1 MB. */
describe('request size of a draft version', () => {
  let t: TestApp;
  let token: string;
  let id: string;

  beforeAll(async () => {
    t = await createTestApp();
    token = (await signedIn(t.app, { role: 'legal_officer' })).token;
    const started = await t
      .http()
      .post('/instances')
      .set(bearer(token))
      .send({ definitionId: 'regulation-amendment', input: { proposedBy: 'Secretariat', rationale: 'size' } })
      .expect(201);
    id = started.body.instance.id;
    await t
      .http()
      .post(`/instances/${id}/draft`)
      .set(bearer(token))
      .send({ source: 'blank', title: { en: 'Size', ru: 'Размер', zh: '大小' } })
      .expect(201);
  });
  afterAll(() => t.close());

  const article = (i: number, len: number) => ({
    number: String(i + 1),
    ru: 'ж'.repeat(len),
    zh: '条'.repeat(len),
    en: 'w'.repeat(len),
  });

  it('accepts a version larger than 1 MB within the article limits', async () => {
    const articles = Array.from({ length: 60 }, (_, i) => article(i, 6000)); // ~2.2 MB of UTF-8
    const res = await t
      .http()
      .post(`/instances/${id}/draft/versions`)
      .set(bearer(token))
      .send({ note: 'large', articles });
    expect(res.status).toBe(201);
  });

  it('refuses a body over 16 MB with 413 naming the limit, and other routes keep 1 MB', async () => {
    const articles = Array.from({ length: 300 }, (_, i) => article(i, 20000)); // ~36 MB
    const res = await t
      .http()
      .post(`/instances/${id}/draft/versions`)
      .set(bearer(token))
      .send({ note: 'too large', articles })
      .expect(413);
    expect(res.body).toMatchObject({
      statusCode: 413,
      error: 'TOO_LARGE',
      message: 'The request body is larger than the 16 MB limit',
    });
    const other = await t
      .http()
      .post(`/instances/${id}/events`)
      .set(bearer(token))
      .send({ type: 'WITHDRAW', payload: { reason: 'x'.repeat(1_100_000) } })
      .expect(413);
    expect(other.body.message).toBe('The request body is larger than the 1 MB limit');
  });
});
