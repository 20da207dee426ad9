import { bearer } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';
import { asInput, DraftClient, people, STATES, type Person, type VersionView } from './draft-fixtures';

/**
 * A three-version draft of a real regulation amendment, circulated twice and submitted to the
 * coordinators, with comments from several states in Russian and Chinese: the consolidation,
 * the comparison table and its exports (HTML escaped, PDF with Chinese text).
 */
describe('consolidation, comparison table and exports (HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  let officer: Person;
  let reviewer: Person;
  let approvers: Record<string, Person>;
  let api: DraftClient;
  let id: string;
  let v1: VersionView;
  let v2: VersionView;
  let v3: VersionView;
  const SCRIPT = '<script>alert("x")</script>';
  const RU_COMMENT = 'Предлагаем дополнить статью 3 словами «и наблюдатели».';
  const CN_COMMENT = '建议在第三条中增加“观察员”一词。';
  const RESERVATION = 'Российская Федерация оставляет за собой право вернуться к статье 5.';

  beforeAll(async () => {
    t = await createTestApp();
    ({ officer, reviewer, approvers } = await people(t, STATES));
    api = new DraftClient(t, officer.token);

    id = (await api.startRegulationAmendment().expect(201)).body.instance.id;
    await api.event(id, 'START_DRAFTING').expect(200);
    v1 = (await api.createDraft(id, { source: 'regulation' }).expect(201)).body.latest;
    await api.event(id, 'SUBMIT_FOR_REVIEW', { draftVersion: 1 }).expect(200);
    await api.as(reviewer.token).event(id, 'APPROVE_REVIEW').expect(200);

    // round 1 of comments on version 1: article comments in the draft, answers in the procedure
    const art3 = v1.articles[2].articleId;
    await api.as(approvers.RU.token).comment(id, 1, { articleId: art3, text: RU_COMMENT }).expect(201);
    await api.as(approvers.CN.token).comment(id, 1, { articleId: art3, text: CN_COMMENT }).expect(201);
    await api
      .as(approvers.KZ.token)
      .comment(id, 1, { text: `General remark ${SCRIPT}` })
      .expect(201);
    await api
      .comment(id, 1, { articleId: art3, text: 'Секретариат: предложение будет учтено в версии 2.' })
      .expect(201);
    for (const s of STATES)
      await api
        .as(approvers[s].token)
        .event(id, 'RESPOND', { draftVersion: 1, comments: s === 'RU' ? RU_COMMENT : s === 'CN' ? CN_COMMENT : null })
        .expect(200);
    expect((await api.get(`/instances/${id}`).expect(200)).body.state).toBe('consolidation');

    // version 2 takes the comments on article 3 into account, in all three languages
    const second = asInput(v1);
    second[2].ru = second[2].ru.replace(
      'государству или международной межправительственной организации',
      'государству, наблюдателю или международной межправительственной организации',
    );
    second[2].zh = second[2].zh.replace('国家或国际政府间组织', '国家、观察员或国际政府间组织');
    second[2].en = second[2].en.replace('a state or an international', 'a state, an observer or an international');
    v2 = (await api.save(id, { note: 'Comments of round 1 on article 3', basedOn: 1, articles: second }).expect(201))
      .body;
    await api.as(reviewer.token).event(id, 'CONFIRM_CHANGES', { draftVersion: 2 }).expect(200);
    await api.event(id, 'RECIRCULATE', { draftVersion: 2 }).expect(200);
    await api
      .as(approvers.IN.token)
      .comment(id, 2, {
        articleId: v2.articles[4].articleId,
        text: 'Article 5 should name the Council of National Coordinators.',
      })
      .expect(201);
    for (const s of STATES)
      await api
        .as(approvers[s].token)
        .event(id, 'RESPOND', { draftVersion: 2, comments: s === 'IN' ? 'See our comment on article 5.' : null })
        .expect(200);

    // version 3: article 5 changed, a new article 12; then the coordinators
    const third = asInput(v2);
    third[4].ru =
      'Решение о предоставлении статуса принимается Советом глав государств-членов по рекомендации Совета национальных координаторов путём консенсуса.';
    third[4].zh = '给予该地位的决定由成员国元首理事会根据国家协调员理事会的建议以协商一致方式作出。';
    third[4].en =
      'The decision to grant the status is taken by the Council of Heads of State on the recommendation of the Council of National Coordinators, by consensus.';
    third.push({
      number: '12',
      ru: 'Статус партнёра ШОС заменяет статусы наблюдателя и партнёра по диалогу.',
      zh: '上合组织伙伴地位取代观察员和对话伙伴地位。',
      en: 'The status of SCO partner replaces the statuses of observer and dialogue partner.',
    } as (typeof third)[number]);
    v3 = (
      await api
        .save(id, { note: 'Comments of round 2; the single partner status', basedOn: 2, articles: third })
        .expect(201)
    ).body;
    await api.as(reviewer.token).event(id, 'CONFIRM_CHANGES', { draftVersion: 3 }).expect(200);
    await api.event(id, 'SUBMIT_TO_COORDINATORS', { draftVersion: 3, consolidation: true }).expect(200);
    await api
      .as(approvers.RU.token)
      .event(id, 'POSITION', { draftVersion: 3, kind: 'agree_with_reservation', text: RESERVATION })
      .expect(200);
    await api.as(approvers.CN.token).event(id, 'POSITION', { draftVersion: 3, kind: 'agree' }).expect(200);
    await api.as(approvers.KZ.token).event(id, 'POSITION', { draftVersion: 3, kind: 'agree' }).expect(200);
    await api
      .as(approvers.CN.token)
      .comment(id, 3, { articleId: v3.articles[11].articleId, text: '同意新增第十二条。' })
      .expect(201);
  }, 300_000);
  afterAll(() => t.close());

  it('consolidates version 1: every state per article, its comments, answer and position, and whether version 2 addressed the article', async () => {
    const c = (await api.get(`/instances/${id}/draft/consolidation?version=1`).expect(200)).body;
    expect(c).toMatchObject({ version: 1, nextVersion: 2 });
    expect(c.circulation).toHaveLength(1);
    expect(c.circulation[0]).toMatchObject({ round: 1, unanswered: [] });
    expect(c.generalComments).toEqual([
      expect.objectContaining({ memberState: 'KZ', text: `General remark ${SCRIPT}` }),
    ]);
    const art3 = c.articles[2];
    expect(art3).toMatchObject({ number: '3', addressed: true, nextVersionChange: ['changed'] });
    expect(art3.states.map((s: { memberState: string }) => s.memberState)).toEqual([...STATES]);
    const ru = art3.states.find((s: { memberState: string }) => s.memberState === 'RU');
    expect(ru.comments).toEqual([expect.objectContaining({ text: RU_COMMENT, authorId: approvers.RU.user.id })]);
    expect(ru.response).toMatchObject({ round: 1, draftVersion: 1, hasComments: true, comments: RU_COMMENT });
    expect(ru.position).toBeNull(); // no consensus round on version 1
    expect(art3.states.find((s: { memberState: string }) => s.memberState === 'CN').comments[0].text).toBe(CN_COMMENT);
    expect(art3.secretariat).toHaveLength(1);
    expect(c.articles[0]).toMatchObject({ addressed: false, nextVersionChange: ['unchanged'] });

    const last = (await api.get(`/instances/${id}/draft/consolidation?version=3`).expect(200)).body;
    expect(last.nextVersion).toBeNull();
    expect(last.articles[0].addressed).toBeNull();
    expect(last.consensus[0]).toMatchObject({ stage: 'cnc_approval', outcome: 'open' });
    const ruOn3 = last.articles[0].states.find((s: { memberState: string }) => s.memberState === 'RU');
    expect(ruOn3.position).toMatchObject({ kind: 'agree_with_reservation', text: RESERVATION, draftVersion: 3 });
  });

  it('builds the comparison table: base | proposed with redlines | comments, and each state position and reservation', async () => {
    const c = (await api.get(`/instances/${id}/draft/comparison?from=1&to=3&lang=ru`).expect(200)).body;
    expect(c).toMatchObject({
      lang: 'ru',
      from: { number: 1 },
      to: { number: 3 },
      round: { stage: 'cnc_approval', outcome: 'open', objections: [], settledBySilence: false, closedEarly: null },
    });
    expect(c.rows).toHaveLength(12);
    const row3 = c.rows[2];
    expect(row3.kinds).toEqual(['changed']);
    expect(row3.base).toBe(v1.articles[2].text.ru);
    expect(row3.proposed).toBe(v3.articles[2].text.ru);
    expect(row3.redline).toEqual(
      expect.arrayContaining([{ op: 'insert', text: expect.stringContaining('наблюдателю') }]),
    );
    expect(row3.comments.map((x: { memberState: string | null }) => x.memberState)).toEqual(['RU', 'CN', null]);
    expect(c.rows[4].comments).toEqual([expect.objectContaining({ memberState: 'IN', version: 2 })]);
    expect(c.rows[11]).toMatchObject({
      kinds: ['added'],
      base: null,
      comments: [expect.objectContaining({ memberState: 'CN', text: '同意新增第十二条。' })],
    });
    const state = (code: string) => c.states.find((s: { memberState: string }) => s.memberState === code);
    expect(state('RU')).toMatchObject({
      name: { ru: 'Россия' },
      position: { kind: 'agree_with_reservation', text: RESERVATION },
      reservations: [expect.objectContaining({ text: RESERVATION })],
    });
    expect(state('RU').responses).toEqual([expect.objectContaining({ draftVersion: 1, comments: RU_COMMENT })]);
    expect(state('CN').position).toMatchObject({ kind: 'agree' });
    expect(state('UZ').position).toBeNull();
    expect(c.generalComments.map((x: { text: string }) => x.text)).toEqual([`General remark ${SCRIPT}`]);
  });

  it('exports the comparison table as HTML with every user text escaped', async () => {
    const res = await api.get(`/instances/${id}/draft/comparison/export?from=1&to=3&lang=ru&format=html`).expect(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toMatch(/default-src 'none'/);
    const html = res.text;
    expect(html).toContain('General remark &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain(RU_COMMENT.replace(/"/g, '&quot;'));
    expect(html).toContain('建议在第三条中增加“观察员”一词。');
    expect(html).toContain(RESERVATION);
    expect(html).toContain('<ins>');
    expect(html).toContain('Сравнительная таблица');
    expect(html).toContain('Иллюстративный текст');
  });

  it('exports the comparison table and a version as PDF, Chinese included', async () => {
    for (const lang of ['zh', 'ru', 'en']) {
      const res = await api
        .get(`/instances/${id}/draft/comparison/export?from=1&to=3&lang=${lang}&format=pdf`)
        .buffer(true)
        .parse(binary)
        .expect(200);
      expect(res.headers['content-type']).toBe('application/pdf');
      const pdf = res.body as Buffer;
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(pdf.length).toBeGreaterThan(5000);
      expect(pdf.toString('latin1')).toMatch(/FontFile2/); // the fonts are embedded
    }
    const version = await api
      .get(`/instances/${id}/draft/versions/3/export?format=pdf&lang=zh`)
      .buffer(true)
      .parse(binary)
      .expect(200);
    expect((version.body as Buffer).subarray(0, 4).toString('latin1')).toBe('%PDF');
  });

  it('exports a version as HTML in each language with the language status of its texts', async () => {
    const zh = (await api.get(`/instances/${id}/draft/versions/3/export?format=html&lang=zh`).expect(200)).text;
    expect(zh).toContain('<html lang="zh">');
    expect(zh).toContain('第12条');
    expect(zh).toContain(v3.articles[11].text.zh);
    const en = (await api.get(`/instances/${id}/draft/versions/3/export?lang=en`).expect(200)).text;
    expect(en).toContain('English is a working text, not authentic');
    await api.get(`/instances/${id}/draft/versions/3/export?format=docx`).expect(400);
    await api.get(`/instances/${id}/draft/versions/9/export?format=html`).expect(404);
  });

  it('escapes markup typed into an article and marks an out-of-date text in the export', async () => {
    const input = asInput(v3);
    input[0].ru = `${input[0].ru} <img src=x onerror=alert(1)>`;
    await api.save(id, { note: 'Markup typed as text', basedOn: 3, articles: input }).expect(201);
    const html = (await api.get(`/instances/${id}/draft/versions/4/export?format=html&lang=zh`).expect(200)).text;
    expect(html).toContain('本文本已过时');
    const ru = (await api.get(`/instances/${id}/draft/versions/4/export?format=html&lang=ru`).expect(200)).text;
    expect(ru).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(ru).not.toContain('<img');
    expect(ru).toContain('Тексты на русском и китайском языках расходятся в 1 статье(ях)');
  });

  it('answers 400 for a malformed query and 404 for a missing version', async () => {
    await api.get(`/instances/${id}/draft/comparison?from=1&to=x`).expect(400);
    await api.get(`/instances/${id}/draft/comparison?from=1&to=30`).expect(404);
    await api.get(`/instances/${id}/draft/consolidation`).expect(400);
    await t.http().get(`/instances/${id}/draft/comparison?from=1&to=2`).expect(401);
    await t.http().get(`/instances/${id}/draft/comparison?from=1&to=2`).set(bearer(approvers.BY.token)).expect(200);
  });
});

/** supertest parser that keeps a binary body as a Buffer. */
function binary(res: unknown, done: (err: Error | null, body: Buffer) => void) {
  const stream = res as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => done(null, Buffer.concat(chunks)));
}
