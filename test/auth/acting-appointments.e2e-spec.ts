import { AuthService } from '../../src/auth/auth.service';
import type { Actor } from '../../workflows/kernel/types';
import { auditRows } from './audit';
import { bearer, createUser, signedIn, type TestUser } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';
import { NAMED_MEMBER_STATE_REFUSAL } from '../../src/auth/member-state-naming.guard';

const DAY = 86_400_000;

describe('acting approvers', () => {
  let t: TestApp;
  let manager: { user: TestUser; token: string };
  let away: TestUser;
  let standIn: TestUser;
  let auth: AuthService;

  const actorOf = (u: TestUser): Actor => ({ id: u.id, role: u.role, memberState: u.memberState, actingFor: null });
  const iso = (ms: number) => new Date(ms).toISOString();

  beforeAll(async () => {
    t = await createTestApp();
    manager = await signedIn(t.app, { role: 'manager' });
    away = await createUser(t.app, { role: 'approver', memberState: 'KZ' });
    standIn = await createUser(t.app, { role: 'approver', memberState: 'KZ' });
    auth = t.app.get(AuthService);
  });
  afterAll(() => t.close());

  it('applies an appointment only within its period, and a revoked one not at all', async () => {
    const start = t.clock.now().getTime() + DAY;
    const end = start + 7 * DAY;
    const res = await t
      .http()
      .post('/acting-appointments')
      .set(bearer(manager.token))
      .send({
        memberState: 'KZ',
        actingUserId: standIn.id,
        forUserId: away.id,
        validFrom: iso(start),
        validTo: iso(end),
        reason: 'Annual leave',
      })
      .expect(201);
    expect(res.body).toMatchObject({
      memberState: 'KZ',
      actingUserId: standIn.id,
      forUserId: away.id,
      appointedBy: manager.user.id,
      revokedAt: null,
    });

    const [appointed] = await auditRows(t.dataSource, {
      subject: `acting_appointment:${res.body.id}`,
      action: 'acting_appointed',
    });
    expect(appointed).toMatchObject({
      actor_id: manager.user.id,
      details: { memberState: 'KZ', actingUserId: standIn.id, forUserId: away.id, reason: 'Annual leave' },
    });

    const acting = { ...actorOf(standIn), memberState: 'KZ', actingFor: away.id };
    expect(await auth.resolveActing(actorOf(standIn), new Date(start - 1))).toEqual(actorOf(standIn));
    expect(await auth.resolveActing(actorOf(standIn), new Date(start))).toEqual(acting);
    expect(await auth.resolveActing(actorOf(standIn), new Date(end - 1))).toEqual(acting);
    expect(await auth.resolveActing(actorOf(standIn), new Date(end))).toEqual(actorOf(standIn));
    // the approver who is away, and anyone else, answers as themselves
    expect(await auth.resolveActing(actorOf(away), new Date(start + DAY))).toEqual(actorOf(away));

    await t.http().delete(`/acting-appointments/${res.body.id}`).set(bearer(manager.token)).expect(200);
    expect(await auth.resolveActing(actorOf(standIn), new Date(start + DAY))).toEqual(actorOf(standIn));
    expect(
      await auditRows(t.dataSource, { subject: `acting_appointment:${res.body.id}`, action: 'acting_revoked' }),
    ).toHaveLength(1);
    const again = await t.http().delete(`/acting-appointments/${res.body.id}`).set(bearer(manager.token)).expect(409);
    expect(again.body.message).toMatch(/already revoked/);
  });

  it('only lets an approver of the same member state stand in for an approver of that state', async () => {
    const now = t.clock.now().getTime();
    const period = { validFrom: iso(now), validTo: iso(now + DAY), reason: 'Mission abroad' };
    const ru = await createUser(t.app, { role: 'approver', memberState: 'RU' });
    const officer = await createUser(t.app, { role: 'legal_officer' });

    const otherState = await t
      .http()
      .post('/acting-appointments')
      .set(bearer(manager.token))
      .send({ memberState: 'KZ', actingUserId: ru.id, forUserId: away.id, ...period })
      .expect(422);
    expect(otherState.body.message).toMatch(new RegExp(`^${ru.email} is not an approver of KZ`));

    await t
      .http()
      .post('/acting-appointments')
      .set(bearer(manager.token))
      .send({ memberState: 'KZ', actingUserId: officer.id, forUserId: away.id, ...period })
      .expect(422);
    const notApprover = await t
      .http()
      .post('/acting-appointments')
      .set(bearer(manager.token))
      .send({ memberState: 'KZ', actingUserId: standIn.id, forUserId: officer.id, ...period })
      .expect(422);
    expect(notApprover.body.message).toBe(`${officer.email} is not an approver of KZ`);
    await t
      .http()
      .post('/acting-appointments')
      .set(bearer(manager.token))
      .send({ memberState: 'KZ', actingUserId: away.id, forUserId: away.id, ...period })
      .expect(422);
    await t
      .http()
      .post('/acting-appointments')
      .set(bearer(manager.token))
      .send({ memberState: 'KZ', actingUserId: standIn.id, forUserId: away.id, ...period, validTo: period.validFrom })
      .expect(400);
    await t
      .http()
      .post('/acting-appointments')
      .set(bearer(manager.token))
      .send({
        memberState: 'KZ',
        actingUserId: standIn.id,
        forUserId: away.id,
        validFrom: iso(now - 2 * DAY),
        validTo: iso(now - DAY),
        reason: 'late',
      })
      .expect(422);
  });

  it('refuses overlapping appointments of the same people', async () => {
    const now = t.clock.now().getTime();
    const first = await t
      .http()
      .post('/acting-appointments')
      .set(bearer(manager.token))
      .send({
        memberState: 'KZ',
        actingUserId: standIn.id,
        forUserId: away.id,
        validFrom: iso(now + 30 * DAY),
        validTo: iso(now + 40 * DAY),
        reason: 'Leave',
      })
      .expect(201);
    const clash = await t
      .http()
      .post('/acting-appointments')
      .set(bearer(manager.token))
      .send({
        memberState: 'KZ',
        actingUserId: standIn.id,
        forUserId: away.id,
        validFrom: iso(now + 35 * DAY),
        validTo: iso(now + 45 * DAY),
        reason: 'Leave',
      })
      .expect(409);
    expect(clash.body.details).toEqual({ conflictingAppointmentId: first.body.id });
    // back to back is fine
    await t
      .http()
      .post('/acting-appointments')
      .set(bearer(manager.token))
      .send({
        memberState: 'KZ',
        actingUserId: standIn.id,
        forUserId: away.id,
        validFrom: iso(now + 40 * DAY),
        validTo: iso(now + 45 * DAY),
        reason: 'Leave extended',
      })
      .expect(201);
  });

  it('lets managers and admins appoint, and shows approvers the appointments of their own state only', async () => {
    const approver = await signedIn(t.app, { role: 'approver', memberState: 'KZ' });
    const denied = await t
      .http()
      .post('/acting-appointments')
      .set(bearer(approver.token))
      .send({
        memberState: 'KZ',
        actingUserId: approver.user.id,
        forUserId: away.id,
        validFrom: iso(Date.now()),
        validTo: iso(Date.now() + DAY),
        reason: 'x',
      })
      .expect(403);
    expect(denied.body.message).toBe('This action needs the role manager or admin; you are approver');

    const uz1 = await createUser(t.app, { role: 'approver', memberState: 'UZ' });
    const uz2 = await createUser(t.app, { role: 'approver', memberState: 'UZ' });
    const admin = await signedIn(t.app, { role: 'admin' });
    const now = t.clock.now().getTime();
    await t
      .http()
      .post('/acting-appointments')
      .set(bearer(admin.token))
      .send({
        memberState: 'UZ',
        actingUserId: uz2.id,
        forUserId: uz1.id,
        validFrom: iso(now),
        validTo: iso(now + DAY),
        reason: 'Illness',
      })
      .expect(201);

    const all = await t.http().get('/acting-appointments').set(bearer(manager.token)).expect(200);
    expect(new Set(all.body.map((a: { memberState: string }) => a.memberState))).toEqual(new Set(['KZ', 'UZ']));
    // naming another state is refused (one rule for naming a member state); without it, their own state's
    const named = await t.http().get('/acting-appointments?memberState=UZ').set(bearer(approver.token)).expect(403);
    expect(named.body.message).toBe(NAMED_MEMBER_STATE_REFUSAL);
    const mine = await t.http().get('/acting-appointments').set(bearer(approver.token)).expect(200);
    expect(mine.body.length).toBeGreaterThan(0);
    expect(mine.body.every((a: { memberState: string }) => a.memberState === 'KZ')).toBe(true);
    const activeNow = await t
      .http()
      .get(`/acting-appointments?activeAt=${encodeURIComponent(iso(now + 1000))}`)
      .set(bearer(manager.token))
      .expect(200);
    expect(activeNow.body.map((a: { memberState: string }) => a.memberState)).toEqual(['UZ']);
  });

  it('voids an appointment for resolveActing once the acting user moves to another state', async () => {
    const tj1 = await createUser(t.app, { role: 'approver', memberState: 'TJ' });
    const tj2 = await createUser(t.app, { role: 'approver', memberState: 'TJ' });
    const now = t.clock.now().getTime();
    await t
      .http()
      .post('/acting-appointments')
      .set(bearer(manager.token))
      .send({
        memberState: 'TJ',
        actingUserId: tj2.id,
        forUserId: tj1.id,
        validFrom: iso(now),
        validTo: iso(now + DAY),
        reason: 'Leave',
      })
      .expect(201);
    expect((await auth.resolveActing(actorOf(tj2), new Date(now + 1))).actingFor).toBe(tj1.id);
    const moved: Actor = { ...actorOf(tj2), memberState: 'KG' };
    expect(await auth.resolveActing(moved, new Date(now + 1))).toEqual(moved);
  });
});
