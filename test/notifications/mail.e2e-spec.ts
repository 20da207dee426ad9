/**
 * Notification mail through a real SMTP server started by the test: a 1(d) procedure run over
 * HTTP produces exactly one mail per reader and event, in each reader's language, with the stage,
 * what is asked, the deadline in the reader's time zone and a link to the procedure; a reminder
 * reaches only the state that had not answered; a server that refuses for now and then accepts
 * gets the mail once; a refusal for good is recorded on the notification; a digest reader gets
 * one mail a day with everything.
 */
import { NotificationsService } from '../../src/deadlines/notifications.service';
import { OutboxRelay } from '../../src/engine/outbox.relay';
import { DIGEST_SCHEDULER, NotificationMail } from '../../src/notifications/notification-mail.service';
import type { NotifyEffect } from '../../workflows/kernel/types';
import { bearer, createUser, tokenFor, type TestUser } from '../support/auth';
import { fireDue } from '../support/due-jobs';
import { startSmtp, type TestSmtp } from '../support/smtp';
import { draftUpTo } from '../support/drafts';
import { recordBodyAdopts } from '../support/reference-data';
import { createTestApp, type TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';

process.env.RECONCILE_EVERY_MS = '0';

const STATES = ['BY', 'CN', 'IN', 'IR', 'KG', 'KZ', 'PK', 'RU', 'TJ', 'UZ'];
const PUBLIC_URL = 'https://amendflow.sco.test';

describe('notification mail through a real SMTP server', () => {
  let smtp: TestSmtp;
  let t: TestApp;
  let relay: OutboxRelay;
  let drafter: TestUser, reviewer: TestUser, manager: TestUser;
  const approvers = new Map<string, TestUser>();
  const tokens = new Map<string, string>();
  let procedureId = '';

  beforeAll(async () => {
    smtp = await startSmtp();
    t = await createTestApp({
      env: {
        SMTP_URL: smtp.url,
        MAIL_FROM: 'amendflow <no-reply@sco.test>',
        PUBLIC_URL,
        MAIL_BACKOFF_MS: '50',
        MAIL_ATTEMPTS: '4',
      },
    });
    relay = t.app.get(OutboxRelay);
    [drafter, reviewer, manager] = await Promise.all([
      createUser(t.app, { role: 'legal_officer' }),
      createUser(t.app, { role: 'legal_officer' }),
      createUser(t.app, { role: 'manager' }),
    ]);
    for (const s of STATES) approvers.set(s, await createUser(t.app, { role: 'approver', memberState: s }));
    await signInAll();
  });
  /** Tokens for everyone, valid from the app clock's now. */
  const signInAll = async () => {
    for (const u of [drafter, reviewer, manager, ...approvers.values()]) tokens.set(u.id, await tokenFor(t.app, u));
  };
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  const as = (u: TestUser) => bearer(tokens.get(u.id) as string);
  const send = async (u: TestUser, id: string, type: string, payload: Record<string, unknown> = {}) => {
    const res = await t.http().post(`/instances/${id}/events`).set(as(u)).send({ type, payload });
    if (res.status !== 200) throw new Error(`${type}: ${res.status} ${JSON.stringify(res.body)}`);
  };
  /** Every notification of the run has its mail settled (none queued), and the server holds as many as were sent. */
  const mailsSettled = () =>
    waitFor(
      'every queued mail to be sent',
      async () => {
        await relay.drain();
        const [{ queued, sent }] = await t.dataSource.query(
          `SELECT count(*) FILTER (WHERE mail_status = 'queued')::int AS queued,
                  count(*) FILTER (WHERE mail_status = 'sent' AND digest_id IS NULL)::int AS sent FROM notification`,
        );
        const single = smtp.received.filter((m) => m.reference?.startsWith('notification-')).length;
        return queued === 0 && single === sent;
      },
      120_000,
      100,
    );
  /** The mails each address received, by topic (from the notification each mail names). */
  const mailsByReader = async () => {
    const rows: { id: string; topic: string; email: string }[] = await t.dataSource.query(
      `SELECT n.id, n.topic, u.email FROM notification n JOIN app_user u ON u.id = n.user_id`,
    );
    const byId = new Map(rows.map((r) => [`notification-${r.id}`, r]));
    const out = new Map<string, Record<string, number>>();
    for (const m of smtp.received) {
      const n = byId.get(m.reference ?? '');
      if (!n) continue;
      expect(m.to).toEqual([n.email]);
      const counts = out.get(n.email) ?? {};
      counts[n.topic] = (counts[n.topic] ?? 0) + 1;
      out.set(n.email, counts);
    }
    return out;
  };

  it('a 1(d) run over HTTP: one mail per reader and event, in their language, none to a state that answered before the reminder', async () => {
    const started = await t
      .http()
      .post('/instances')
      .set(as(drafter))
      .send({
        definitionId: 'model-memorandum-amendment',
        input: { proposedBy: 'Secretariat', rationale: 'A model memorandum for the merged partner status' },
      })
      .expect(201);
    const id = started.body.result.instanceId as string;
    procedureId = id;
    // the drafter writes every version; the reviewer, who wrote none, approves them
    const author = { id: drafter.id, role: 'legal_officer' as const, memberState: null, actingFor: null };
    await recordBodyAdopts(t, 'cfm', ['model_memorandum']);
    await send(drafter, id, 'START_DRAFTING');
    await draftUpTo(t.app, id, author, 1);
    await send(drafter, id, 'SUBMIT_FOR_REVIEW', { draftVersion: 1 });
    await send(reviewer, id, 'APPROVE_REVIEW');
    const late = 'UZ';
    for (const s of STATES.filter((x) => x !== late))
      await send(approvers.get(s) as TestUser, id, 'RESPOND', {
        draftVersion: 1,
        comments: s === 'RU' ? 'Art. 2' : null,
      });
    // day 23: the 7-day reminder reaches the one state that has not answered
    t.clock.advance({ days: 23 });
    await fireDue(t);
    await signInAll();
    await send(approvers.get(late) as TestUser, id, 'RESPOND', { draftVersion: 1 });
    // version 2 consolidates the comments: reviewed by the other officer, marked as the consolidation
    await draftUpTo(t.app, id, author, 2);
    await send(reviewer, id, 'CONFIRM_CHANGES', { draftVersion: 2 });
    await send(drafter, id, 'SUBMIT_TO_COORDINATORS', { draftVersion: 2, consolidation: true });
    for (const s of STATES)
      await send(
        approvers.get(s) as TestUser,
        id,
        'POSITION',
        s === 'KZ'
          ? { draftVersion: 2, kind: 'agree_with_reservation', text: 'On the translation of art. 5' }
          : { draftVersion: 2, kind: 'agree' },
      );
    await send(drafter, id, 'SUBMIT_FOR_ADOPTION', { body: 'cfm' });
    await send(drafter, id, 'RECORD_ADOPTION', {
      decisionNumber: 'CFM-2026/9',
      date: t.clock.now().toISOString().slice(0, 10),
    });
    await relay.drain();
    await relay.drain();
    await mailsSettled();

    const [{ children }] = await t.dataSource.query(
      `SELECT count(*)::int AS children FROM workflow_instance WHERE parent_id = $1`,
      [id],
    );
    expect(children).toBeGreaterThan(0);
    const got = await mailsByReader();
    const officerMails = (reviewed: boolean) => ({
      ...(reviewed ? { review_requested: 1 } : {}),
      position_recorded: 20, // ten answers to the circulation, ten positions
      round_settled: 2,
      stage_reached: 1,
      procedure_opened: children as number, // each 1(e) the adoption opened (the legal unit)
    });
    expect(got.get(drafter.email)).toEqual(officerMails(false));
    expect(got.get(reviewer.email)).toEqual(officerMails(true));
    expect(got.get(manager.email)).toEqual({ stage_reached: 1 });
    for (const s of STATES)
      expect({ s, mails: got.get((approvers.get(s) as TestUser).email) }).toEqual({
        s,
        mails: {
          version_circulated: 1,
          round_opened: 1,
          round_settled: 2,
          stage_reached: 1,
          ...(s === late ? { reminder: 1 } : {}),
        },
      });

    // each in the reader's language, with the stage, what is asked, the deadline in their zone and the link
    const first = (u: TestUser, topic: string) =>
      t.dataSource
        .query<{ id: string }[]>(`SELECT id FROM notification WHERE user_id = $1 AND topic = $2`, [u.id, topic])
        .then(([n]) => smtp.received.find((m) => m.reference === `notification-${n.id}`));
    const kz = await first(approvers.get('KZ') as TestUser, 'version_circulated');
    expect(kz).toMatchObject({
      language: 'ru',
      subject: '[1(d)] Проект, версия 1, направлен вашему государству для замечаний',
    });
    expect(kz?.text).toContain('Этап: Рассылка государствам-членам для замечаний');
    expect(kz?.text).toContain('Направьте замечания вашего государства');
    expect(kz?.text).toMatch(/Срок: .*2026|Срок: .*\(Asia\/Almaty\)/);
    expect(kz?.text).toContain('(Asia/Almaty)');
    expect(kz?.text).toContain(`${PUBLIC_URL}/app/#/procedure/${id}`);
    expect(kz?.html).toContain(`href="${PUBLIC_URL}/app/#/procedure/${id}"`);
    const cn = await first(approvers.get('CN') as TestUser, 'round_opened');
    expect(cn).toMatchObject({ language: 'zh', subject: '[1(d)] 请就草案第2版表明贵国立场' });
    expect(cn?.text).toContain('(Asia/Shanghai)');
    const india = await first(approvers.get('IN') as TestUser, 'round_opened');
    expect(india).toMatchObject({
      language: 'en',
      subject: "[1(d)] Your state's position is asked on draft version 2",
    });
    expect(india?.text).toContain('(Asia/Kolkata)');
    const uz = await first(approvers.get(late) as TestUser, 'reminder');
    expect(uz?.subject).toMatch(/^\[1\(d\)\] Напоминание: Рассылка государствам-членам для замечаний, срок /);
    const review = await first(reviewer, 'review_requested');
    expect(review).toMatchObject({ language: 'en', subject: '[1(d)] Legal review of draft version 1 requested' });
  });

  it('a correction of the adopted record: proposed to the other officer and the managers, confirmed or rejected to those concerned, by mail in their language', async () => {
    const id = procedureId;
    expect(id).not.toBe('');
    const mailsOf = async (topic: string, since: number) => {
      await mailsSettled();
      const rows: { id: string; email: string; data: { details: Record<string, unknown> } }[] =
        await t.dataSource.query(
          `SELECT n.id, u.email, m.data FROM notification n JOIN app_user u ON u.id = n.user_id
             JOIN notice m ON m.outbox_id = n.outbox_id
            WHERE n.instance_id = $1 AND n.topic = $2 AND (m.data->>'seq')::int = $3`,
          [id, topic, since],
        );
      return rows.map((r) => ({ ...r, mail: smtp.received.find((m) => m.reference === `notification-${r.id}`) }));
    };
    const correct = (u: TestUser, path: string, body: Record<string, unknown>) =>
      t.http().post(`/instances/${id}/corrections${path}`).set(as(u)).send(body);
    const approverEmails = [...approvers.values()].map((u) => u.email);

    // the drafter proposes: the reviewer (the procedure's other officer) and the manager are asked, not the drafter
    const proposed = await correct(drafter, '', {
      field: 'adoption.decisionNumber',
      value: 'CFM-2026/19',
      reason: 'The signed decision reads No. 19',
    }).expect(200);
    const number = proposed.body.result.seq as number;
    const asked = await mailsOf('correction_proposed', number);
    const askedEmails = asked.map((r) => r.email);
    expect(askedEmails).toEqual(expect.arrayContaining([reviewer.email, manager.email]));
    expect(askedEmails).not.toContain(drafter.email);
    for (const e of approverEmails) expect(askedEmails).not.toContain(e);
    const toReviewer = asked.find((r) => r.email === reviewer.email);
    expect(toReviewer?.data.details).toMatchObject({
      correction: number,
      decision: 'proposed',
      oldValue: 'CFM-2026/9',
      newValue: 'CFM-2026/19',
    });
    expect(toReviewer?.mail).toMatchObject({
      to: [reviewer.email],
      language: 'en',
      subject: `[1(d)] Correction ${number} of the record awaits confirmation`,
    });
    expect(toReviewer?.mail?.text).toContain('Correction: the decision number: "CFM-2026/9" → "CFM-2026/19"');
    expect(toReviewer?.mail?.text).toContain('Reason: The signed decision reads No. 19');
    expect(toReviewer?.mail?.text).toContain(`${PUBLIC_URL}/app/#/procedure/${id}`);

    // the reviewer confirms: the drafter and the manager are told, not the reviewer; no member state (not its answer)
    const confirmed = await correct(reviewer, `/${number}/confirm`, {}).expect(200);
    const told = await mailsOf('correction_recorded', confirmed.body.result.seq as number);
    const toldEmails = told.map((r) => r.email);
    expect(toldEmails).toEqual(expect.arrayContaining([drafter.email, manager.email]));
    expect(toldEmails).not.toContain(reviewer.email);
    for (const e of approverEmails) expect(toldEmails).not.toContain(e);
    expect(told.find((r) => r.email === drafter.email)?.mail).toMatchObject({
      subject: `[1(d)] The record was corrected (correction ${number})`,
    });

    // a Russian-speaking manager proposes another; the drafter rejects it: the proposer is told why, in Russian
    const ruManager = await createUser(t.app, { role: 'manager' });
    await t.dataSource.query(`UPDATE app_user SET language = 'ru' WHERE id = $1`, [ruManager.id]);
    tokens.set(ruManager.id, await tokenFor(t.app, ruManager));
    const second = await correct(ruManager, '', {
      field: 'adoption.decisionNumber',
      value: 'CFM-2026/91',
      reason: 'Misread',
    }).expect(200);
    const rejected = await correct(drafter, `/${second.body.result.seq as number}/reject`, {
      reason: 'The certified copy reads 19',
    }).expect(200);
    const back = await mailsOf('correction_recorded', rejected.body.result.seq as number);
    const toProposer = back.find((r) => r.email === ruManager.email);
    expect(toProposer?.mail).toMatchObject({
      language: 'ru',
      subject: `[1(d)] Исправление записи № ${second.body.result.seq as number} отклонено`,
    });
    expect(toProposer?.mail?.text).toContain('Причина: The certified copy reads 19');
    expect(back.map((r) => r.email)).not.toContain(drafter.email);
  });

  /** Stores one notice for a user, as the relay would for a machine's effect. */
  let nextOutboxId = 8_000_000;
  const notify = async (u: TestUser, effect: Partial<NotifyEffect> = {}) => {
    const id = String(nextOutboxId++);
    await t.app.get(NotificationsService).store({
      id,
      instanceId: procedureId,
      kind: 'notify',
      attempts: 0,
      payload: {
        instanceId: procedureId,
        seq: 1,
        definitionId: 'model-memorandum-amendment',
        by: 'system',
        effect: {
          type: 'effect.notify',
          kind: 'info',
          audience: { userIds: [u.id] },
          subject: `Notice ${id}`,
          ...effect,
        },
      },
    });
    return id;
  };

  it('a server that refuses for now, then accepts, gets the mail once; a refusal for good is recorded', async () => {
    const [flaky, gone] = await Promise.all([
      createUser(t.app, { role: 'manager' }),
      createUser(t.app, { role: 'manager' }),
    ]);
    smtp.refuse.set(flaky.email, [451, 421]);
    smtp.refuse.set(gone.email, [550, 550, 550, 550]);
    const a = await notify(flaky);
    const b = await notify(gone);
    const status = (outboxId: string) =>
      t.dataSource
        .query<{ mail_status: string; mail_attempts: number; mail_error: string | null }[]>(
          `SELECT mail_status, mail_attempts, mail_error FROM notification WHERE outbox_id = $1`,
          [outboxId],
        )
        .then((r) => r[0]);
    await waitFor('the flaky mail to be sent', async () => (await status(a)).mail_status === 'sent', 60_000, 100);
    await waitFor('the refusal to be recorded', async () => (await status(b)).mail_status === 'refused', 60_000, 100);
    expect(smtp.received.filter((m) => m.to.includes(flaky.email))).toHaveLength(1);
    expect(smtp.attempts.get(flaky.email)).toBe(3);
    expect(await status(a)).toMatchObject({ mail_attempts: 3, mail_error: null });
    expect(smtp.received.filter((m) => m.to.includes(gone.email))).toHaveLength(0);
    expect(smtp.attempts.get(gone.email)).toBe(1); // a 5xx answer is not retried
    expect((await status(b)).mail_error).toMatch(/550/);
    // each reader sees how their mail went: what the server answered for their address
    const mailOf = async (u: TestUser, outboxId: string) => {
      const token = await tokenFor(t.app, u);
      const list = await t.http().get('/notifications').set(bearer(token)).expect(200);
      const [row] = await t.dataSource.query<{ id: string }[]>(`SELECT id FROM notification WHERE outbox_id = $1`, [
        outboxId,
      ]);
      return (list.body.items as { id: string; mail: unknown }[]).find((n) => n.id === row.id)?.mail;
    };
    expect(await mailOf(flaky, a)).toEqual({
      status: 'sent',
      attempts: 3,
      sentAt: expect.any(String) as string,
      error: null,
      accepted: [flaky.email.toLowerCase()],
      rejected: [],
      response: expect.stringMatching(/^250 /) as string,
      messageId: expect.stringMatching(/^<notification-[0-9a-f-]+@amendflow\.sco\.test>$/) as string,
    });
    expect(await mailOf(gone, b)).toEqual({
      status: 'refused',
      attempts: 1,
      sentAt: null,
      error: expect.stringMatching(/550/) as string,
      accepted: [],
      rejected: [gone.email.toLowerCase()],
      response: expect.stringMatching(/^550 /) as string,
      messageId: expect.stringMatching(/^<notification-/) as string,
    });
  });

  it('a digest reader gets one mail a day, at their hour in their time zone, with everything', async () => {
    const reader = await createUser(t.app, { role: 'manager' });
    await t.dataSource.query(
      `UPDATE app_user SET time_zone = 'Asia/Almaty', language = 'ru', digest_hour = 9 WHERE id = $1`,
      [reader.id],
    );
    for (const topic of ['info', 'escalation'])
      await t.dataSource.query(
        `INSERT INTO notification_preference (user_id, topic, delivery, updated_at) VALUES ($1, $2, 'digest', now())`,
        [reader.id, topic],
      );
    const mail = t.app.get(NotificationMail);
    expect((await mail.queue.getJobSchedulers()).map((s) => s.key)).toContain(DIGEST_SCHEDULER);
    // 02:30 UTC = 07:30 in Almaty (UTC+5): before the reader's hour
    t.clock.set(new Date('2026-12-02T02:30:00Z'));
    await notify(reader, { subject: 'First' });
    await notify(reader, { subject: 'Second', kind: 'escalation' });
    expect(await mail.digestTick()).toBe(0);
    t.clock.set(new Date('2026-12-02T04:05:00Z')); // 09:05 in Almaty
    await notify(reader, { subject: 'Third' });
    expect(await mail.digestTick()).toBe(1);
    expect(await mail.digestTick()).toBe(0); // once a day, however often the look runs
    const digest = await waitFor(
      'the digest',
      () => smtp.received.find((m) => m.to.includes(reader.email) && m.reference?.startsWith('digest-')),
      60_000,
      100,
    );
    expect(digest.subject).toBe('Ваша ежедневная сводка, 2026-12-02: 3 уведомл.');
    for (const s of ['First', 'Second', 'Third']) expect(digest.text).toContain(`Подробности: ${s}`);
    expect(smtp.received.filter((m) => m.to.includes(reader.email))).toHaveLength(1);
    // a notice after today's digest waits for tomorrow's
    await notify(reader, { subject: 'Fourth' });
    expect(await mail.digestTick()).toBe(0);
    t.clock.set(new Date('2026-12-03T04:00:00Z'));
    expect(await mail.digestTick()).toBe(1);
  });
});
