/**
 * The connection to PostgreSQL stalls: connections stay open but nothing comes back, as in a
 * network partition. A request must not hang on a pooled connection: the query times out
 * (DB_QUERY_TIMEOUT_MS), its connection is dropped, and the caller gets 503 UNAVAILABLE. When the
 * network is back the service answers again without a restart.
 */
import { bearer, createUser, tokenFor } from '../support/auth';
import type { TestApp } from '../support/test-app';
import { appBehindProxy, waitFor, type AppBehindProxy, type TcpProxy } from './fault-support';

const QUERY_TIMEOUT_MS = 1_500;
/** Query timeout, or the 5 s connect timeout for a fresh connection, plus slack for a busy machine. */
const BOUNDED_MS = 12_000;

describe('PostgreSQL connection stalled', () => {
  let env: AppBehindProxy;
  let t: TestApp;
  let proxy: TcpProxy;

  beforeAll(async () => {
    env = await appBehindProxy({
      DB_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
      OUTBOX_SWEEP_MS: '0',
      RECONCILE_EVERY_MS: '0',
    });
    ({ t, proxy } = env);
  });

  afterAll(() => env?.close());

  it('answers 503 in bounded time while stalled, and recovers by itself', async () => {
    const officer = await createUser(t.app, { role: 'legal_officer' });
    const auth = bearer(await tokenFor(t.app, officer));
    // warm the pool: several connections now sit idle in it
    await Promise.all(Array.from({ length: 6 }, () => t.http().get('/instances').set(auth).expect(200)));

    proxy.stall();
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => t.http().get('/instances').set(auth).timeout(30_000)),
    );
    const took = Date.now() - started;
    for (const res of answers) {
      expect({ status: res.status, error: res.body?.error }).toEqual({ status: 503, error: 'UNAVAILABLE' });
      expect(res.body.message).toMatch(/unavailable/i);
    }
    expect(took).toBeLessThan(BOUNDED_MS);

    proxy.unstall();
    const back = await waitFor(
      'the service to answer again',
      async () => {
        const res = await t.http().get('/instances').set(auth);
        return res.status === 200 ? res : undefined;
      },
      30_000,
      250,
    );
    expect(back.body).toMatchObject({ page: 1 });
    await t
      .http()
      .post('/instances')
      .set(auth)
      .send({
        definitionId: 'regulation-amendment',
        input: { proposedBy: 'Secretariat', rationale: 'after the partition' },
      })
      .expect(201);
  });
});
