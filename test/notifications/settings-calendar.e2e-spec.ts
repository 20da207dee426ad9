/**
 * Each reader's notification settings over HTTP (language, time zone, digest hour, delivery per
 * topic, followed partners: bad input is refused with a sentence and writes nothing), and the
 * private iCalendar feed: parsed with node-ical, it lists the reader's open deadlines in their
 * language (answers their state owes, reviews on them, partners they follow), drops an answer once
 * given, and stops working when revoked.
 */
import * as ical from 'node-ical';
import type { Actor } from '../../workflows/kernel/types';
import { WorkflowEngine } from '../../src/engine/engine.service';
import { OutboxRelay } from '../../src/engine/outbox.relay';
import { WorldService } from '../../src/engine/world.service';
import { bearer, createUser, tokenFor, type TestUser } from '../support/auth';
import { draftUpTo } from '../support/drafts';
import { createTestApp, type TestApp } from '../support/test-app';

process.env.RECONCILE_EVERY_MS = '0';

const actor = (u: TestUser): Actor => ({ id: u.id, role: u.role, memberState: u.memberState, actingFor: null });

describe('notification settings and the calendar feed', () => {
  let t: TestApp;
  let engine: WorkflowEngine;
  let drafter: TestUser, reviewer: TestUser, manager: TestUser, kz: TestUser, cn: TestUser;
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    t = await createTestApp({ env: { PUBLIC_URL: 'https://amendflow.sco.test' } });
    engine = t.app.get(WorkflowEngine);
    [drafter, reviewer, manager, kz, cn] = await Promise.all([
      createUser(t.app, { role: 'legal_officer' }),
      createUser(t.app, { role: 'legal_officer' }),
      createUser(t.app, { role: 'manager' }),
      createUser(t.app, { role: 'approver', memberState: 'KZ' }),
      createUser(t.app, { role: 'approver', memberState: 'CN' }),
    ]);
    for (const u of [drafter, reviewer, manager, kz, cn]) tokens.set(u.id, await tokenFor(t.app, u));
  });
  afterAll(() => t.close());
  const as = (u: TestUser) => bearer(tokens.get(u.id) as string);

  it('settings: defaults from the member state; bad input refused with a sentence and nothing written', async () => {
    const before = await t.http().get('/notifications/settings').set(as(kz)).expect(200);
    expect(before.body).toMatchObject({
      language: null,
      timeZone: null,
      effectiveLanguage: 'ru',
      effectiveTimeZone: 'Asia/Almaty',
      digestHour: 8,
      followedPartners: [],
      mailEnabled: false,
      calendar: false,
    });
    expect(before.body.preferences).toMatchObject({ round_opened: 'email', reminder: 'email', objection: 'email' });

    const refused = [
      [{ timeZone: 'Mars/Olympus', digestHour: 7 }, /timeZone: "Mars\/Olympus" is not a time zone/],
      [{ preferences: { gossip: 'email' }, digestHour: 7 }, /there is no topic "gossip"/],
      [{ preferences: { reminder: 'pigeon' } }, /preferences.reminder: choose in_app/],
      [{ followedPartners: ['ZZ'], digestHour: 7 }, /ZZ is not a partner in the reference data/],
      [{ language: 'fr' }, /language must be one of en, ru, zh/],
      [{ digestHour: 24 }, /digestHour must be a whole hour from 0 to 23/],
    ] as const;
    for (const [body, why] of refused) {
      const res = await t.http().put('/notifications/settings').set(as(kz)).send(body).expect(400);
      expect(res.body.message).toMatch(why);
    }
    expect((await t.http().get('/notifications/settings').set(as(kz)).expect(200)).body).toEqual(before.body);

    const partner = (await t.app.get(WorldService).for(t.dataSource.manager, null, t.clock.now())).memoranda[0].partner;
    const changed = await t
      .http()
      .put('/notifications/settings')
      .set(as(kz))
      .send({
        language: 'en',
        timeZone: 'Europe/Moscow',
        digestHour: 18,
        preferences: { position_recorded: 'digest', round_settled: 'in_app' },
        followedPartners: [partner],
      })
      .expect(200);
    expect(changed.body).toMatchObject({
      language: 'en',
      effectiveLanguage: 'en',
      effectiveTimeZone: 'Europe/Moscow',
      digestHour: 18,
      followedPartners: [partner],
    });
    expect(changed.body.preferences).toMatchObject({
      position_recorded: 'digest',
      round_settled: 'in_app',
      reminder: 'email',
    });
    await t
      .http()
      .put('/notifications/settings')
      .set(as(kz))
      .send({ language: null, timeZone: null, followedPartners: [] })
      .expect(200);
  });

  it('the calendar feed lists the reader’s open deadlines in their language, and is revocable', async () => {
    const paths = new Map<string, string>();
    const feedOf = async (u: TestUser) => {
      const { body } = await t.http().post('/notifications/calendar').set(as(u)).expect(200);
      const url = String(body.url);
      expect(url).toMatch(/^https:\/\/amendflow\.sco\.test\/calendar\/[A-Za-z0-9_-]{32}\.ics$/);
      const path = new URL(url).pathname;
      paths.set(u.id, path);
      return async () => {
        const res = await t.http().get(path).expect(200);
        expect(res.headers['content-type']).toMatch(/^text\/calendar/);
        return Object.values(ical.sync.parseICS(res.text)).filter((c): c is ical.VEvent => c?.type === 'VEVENT');
      };
    };
    const kzFeed = await feedOf(kz);
    const cnFeed = await feedOf(cn);
    const drafterFeed = await feedOf(drafter);
    const managerFeed = await feedOf(manager);
    expect(await kzFeed()).toEqual([]);

    const { instanceId } = await engine.start({
      definitionId: 'model-memorandum-amendment',
      input: { proposedBy: 'Secretariat', rationale: 'Partner status' },
      actor: actor(drafter),
    });
    await engine.apply({ instanceId, type: 'START_DRAFTING', payload: {}, actor: actor(drafter) });
    await draftUpTo(t.app, instanceId, actor(drafter), 1);
    await engine.apply({ instanceId, type: 'SUBMIT_FOR_REVIEW', payload: { draftVersion: 1 }, actor: actor(drafter) });
    // the review is on the officers of the procedure
    const review = await drafterFeed();
    expect(review).toHaveLength(1);
    expect(review[0].summary).toContain('Internal legal review');
    await engine.apply({ instanceId, type: 'APPROVE_REVIEW', payload: {}, actor: actor(reviewer) });
    await t.app.get(OutboxRelay).drain();

    const [circ] = await t.dataSource.query(
      `SELECT due_at FROM deadline WHERE instance_id = $1 AND key = 'circulation' AND status = 'open'`,
      [instanceId],
    );
    const kzEvents = await kzFeed();
    expect(kzEvents).toHaveLength(1);
    expect(kzEvents[0].summary).toMatch(
      /^Рассылка государствам-членам для замечаний — 1\(d\) .+ \(model_memorandum\)$/,
    );
    // iCalendar times are to the second
    expect(new Date(kzEvents[0].start).getTime()).toBe(Math.floor(new Date(circ.due_at).getTime() / 1000) * 1000);
    expect(kzEvents[0].description).toContain(`https://amendflow.sco.test/app/#/procedure/${instanceId}`);
    const cnEvents = await cnFeed();
    expect(cnEvents).toHaveLength(1);
    expect(cnEvents[0].summary).toMatch(/^分发成员国征求意见 — 1\(d\) /);

    // once KZ has answered, its calendar no longer asks it; CN still owes an answer
    await engine.apply({ instanceId, type: 'RESPOND', payload: { draftVersion: 1 }, actor: actor(kz) });
    expect(await kzFeed()).toEqual([]);
    expect(await cnFeed()).toHaveLength(1);

    // a manager following a partner sees the deadlines of that partner's procedures
    const world = await t.app.get(WorldService).for(t.dataSource.manager, null, t.clock.now());
    const m = world.memoranda[0];
    await t
      .http()
      .put('/notifications/settings')
      .set(as(manager))
      .send({ followedPartners: [m.partner] })
      .expect(200);
    expect(await managerFeed()).toEqual([]);
    const opened = await engine.start({
      definitionId: 'memorandum-amendment',
      input: { partner: m.partner, memorandumId: m.memorandumId },
      actor: actor(drafter),
    });
    const followed = await managerFeed();
    expect(followed.length).toBeGreaterThan(0);
    expect(followed.every((e) => JSON.stringify(e.description).includes(opened.instanceId))).toBe(true);

    // revoked: the address stops working, with a sentence
    await t.http().delete('/notifications/calendar').set(as(kz)).expect(204);
    const gone = await t
      .http()
      .get(paths.get(kz.id) as string)
      .expect(404);
    expect(gone.body.message).toMatch(/not valid or was revoked/);
    await t.http().get('/calendar/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics').expect(404);
    expect(await cnFeed()).toHaveLength(1); // the others' addresses still work
    await t.http().get('/calendar/not-a-token').expect(404);
  });
});
