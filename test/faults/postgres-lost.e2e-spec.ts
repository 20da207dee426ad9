/**
 * The connection to PostgreSQL is lost: a TCP proxy between the app and the (shared) server is
 * cut, which drops every pooled connection and refuses new ones. Requests must fail fast with
 * 503 UNAVAILABLE and a clear message (never 500, never a hang), /health must say 503, and once
 * the proxy is back the service must recover by itself.
 */
import { bearer, createUser, tokenFor } from '../support/auth';
import type { ErrorBody } from '../../src/common/domain.exception';
import type { TestApp } from '../support/test-app';
import { appBehindProxy, isoDay, waitFor, type AppBehindProxy, type TcpProxy } from './fault-support';

const FAST_MS = 5_000;

describe('PostgreSQL connection lost and restored', () => {
  let env: AppBehindProxy;
  let t: TestApp;
  let proxy: TcpProxy;

  beforeAll(async () => {
    env = await appBehindProxy({ OUTBOX_SWEEP_MS: '1000', RECONCILE_EVERY_MS: '0' });
    ({ t, proxy } = env);
  });

  afterAll(() => env?.close());

  const timed = async <T>(p: Promise<T>): Promise<{ res: T; ms: number }> => {
    const started = Date.now();
    const res = await p;
    return { res, ms: Date.now() - started };
  };

  const expectUnavailable = (res: { status: number; body: Partial<ErrorBody> | undefined }, ms: number) => {
    expect({ status: res.status, error: res.body?.error }).toEqual({ status: 503, error: 'UNAVAILABLE' });
    expect(typeof res.body?.message).toBe('string');
    expect(res.body?.message).toMatch(/unavailable|not answer/i);
    expect(res.body?.statusCode).toBe(503);
    expect(ms).toBeLessThan(FAST_MS);
  };

  it('answers 503 fast while the database is unreachable and recovers without a restart', async () => {
    const officer = await createUser(t.app, { role: 'legal_officer' });
    const token = await tokenFor(t.app, officer);
    const auth = bearer(token);
    const today = isoDay();
    // one open 1(b) per partner and treaty: each start names its own partner
    const start = (partner = 'TR') =>
      t
        .http()
        .post('/instances')
        .set(auth)
        .send({
          definitionId: 'treaty-accession',
          input: { partner, treatyId: 'sco-agreement-road-transport-2014' },
        });
    const started = await start().expect(201);
    const id = started.body.instance.id as string;
    await t
      .http()
      .post(`/instances/${id}/events`)
      .set(auth)
      .send({
        type: 'CONFIRM_ELIGIBILITY',
        payload: { note: 'Open to any state', source: 'Depositary copy', consentRequired: false },
      })
      .expect(200);
    await t
      .http()
      .post(`/instances/${id}/events`)
      .set(auth)
      .send({ type: 'PACKAGE_SENT', payload: { sentOn: today, channel: 'Note verbale' } })
      .expect(200);
    await t
      .http()
      .post(`/instances/${id}/events`)
      .set(auth)
      .send({ type: 'PARTNER_CONSIDERING', payload: { note: 'Studying it' } })
      .expect(200);
    const followUp = (note: string, key?: string) => {
      const req = t.http().post(`/instances/${id}/events`).set(auth);
      if (key) req.set('Idempotency-Key', key);
      return req.send({ type: 'FOLLOW_UP', payload: { contactedOn: today, note } });
    };

    // Cut while a burst of events is in flight: each answers 200 or 503, quickly.
    const burst = Array.from({ length: 10 }, (_, i) => timed(followUp(`burst ${i}`, `burst-${i}`).then((r) => r)));
    await new Promise((r) => setTimeout(r, 15));
    await proxy.cut();
    for (const { res, ms } of await Promise.all(burst)) {
      expect([200, 503]).toContain(res.status);
      if (res.status === 503) expectUnavailable(res, ms);
    }

    // While it is down: reads, writes, the auth guard's own lookup and sign-in all answer 503.
    const down = await Promise.all([
      timed(
        t
          .http()
          .get(`/instances/${id}`)
          .set(auth)
          .then((r) => r),
      ),
      timed(
        t
          .http()
          .get('/instances')
          .set(auth)
          .then((r) => r),
      ),
      timed(followUp('while down').then((r) => r)),
      timed(start('AZ').then((r) => r)),
      timed(
        t
          .http()
          .post('/auth/sign-in')
          .send({ email: officer.email, password: officer.password })
          .then((r) => r),
      ),
    ]);
    for (const { res, ms } of down) expectUnavailable(res, ms);

    const health = await timed(
      t
        .http()
        .get('/health')
        .then((r) => r),
    );
    expectUnavailable(health.res, health.ms);
    expect(health.res.body.message).toMatch(/database/);

    // Asked again, still fast (no pile-up of waiting connection attempts).
    const second = await timed(
      t
        .http()
        .get(`/instances/${id}/history`)
        .set(auth)
        .then((r) => r),
    );
    expectUnavailable(second.res, second.ms);

    // Back: the service recovers by itself.
    await proxy.restore();
    await waitFor(
      'the health check to pass again',
      async () => (await t.http().get('/health')).status === 200,
      30_000,
      250,
    );
    await followUp('after the outage', 'after-outage').expect(200);
    // the burst's keys: whatever committed replays, whatever did not applies now; once each
    for (let i = 0; i < 10; i++) await followUp(`burst ${i}`, `burst-${i}`).expect(200);
    const history = await t.http().get(`/instances/${id}/history`).set(auth).expect(200);
    const notes = (history.body as { type: string; payload: { note?: string } }[])
      .filter((e) => e.type === 'FOLLOW_UP')
      .map((e) => e.payload.note);
    expect(notes.filter((n) => n?.startsWith('burst ')).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `burst ${i}`).sort(),
    );
    expect(notes).toContain('after the outage');
    expect(notes).not.toContain('while down');
    await t
      .http()
      .get(`/instances/${id}/verify`)
      .set(auth)
      .expect(200)
      .expect((r) => expect(r.body.valid).toBe(true));
    await start('AZ').expect(201);
    await t.http().post('/auth/sign-in').send({ email: officer.email, password: officer.password }).expect(200);
  });
});
