import { JwtService } from '@nestjs/jwt';
import { auditRows } from './audit';
import { bearer, createUser, signIn, tokenFor, type TestUser } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

describe('sign-in, tokens and sign-out', () => {
  let t: TestApp;
  let officer: TestUser;

  beforeAll(async () => {
    t = await createTestApp();
    officer = await createUser(t.app, {
      role: 'legal_officer',
      email: 'Officer.One@Example.org',
      password: 'a long enough password',
    });
  });
  afterAll(() => t.close());

  it('signs in with email and password and answers /auth/me with the user', async () => {
    const res = await t
      .http()
      .post('/auth/sign-in')
      .send({ email: 'officer.one@example.org', password: 'a long enough password' })
      .expect(200);
    expect(res.body).toEqual({
      accessToken: expect.any(String),
      expiresIn: 900,
      expiresAt: new Date(t.clock.now().getTime() - (t.clock.now().getTime() % 1000) + 900_000).toISOString(),
      user: expect.objectContaining({
        id: officer.id,
        email: 'officer.one@example.org',
        role: 'legal_officer',
        memberState: null,
        active: true,
      }),
    });
    expect(JSON.stringify(res.body)).not.toMatch(/password|argon2/i);

    const me = await t.http().get('/auth/me').set(bearer(res.body.accessToken)).expect(200);
    expect(me.body).toMatchObject({ id: officer.id, role: 'legal_officer' });

    const [entry] = await auditRows(t.dataSource, { subject: `user:${officer.id}`, action: 'sign_in' });
    expect(entry).toMatchObject({ actor_id: officer.id, ip: expect.stringMatching(/127\.0\.0\.1/) });
  });

  it('answers every failed sign-in with the same 401 and audits the reason, never the password', async () => {
    const unknown = await t
      .http()
      .post('/auth/sign-in')
      .send({ email: 'nobody@example.org', password: 'secret-guess-1' })
      .expect(401);
    const wrong = await t
      .http()
      .post('/auth/sign-in')
      .send({ email: officer.email, password: 'secret-guess-2' })
      .expect(401);
    for (const res of [unknown, wrong]) {
      expect(res.body).toEqual({
        statusCode: 401,
        error: 'UNAUTHENTICATED',
        message: 'Email or password is incorrect',
      });
    }

    const failures = await auditRows(t.dataSource, { action: 'sign_in_failed' });
    expect(failures).toEqual([
      expect.objectContaining({
        actor_id: null,
        subject: 'email:nobody@example.org',
        details: { reason: 'unknown_email' },
      }),
      expect.objectContaining({
        actor_id: officer.id,
        subject: 'email:officer.one@example.org',
        details: { reason: 'wrong_password' },
      }),
    ]);
    expect(JSON.stringify(failures)).not.toContain('secret-guess');
  });

  it('refuses a deactivated user with the same answer', async () => {
    const gone = await createUser(t.app, { role: 'manager' });
    await t.dataSource.query(`update app_user set active = false where id = $1`, [gone.id]);
    const res = await t.http().post('/auth/sign-in').send({ email: gone.email, password: gone.password }).expect(401);
    expect(res.body.message).toBe('Email or password is incorrect');
    const [entry] = await auditRows(t.dataSource, { subject: `email:${gone.email}` });
    expect(entry.details).toEqual({ reason: 'deactivated' });
  });

  it('validates the sign-in body', async () => {
    const res = await t.http().post('/auth/sign-in').send({ email: officer.email }).expect(400);
    expect(res.body.message).toMatch(/password/);
  });

  it('asks to sign in when the token is missing or not a token of this service', async () => {
    const missing = await t.http().get('/auth/me').expect(401);
    expect(missing.body).toEqual({ statusCode: 401, error: 'UNAUTHENTICATED', message: 'Sign in first' });
    await t
      .http()
      .get('/auth/me')
      .set('Authorization', 'Basic abc')
      .expect(401, { statusCode: 401, error: 'UNAUTHENTICATED', message: 'Sign in first' });

    const forged = await new JwtService({ secret: 'some-other-secret-of-enough-length' }).signAsync({
      sub: officer.id,
      jti: officer.id,
    });
    const res = await t.http().get('/auth/me').set(bearer(forged)).expect(401);
    expect(res.body.message).toBe('This token is not valid; sign in again');
    await t.http().get('/auth/me').set(bearer('not.a.jwt')).expect(401);
  });

  it('issues tokens with iss and aud, and refuses a token of the right key for another issuer or audience', async () => {
    const token = await tokenFor(t.app, officer);
    const jwt = t.app.get(JwtService);
    expect(jwt.decode(token)).toMatchObject({ iss: 'amendflow', aud: 'amendflow-api' });
    const { sub, jti } = jwt.decode<{ sub: string; jti: string }>(token);
    const now = Math.floor(t.clock.now().getTime() / 1000);
    const claims = { sub, jti, iat: now, exp: now + 600 };
    for (const options of [
      { issuer: 'someone-else', audience: 'amendflow-api' },
      { issuer: 'amendflow', audience: 'another-service' },
      {},
    ]) {
      const other = await jwt.signAsync(claims, options);
      const res = await t.http().get('/auth/me').set(bearer(other)).expect(401);
      expect(res.body.message).toBe('This token is not valid; sign in again');
    }
    await t
      .http()
      .get('/auth/me')
      .set(bearer(await jwt.signAsync(claims, { issuer: 'amendflow', audience: 'amendflow-api' })))
      .expect(200);
  });

  it('rejects a token once the clock passes its expiry (15 minutes by default)', async () => {
    const token = await tokenFor(t.app, officer);
    t.clock.advance({ minutes: 14, seconds: 59 });
    await t.http().get('/auth/me').set(bearer(token)).expect(200);
    t.clock.advance({ seconds: 1 });
    const res = await t.http().get('/auth/me').set(bearer(token)).expect(401);
    expect(res.body.message).toBe('Your session has expired; sign in again');
  });

  it('rejects a token signed with the right secret but a past expiry', async () => {
    const jwt = t.app.get(JwtService);
    const past = Math.floor(t.clock.now().getTime() / 1000) - 60;
    const token = await jwt.signAsync({
      sub: officer.id,
      jti: '00000000-0000-4000-8000-000000000000',
      iat: past - 900,
      exp: past,
    });
    const res = await t.http().get('/auth/me').set(bearer(token)).expect(401);
    expect(res.body.message).toBe('Your session has expired; sign in again');
  });

  it('signs out: that token is revoked, other sessions of the user keep working', async () => {
    const first = await tokenFor(t.app, officer);
    const second = await tokenFor(t.app, officer);
    await t.http().post('/auth/sign-out').set(bearer(first)).expect(204);

    const res = await t.http().get('/auth/me').set(bearer(first)).expect(401);
    expect(res.body).toEqual({ statusCode: 401, error: 'UNAUTHENTICATED', message: 'This token has been revoked' });
    await t.http().post('/auth/sign-out').set(bearer(first)).expect(401);
    await t.http().get('/auth/me').set(bearer(second)).expect(200);

    const signOuts = await auditRows(t.dataSource, { subject: `user:${officer.id}`, action: 'sign_out' });
    expect(signOuts).toHaveLength(1);
  });

  it('leaves /health public', async () => {
    const res = await t.http().get('/health');
    expect(res.status).not.toBe(401);
  });
});

