/**
 * The token check is cached per process (src/auth/token-check-cache.ts) and every process drops an
 * answer the moment the database tells it (LISTEN/NOTIFY) that the token was revoked or the user
 * changed. Two application processes on one database: whatever happens through one of them, or by
 * SQL outside both, the other refuses the token as soon as the notice is delivered; with its
 * listening connection lost, a process asks the database on every request until it is back.
 */
import { AccessTokenService } from '../../src/auth/access-token.service';
import { TOKEN_CACHE_LISTENER_NAME, TokenCheckCache } from '../../src/auth/token-check-cache';
import { bearer, signedIn, type TestUser } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

interface Claims {
  jti: string;
  sub: string;
}

const claimsOf = (token: string): Claims =>
  JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Claims;

describe('token check cache across processes', () => {
  let one: TestApp;
  let two: TestApp;
  let cacheOne: TokenCheckCache;
  let cacheTwo: TokenCheckCache;
  let admin: { user: TestUser; token: string };

  beforeAll(async () => {
    one = await createTestApp();
    two = await createTestApp({ databaseUrl: one.databaseUrl, clock: one.clock });
    cacheOne = one.app.get(TokenCheckCache);
    cacheTwo = two.app.get(TokenCheckCache);
    admin = await signedIn(one.app, { role: 'admin' });
  });
  afterAll(async () => {
    await two?.close();
    await one?.close();
  });

  /** A token checked once through process two, so that two holds the answer. */
  async function cachedInTwo(token: string): Promise<Claims> {
    await two.http().get('/auth/me').set(bearer(token)).expect(200);
    const claims = claimsOf(token);
    expect(cacheTwo.get(claims.jti, claims.sub)).toBeDefined();
    return claims;
  }

  const dropped = (cache: TokenCheckCache, c: Claims) => () => cache.get(c.jti, c.sub) === undefined;

  it('both processes listen, and a cached answer is what the process uses', async () => {
    expect(two.env.TOKEN_CACHE_TTL_MS).toBeGreaterThan(0);
    await waitFor('both listeners', () => cacheOne.isLive() && cacheTwo.isLive());
    const { user, token } = await signedIn(one.app, { role: 'legal_officer' });
    await cachedInTwo(token);

    // A change that tells nobody (triggers off for this session) is not seen while the answer is fresh ...
    await one.dataSource.transaction(async (m) => {
      await m.query(`SET LOCAL session_replication_role = replica`);
      await m.query(`UPDATE app_user SET role = 'manager', member_state = NULL WHERE id = $1`, [user.id]);
    });
    const check = two.app.get(AccessTokenService);
    expect((await check.authenticate(`Bearer ${token}`)).actor.role).toBe('legal_officer');

    // ... and is once the answer is older than TOKEN_CACHE_TTL_MS (application clock).
    one.clock.advance(two.env.TOKEN_CACHE_TTL_MS);
    expect((await check.authenticate(`Bearer ${token}`)).actor.role).toBe('manager');
  });

  it('a sign-out through one process is refused by the other as soon as the notice arrives', async () => {
    const { token } = await signedIn(one.app, { role: 'legal_officer' });
    const claims = await cachedInTwo(token);
    await one.http().get('/auth/me').set(bearer(token)).expect(200);
    expect(cacheOne.get(claims.jti, claims.sub)).toBeDefined();

    await one.http().post('/auth/sign-out').set(bearer(token)).expect(204);
    // the revoking process refuses it at once (it held the token out of its cache itself)
    const own = await one.http().get('/auth/me').set(bearer(token)).expect(401);
    expect(own.body.message).toBe('This token has been revoked');

    await waitFor('the revocation notice in process two', dropped(cacheTwo, claims), 10_000, 10);
    const other = await two.http().get('/auth/me').set(bearer(token)).expect(401);
    expect(other.body.message).toBe('This token has been revoked');
    expect(cacheTwo.get(claims.jti, claims.sub)).toBeUndefined();
  });

  it('a deactivation and a role change through one process are refused by the other', async () => {
    const a = await signedIn(one.app, { role: 'legal_officer' });
    const b = await signedIn(one.app, { role: 'legal_officer' });
    const ca = await cachedInTwo(a.token);
    const cb = await cachedInTwo(b.token);

    await one.http().patch(`/users/${a.user.id}`).set(bearer(admin.token)).send({ active: false }).expect(200);
    await one.http().patch(`/users/${b.user.id}`).set(bearer(admin.token)).send({ role: 'manager' }).expect(200);

    await waitFor('the notices in process two', () => dropped(cacheTwo, ca)() && dropped(cacheTwo, cb)(), 10_000, 10);
    const deactivated = await two.http().get('/auth/me').set(bearer(a.token)).expect(401);
    expect(deactivated.body.message).toBe('This token has been revoked');
    const demoted = await two.http().get('/auth/me').set(bearer(b.token)).expect(401);
    expect(demoted.body.message).toBe('This token has been revoked');
  });

  it('a change made by SQL outside both processes reaches both', async () => {
    const { user, token } = await signedIn(one.app, { role: 'legal_officer' });
    const c = await cachedInTwo(token);
    await one.http().get('/auth/me').set(bearer(token)).expect(200);

    await one.dataSource.query(`UPDATE app_user SET active = false WHERE id = $1`, [user.id]);

    await waitFor('the notice in both processes', () => dropped(cacheOne, c)() && dropped(cacheTwo, c)(), 10_000, 10);
    for (const t of [one, two]) {
      const res = await t.http().get('/auth/me').set(bearer(token)).expect(401);
      expect(res.body.message).toBe('This account has been deactivated');
    }
  });

  it('a rolled-back revocation changes nothing: the token still works and is cached again', async () => {
    const { token } = await signedIn(one.app, { role: 'legal_officer' });
    const c = await cachedInTwo(token);
    await expect(
      one.dataSource.transaction(async (m) => {
        await one.app.get(AccessTokenService).revoke(c.jti, 'admin', m);
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    await two.http().get('/auth/me').set(bearer(token)).expect(200);
    expect(cacheTwo.get(c.jti, c.sub)).toBeDefined();
  });

  it('with the listening connection lost, the cache is cleared and bypassed until it is back', async () => {
    const { token } = await signedIn(one.app, { role: 'legal_officer' });
    const c = await cachedInTwo(token);

    // (the subquery first picks the listeners: a terminating filter beside the others could be tried on any row)
    const killed = await one.dataSource.query<{ pid: number }[]>(
      `SELECT pid FROM (SELECT pid FROM pg_stat_activity
                         WHERE datname = current_database() AND application_name = $1 OFFSET 0) listeners
        WHERE pg_terminate_backend(pid)`,
      [TOKEN_CACHE_LISTENER_NAME],
    );
    expect(killed.length).toBe(2);
    await waitFor('process two to notice the loss', () => !cacheTwo.isLive(), 10_000, 10);
    expect(cacheTwo.size()).toBe(0);

    // Revoked while nobody listens: no notice reaches process two, yet it refuses the token
    // (down: it asks the database; back already: it started again from an empty cache).
    await one.dataSource.query(`UPDATE auth_token SET revoked_at = now(), revoked_reason = 'admin' WHERE id = $1`, [
      c.jti,
    ]);
    const res = await two.http().get('/auth/me').set(bearer(token)).expect(401);
    expect(res.body.message).toBe('This token has been revoked');

    // The listener comes back by itself; the cache is used again, and notices work again.
    await waitFor('both processes to listen again', () => cacheOne.isLive() && cacheTwo.isLive(), 30_000, 20);
    const { token: next } = await signedIn(one.app, { role: 'legal_officer' });
    const n = await cachedInTwo(next);
    await one.http().post('/auth/sign-out').set(bearer(next)).expect(204);
    await waitFor('the revocation notice after the reconnection', dropped(cacheTwo, n), 10_000, 10);
    await two.http().get('/auth/me').set(bearer(next)).expect(401);
  });
});

describe('token check cache turned off', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { TOKEN_CACHE_TTL_MS: '0' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('TOKEN_CACHE_TTL_MS=0 keeps nothing and opens no listening connection', async () => {
    const cache = t.app.get(TokenCheckCache);
    const { token } = await signedIn(t.app, { role: 'legal_officer' });
    await t.http().get('/auth/me').set(bearer(token)).expect(200);
    expect(cache.isLive()).toBe(false);
    expect(cache.size()).toBe(0);
    const listeners = await t.dataSource.query<{ pid: number }[]>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1`,
      [TOKEN_CACHE_LISTENER_NAME],
    );
    expect(listeners).toEqual([]);
    await t.dataSource.query(`UPDATE auth_token SET revoked_at = now(), revoked_reason = 'admin'`);
    await t.http().get('/auth/me').set(bearer(token)).expect(401);
  });
});
