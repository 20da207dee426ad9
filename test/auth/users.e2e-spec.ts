import { auditRows } from './audit';
import { bearer, createUser, signedIn, tokenFor, type TestUser } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

describe('users and roles', () => {
  let t: TestApp;
  let admin: { user: TestUser; token: string };

  beforeAll(async () => {
    t = await createTestApp();
    admin = await signedIn(t.app, { role: 'admin' });
  });
  afterAll(() => t.close());

  const newUser = (overrides: Record<string, unknown> = {}) => ({
    email: `person.${Math.random().toString(36).slice(2, 8)}@example.org`,
    displayName: 'A Person',
    password: 'initial password 1',
    role: 'approver',
    memberState: 'KZ',
    ...overrides,
  });

  it('does not let an approver or a manager create users, and says which role is needed', async () => {
    const approver = await signedIn(t.app, { role: 'approver', memberState: 'RU' });
    const res = await t.http().post('/users').set(bearer(approver.token)).send(newUser()).expect(403);
    expect(res.body).toEqual({
      statusCode: 403,
      error: 'FORBIDDEN',
      message: 'This action needs the role admin; you are approver',
      details: { requiredRoles: ['admin'], role: 'approver' },
    });

    const manager = await signedIn(t.app, { role: 'manager' });
    const byManager = await t.http().post('/users').set(bearer(manager.token)).send(newUser()).expect(403);
    expect(byManager.body.message).toBe('This action needs the role admin; you are manager');
    await t.http().get('/users').set(bearer(manager.token)).expect(200);

    const officer = await signedIn(t.app, { role: 'legal_officer' });
    const list = await t.http().get('/users').set(bearer(officer.token)).expect(403);
    expect(list.body.message).toBe('This action needs the role manager or admin; you are legal_officer');
  });

  it('lets an admin create an approver of a current member state (audited), who can then sign in', async () => {
    const body = newUser({ email: 'New.Approver@Example.org' });
    const res = await t.http().post('/users').set(bearer(admin.token)).send(body).expect(201);
    expect(res.body).toMatchObject({
      email: 'new.approver@example.org',
      role: 'approver',
      memberState: 'KZ',
      active: true,
    });
    expect(res.body).not.toHaveProperty('passwordHash');

    const [created] = await auditRows(t.dataSource, { subject: `user:${res.body.id}`, action: 'user_created' });
    expect(created).toMatchObject({
      actor_id: admin.user.id,
      details: { email: 'new.approver@example.org', role: 'approver', memberState: 'KZ' },
    });
    expect(JSON.stringify(created)).not.toContain('initial password');

    const signIn = await t
      .http()
      .post('/auth/sign-in')
      .send({ email: 'NEW.approver@example.org', password: body.password })
      .expect(200);
    expect(signIn.body.user.memberState).toBe('KZ');

    const dup = await t
      .http()
      .post('/users')
      .set(bearer(admin.token))
      .send(newUser({ email: 'new.APPROVER@example.org' }))
      .expect(409);
    expect(dup.body.message).toBe('A user with email new.approver@example.org already exists');
  });

  it('requires a current member state for approvers and none for other roles', async () => {
    const missing = await t
      .http()
      .post('/users')
      .set(bearer(admin.token))
      .send(newUser({ memberState: undefined }))
      .expect(422);
    expect(missing.body.message).toBe('An approver needs a member state (the state whose positions they record)');

    const notMember = await t
      .http()
      .post('/users')
      .set(bearer(admin.token))
      .send(newUser({ memberState: 'MN' }))
      .expect(422);
    expect(notMember.body.message).toBe(
      'MN is not a current SCO member state (current: BY, CN, IN, IR, KG, KZ, PK, RU, TJ, UZ)',
    );

    const badFormat = await t
      .http()
      .post('/users')
      .set(bearer(admin.token))
      .send(newUser({ memberState: 'kaz' }))
      .expect(400);
    expect(badFormat.body.message).toMatch(/memberState/);

    const officer = await t
      .http()
      .post('/users')
      .set(bearer(admin.token))
      .send(newUser({ role: 'legal_officer' }))
      .expect(422);
    expect(officer.body.message).toBe('Only approvers have a member state; a legal_officer cannot be given KZ');

    await t
      .http()
      .post('/users')
      .set(bearer(admin.token))
      .send(newUser({ role: 'system', memberState: undefined }))
      .expect(400);
    await t
      .http()
      .post('/users')
      .set(bearer(admin.token))
      .send(newUser({ password: 'short' }))
      .expect(400);
  });

  it('lists users with filters', async () => {
    await createUser(t.app, { role: 'approver', memberState: 'UZ' });
    const res = await t
      .http()
      .get('/users?role=approver&memberState=UZ&active=true')
      .set(bearer(admin.token))
      .expect(200);
    expect(res.body.length).toBeGreaterThan(0);
    expect(res.body.every((u: TestUser) => u.role === 'approver' && u.memberState === 'UZ')).toBe(true);
  });

  it('changes a role: audited as role_changed, the member state follows, the user’s tokens are revoked', async () => {
    const approver = await createUser(t.app, { role: 'approver', memberState: 'CN' });
    const token = await tokenFor(t.app, approver);
    await t.http().get('/auth/me').set(bearer(token)).expect(200);

    const res = await t
      .http()
      .patch(`/users/${approver.id}`)
      .set(bearer(admin.token))
      .send({ role: 'legal_officer' })
      .expect(200);
    expect(res.body).toMatchObject({ role: 'legal_officer', memberState: null });

    const revoked = await t.http().get('/auth/me').set(bearer(token)).expect(401);
    expect(revoked.body.message).toBe('This token has been revoked');

    const [changed] = await auditRows(t.dataSource, { subject: `user:${approver.id}`, action: 'role_changed' });
    expect(changed).toMatchObject({
      actor_id: admin.user.id,
      details: {
        from: { role: 'approver', memberState: 'CN' },
        to: { role: 'legal_officer', memberState: null },
        tokensRevoked: 1,
      },
    });

    const back = await t
      .http()
      .patch(`/users/${approver.id}`)
      .set(bearer(admin.token))
      .send({ role: 'approver' })
      .expect(422);
    expect(back.body.message).toMatch(/needs a member state/);
    await t
      .http()
      .patch(`/users/${approver.id}`)
      .set(bearer(admin.token))
      .send({ role: 'approver', memberState: 'IN' })
      .expect(200);
  });

  it('moving an approver to another member state is a role change too', async () => {
    const approver = await createUser(t.app, { role: 'approver', memberState: 'PK' });
    const token = await tokenFor(t.app, approver);
    await t.http().patch(`/users/${approver.id}`).set(bearer(admin.token)).send({ memberState: 'TJ' }).expect(200);
    await t.http().get('/auth/me').set(bearer(token)).expect(401);
    const fresh = await tokenFor(t.app, { ...approver, memberState: 'TJ' });
    const me = await t.http().get('/auth/me').set(bearer(fresh)).expect(200);
    expect(me.body.memberState).toBe('TJ');
  });

  it('renaming does not revoke tokens', async () => {
    const user = await createUser(t.app, { role: 'manager' });
    const token = await tokenFor(t.app, user);
    await t.http().patch(`/users/${user.id}`).set(bearer(admin.token)).send({ displayName: 'Renamed' }).expect(200);
    await t.http().get('/auth/me').set(bearer(token)).expect(200);
    expect(await auditRows(t.dataSource, { subject: `user:${user.id}`, action: 'role_changed' })).toHaveLength(0);
  });

  it('deactivates a user: audited, tokens revoked, sign-in refused; reactivation is audited too', async () => {
    const user = await createUser(t.app, { role: 'legal_officer' });
    const token = await tokenFor(t.app, user);
    await t.http().patch(`/users/${user.id}`).set(bearer(admin.token)).send({ active: false }).expect(200);
    expect((await t.http().get('/auth/me').set(bearer(token)).expect(401)).body.message).toBe(
      'This token has been revoked',
    );
    await t.http().post('/auth/sign-in').send({ email: user.email, password: user.password }).expect(401);

    const [deactivated] = await auditRows(t.dataSource, { subject: `user:${user.id}`, action: 'user_deactivated' });
    expect(deactivated).toMatchObject({ actor_id: admin.user.id, details: { tokensRevoked: 1 } });

    await t.http().patch(`/users/${user.id}`).set(bearer(admin.token)).send({ active: true }).expect(200);
    expect(await auditRows(t.dataSource, { subject: `user:${user.id}`, action: 'user_reactivated' })).toHaveLength(1);
    await t.http().post('/auth/sign-in').send({ email: user.email, password: user.password }).expect(200);
  });

  it('revokes all of a user’s tokens on demand (audited)', async () => {
    const user = await createUser(t.app, { role: 'manager' });
    const tokens = [await tokenFor(t.app, user), await tokenFor(t.app, user)];
    const res = await t.http().post(`/users/${user.id}/revoke-tokens`).set(bearer(admin.token)).expect(200);
    expect(res.body).toEqual({ tokensRevoked: 2 });
    for (const token of tokens) {
      expect((await t.http().get('/auth/me').set(bearer(token)).expect(401)).body.message).toBe(
        'This token has been revoked',
      );
    }
    const [entry] = await auditRows(t.dataSource, { subject: `user:${user.id}`, action: 'token_revoked' });
    expect(entry).toMatchObject({ actor_id: admin.user.id, details: { scope: 'all', tokensRevoked: 2 } });
    await t
      .http()
      .get('/auth/me')
      .set(bearer(await tokenFor(t.app, user)))
      .expect(200);
  });

  it('keeps an admin from demoting or deactivating themselves', async () => {
    const res = await t
      .http()
      .patch(`/users/${admin.user.id}`)
      .set(bearer(admin.token))
      .send({ active: false })
      .expect(422);
    expect(res.body.message).toBe('You cannot change your own role or deactivate yourself; ask another admin');
    await t.http().patch(`/users/${admin.user.id}`).set(bearer(admin.token)).send({ role: 'manager' }).expect(422);
  });

  it('answers unknown and malformed ids', async () => {
    await t
      .http()
      .patch('/users/00000000-0000-4000-8000-000000000000')
      .set(bearer(admin.token))
      .send({ active: false })
      .expect(404);
    await t.http().patch('/users/not-an-id').set(bearer(admin.token)).send({ active: false }).expect(400);
  });

  it('keeps the audit log append-only', async () => {
    await expect(t.dataSource.query(`update audit_log set subject = 'x'`)).rejects.toThrow(/append-only/);
    await expect(t.dataSource.query(`delete from audit_log`)).rejects.toThrow(/append-only/);
  });

  it('takes the member state from the user record, not from the token claims', async () => {
    const approver = await createUser(t.app, { role: 'approver', memberState: 'BY' });
    // a token whose informative claims say something else
    const token = await tokenFor(t.app, { id: approver.id, role: 'admin', memberState: 'RU' });
    const me = await t.http().get('/auth/me').set(bearer(token)).expect(200);
    expect(me.body).toMatchObject({ role: 'approver', memberState: 'BY' });
    await t.http().get('/users').set(bearer(token)).expect(403);
  });
});