describe('access-token lifetime from ACCESS_TOKEN_TTL', () => {
  let t: TestApp;
  const saved = process.env.ACCESS_TOKEN_TTL;

  beforeAll(async () => {
    process.env.ACCESS_TOKEN_TTL = '60';
    t = await createTestApp();
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env.ACCESS_TOKEN_TTL;
    else process.env.ACCESS_TOKEN_TTL = saved;
    await t.close();
  });

  it('issues tokens that live ACCESS_TOKEN_TTL seconds', async () => {
    const user = await createUser(t.app, { role: 'manager' });
    const res = await t.http().post('/auth/sign-in').send({ email: user.email, password: user.password }).expect(200);
    expect(res.body.expiresIn).toBe(60);
    t.clock.advance({ seconds: 61 });
    await t.http().get('/auth/me').set(bearer(res.body.accessToken)).expect(401);
  });
});

describe('sign-in throttling', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('answers 429 after 10 attempts in a minute from one address', async () => {
    const user = await createUser(t.app, { role: 'admin' });
    for (let i = 0; i < 9; i++) {
      await t
        .http()
        .post('/auth/sign-in')
        .send({ email: user.email, password: `wrong guess ${i}` })
        .expect(401);
    }
    await signIn(t.http(), user.email, user.password); // the 10th attempt, still allowed
    const res = await t.http().post('/auth/sign-in').send({ email: user.email, password: user.password }).expect(429);
    expect(res.body).toMatchObject({
      statusCode: 429,
      error: 'RATE_LIMITED',
      message: expect.stringMatching(/^Too many sign-in attempts from this address; try again in \d+ seconds?$/),
    });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    // other routes are not throttled
    await t.http().get('/auth/me').expect(401);
  });
});
