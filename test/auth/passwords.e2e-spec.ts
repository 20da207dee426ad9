import { bearer, createUser, signIn, tokenFor, type TestUser } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';
import { isCommonPassword } from '../../src/auth/password-policy';

const NEW_PASSWORD = 'amber kettle over the ridge';

describe('password rules', () => {
  let t: TestApp;
  let adminToken: string;
  beforeAll(async () => {
    t = await createTestApp();
    adminToken = await tokenFor(t.app, await createUser(t.app, { role: 'admin' }));
  });
  afterAll(() => t.close());

  const create = (password: string, email = 'new.officer@example.org') =>
    t
      .http()
      .post('/users')
      .set(bearer(adminToken))
      .send({ email, displayName: 'New officer', role: 'legal_officer', password });

  it('ships a list of the most common breached passwords and refuses them, whatever the case or spacing', async () => {
    expect(isCommonPassword('123qweasdzxc')).toBe(true);
    expect(isCommonPassword('Password')).toBe(true);
    expect(isCommonPassword('1qaz 2wsx 3edc')).toBe(true);
    expect(isCommonPassword(NEW_PASSWORD)).toBe(false);
    const res = await create('1QAZ2WSX3EDC').expect(400);
    expect(res.body.message).toBe(
      'This password is one of the most common passwords found in data breaches; choose another',
    );
  });

  it('refuses a password shorter than PASSWORD_MIN_LENGTH (12) or equal to the email', async () => {
    expect((await create('short pass').expect(400)).body.message).toBe(
      'The password must be at least 12 characters long',
    );
    expect((await create('someone.long@example.org', 'someone.long@example.org').expect(400)).body.message).toBe(
      'The password must not be the email address',
    );
    expect(await t.dataSource.query(`select 1 from app_user where email like 'new.officer%'`)).toEqual([]);
    await create(NEW_PASSWORD).expect(201);
  });
});

describe('password change', () => {
  let t: TestApp;
  let user: TestUser;
  beforeAll(async () => {
    t = await createTestApp({ env: { SIGN_IN_ATTEMPTS_PER_MINUTE: '1000' } });
    user = await createUser(t.app, { role: 'approver', memberState: 'KZ' });
  });
  afterAll(() => t.close());

  it('lets every user change their own password; other sessions end, this one goes on', async () => {
    const current = await signIn(t.http(), user.email, user.password);
    const other = await signIn(t.http(), user.email, user.password);
    const change = (currentPassword: string, newPassword: string) =>
      t.http().post('/auth/password').set(bearer(current)).send({ currentPassword, newPassword });

    expect((await change('not my password', NEW_PASSWORD).expect(400)).body.message).toBe(
      'The current password is not correct',
    );
    expect((await change(user.password, 'qwertyuiop123').expect(400)).body.message).toMatch(/most common passwords/);
    await change(user.password, NEW_PASSWORD).expect(204);

    await t.http().get('/auth/me').set(bearer(current)).expect(200);
    await t.http().get('/auth/me').set(bearer(other)).expect(401);
    await t.http().post('/auth/sign-in').send({ email: user.email, password: user.password }).expect(401);
    await signIn(t.http(), user.email, NEW_PASSWORD);
    const audit = await t.dataSource.query(
      `select actor_id, details from audit_log where action = 'password_changed' and subject = $1`,
      [`user:${user.id}`],
    );
    expect(audit).toEqual([{ actor_id: user.id, details: { otherTokensRevoked: 1 } }]);
  });

  it('needs a signed-in user', async () => {
    await t.http().post('/auth/password').send({ currentPassword: 'x', newPassword: NEW_PASSWORD }).expect(401);
  });
});

describe('administrator-issued reset links', () => {
  let t: TestApp;
  let admin: TestUser;
  let user: TestUser;
  beforeAll(async () => {
    t = await createTestApp({ env: { PUBLIC_URL: 'https://amendflow.example.org/' } });
    admin = await createUser(t.app, { role: 'admin' });
    user = await createUser(t.app, { role: 'legal_officer' });
  });
  afterAll(() => t.close());

  const issue = async (forUser: TestUser) =>
    (
      await t
        .http()
        .post(`/users/${forUser.id}/password-reset`)
        .set(bearer(await tokenFor(t.app, admin)))
        .expect(201)
    ).body as { resetUrl: string; token: string; expiresAt: string };
  const reset = (token: string, newPassword = NEW_PASSWORD) =>
    t.http().post('/auth/password-reset').send({ token, newPassword });

  it('only administrators issue them', async () => {
    const manager = await createUser(t.app, { role: 'manager' });
    await t
      .http()
      .post(`/users/${user.id}/password-reset`)
      .set(bearer(await tokenFor(t.app, manager)))
      .expect(403);
    await t
      .http()
      .post(`/users/00000000-0000-4000-8000-000000000000/password-reset`)
      .set(bearer(await tokenFor(t.app, admin)))
      .expect(404);
  });

  it('work once, within PASSWORD_RESET_TTL, and end every session of the user', async () => {
    const session = await tokenFor(t.app, user);
    const link = await issue(user);
    expect(link.resetUrl).toBe(`https://amendflow.example.org/app/#/reset-password/${link.token}`);
    expect(new Date(link.expiresAt).getTime() - t.clock.now().getTime()).toBe(24 * 3600 * 1000);
    // only a hash is stored
    const stored = await t.dataSource.query(`select token_hash from password_reset where user_id = $1`, [user.id]);
    expect(JSON.stringify(stored)).not.toContain(link.token);

    expect((await reset(link.token, 'password1234').expect(400)).body.message).toMatch(/most common passwords/);
    await reset(link.token).expect(204);
    expect((await reset(link.token, 'another fine long password').expect(400)).body.message).toBe(
      'This reset link is not valid, was already used or has expired; ask an administrator for a new one',
    );
    await t.http().get('/auth/me').set(bearer(session)).expect(401);
    await signIn(t.http(), user.email, NEW_PASSWORD);
    expect(
      await t.dataSource.query(
        `select action from audit_log where subject = $1 and action like 'password%' order by id`,
        [`user:${user.id}`],
      ),
    ).toEqual([{ action: 'password_reset_issued' }, { action: 'password_reset' }]);
  });

  it('expire, and a new link replaces the earlier one', async () => {
    const first = await issue(user);
    const second = await issue(user);
    await reset(first.token, 'a first replacement password').expect(400);
    t.clock.advance({ hours: 24, seconds: 1 });
    await reset(second.token, 'a second replacement password').expect(400);
    const third = await issue(user);
    await reset(third.token, 'a third replacement password').expect(204);
  });
});
