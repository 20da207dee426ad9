import { bearer } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';
import { asInput, DraftClient, people, type Person, type VersionView } from './draft-fixtures';
import { NAMED_MEMBER_STATE_REFUSAL } from '../../src/auth/member-state-naming.guard';

/**
 * Drafts over HTTP on the real database: every version is kept and none can be changed (API and
 * database trigger), article ids survive moves and renumbering, comments belong to the caller's
 * own member state, and the limits answer 413/400.
 */
describe('drafts: versions, history, diff, comments, limits (HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  let officer: Person;
  let manager: Person;
  let ru: Person;
  let cn: Person;
  let api: DraftClient;
  let id: string;
  let v1: VersionView;

  beforeAll(async () => {
    t = await createTestApp();
    const p = await people(t, ['RU', 'CN']);
    officer = p.officer;
    manager = p.manager;
    ru = p.approvers.RU;
    cn = p.approvers.CN;
    api = new DraftClient(t, officer.token);
    id = (await api.startRegulationAmendment().expect(201)).body.instance.id;
    const created = await api.createDraft(id, { source: 'regulation' }).expect(201);
    expect(created.body.source).toMatchObject({ kind: 'regulation', ref: null });
    expect(created.body.source.notice.en).toMatch(/Illustrative placeholder .* NOT the authentic text/);
    expect(created.body.source.notice.ru).toMatch(/НЕ аутентичный текст/);
    v1 = created.body.latest;
  });
  afterAll(() => t.close());

  const byNumber = (v: VersionView, n: string) => v.articles.find((a) => a.number === n)!;

  it('creates version 1 from the Regulation source with articles 1..N in three languages', async () => {
    expect(v1.number).toBe(1);
    expect(v1.articles.map((a) => a.number)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11']);
    expect(v1.articles.every((a) => a.text.ru && a.text.zh && a.text.en)).toBe(true);
    expect(v1.driftedArticles).toEqual([]);
    expect(v1.authorId).toBe(officer.user.id);
    const again = await api.createDraft(id, { source: 'blank', title: { en: 'x', ru: 'x', zh: 'x' } }).expect(409);
    expect(again.body.message).toMatch(/already has a draft/);
  });

  it('lets only legal officers create drafts and save versions', async () => {
    await api
      .as(ru.token)
      .save(id, { note: 'x', articles: asInput(v1) })
      .expect(403);
    await api
      .as(manager.token)
      .save(id, { note: 'x', articles: asInput(v1) })
      .expect(403);
    const other = (await api.startRegulationAmendment().expect(201)).body.instance.id;
    await api.as(cn.token).createDraft(other, { source: 'regulation' }).expect(403);
  });

  it('keeps article ids through moves and renumbering, and the diff says what happened', async () => {
    const input = asInput(v1);
    const a3 = input.find((a) => a.number === '3')!;
    const a5 = input.find((a) => a.number === '5')!;
    const a10 = input.find((a) => a.number === '10')!;
    a3.number = '3 bis';
    a5.ru = a5.ru.replace('путём консенсуса', 'путём консенсуса после консультаций с партнёрами');
    a5.zh = a5.zh.replace('以协商一致方式作出', '在与伙伴磋商后以协商一致方式作出');
    a5.en = a5.en.replace('by consensus', 'by consensus after consultations with the partners');
    a10.number = '1 bis';
    const withoutNine = input.filter((a) => a.number !== '9' && a !== a10);
    withoutNine.splice(1, 0, a10); // article 10 moves to second place as "1 bis"
    withoutNine.push({
      number: '12',
      ru: 'Новая статья.',
      zh: '新条款。',
      en: 'A new article.',
    } as (typeof input)[number]);
    const saved = await api
      .save(id, { note: 'Move, renumber, change, remove and add', basedOn: 1, articles: withoutNine })
      .expect(201);
    const v2 = saved.body as VersionView;
    expect(v2.number).toBe(2);
    expect(v2.basedOn).toBe(1);
    expect(v2.articles.map((a) => a.number)).toEqual(['1', '1 bis', '2', '3 bis', '4', '5', '6', '7', '8', '11', '12']);
    expect(byNumber(v2, '1 bis').articleId).toBe(byNumber(v1, '10').articleId);
    expect(byNumber(v2, '3 bis').articleId).toBe(byNumber(v1, '3').articleId);

    const diff = (await api.get(`/instances/${id}/draft/diff?from=1&to=2&lang=ru`).expect(200)).body;
    const row = (articleId: string) => diff.articles.find((r: { articleId: string }) => r.articleId === articleId);
    expect(row(byNumber(v1, '10').articleId)).toMatchObject({
      kinds: ['moved', 'renumbered'],
      from: { number: '10', position: 10 },
      to: { number: '1 bis', position: 2 },
    });
    expect(row(byNumber(v1, '3').articleId).kinds).toEqual(['renumbered']); // shifted by the insertion, not moved
    expect(row(byNumber(v1, '2').articleId).kinds).toEqual(['unchanged']);
    const five = row(byNumber(v1, '5').articleId);
    expect(five.kinds).toEqual(['changed']);
    expect(five.changedLanguages).toEqual(['ru', 'zh', 'en']);
    expect(Object.keys(five.redlines)).toEqual(['ru']);
    expect(five.redlines.ru).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ op: 'insert', text: expect.stringContaining('после консультаций с партнёрами') }),
      ]),
    );
    expect(five.redlines.ru.filter((s: { op: string }) => s.op === 'delete')).toEqual([]);
    const removedAt = diff.articles.findIndex((r: { kinds: string[] }) => r.kinds.includes('removed'));
    expect(diff.articles[removedAt]).toMatchObject({ articleId: byNumber(v1, '9').articleId, to: null });
    expect(diff.articles[removedAt - 1].articleId).toBe(byNumber(v1, '8').articleId); // listed where it stood
    expect(diff.articles.at(-1)).toMatchObject({ kinds: ['added'], from: null, to: { number: '12' } });
    expect(diff.summary).toEqual({ added: 1, removed: 1, moved: 1, renumbered: 2, changed: 1, unchanged: 7 });

    // Chinese redlines are by word, not the whole sentence
    const zh = (await api.get(`/instances/${id}/draft/diff?from=1&to=2&lang=zh`).expect(200)).body;
    const zhFive = zh.articles.find((r: { articleId: string }) => r.articleId === byNumber(v1, '5').articleId).redlines
      .zh;
    expect(zhFive.find((s: { op: string }) => s.op === 'insert').text).toBe('在与伙伴磋商后');
  });

  it('keeps every version: history is append-only and an old version cannot be edited through the API', async () => {
    const doc = (await api.get(`/instances/${id}/draft`).expect(200)).body;
    expect(doc.versions.map((v: { number: number }) => v.number)).toEqual([1, 2]);
    expect(doc.latest.number).toBe(2);
    const old = await api.version(id, 1);
    expect(old).toEqual({ ...v1, latest: false });

    for (const method of ['put', 'patch', 'delete'] as const) {
      const res = await t
        .http()
        [method](`/instances/${id}/draft/versions/1`)
        .set(bearer(officer.token))
        .send({ note: 'rewrite', articles: [] })
        .expect(409);
      expect(res.body).toMatchObject({
        error: 'CONFLICT',
        message: expect.stringMatching(/versions are immutable; save a new version/),
      });
    }
    await t.http().put(`/instances/${id}/draft/versions/99`).set(bearer(officer.token)).send({}).expect(404);
    expect(await api.version(id, 1)).toEqual({ ...v1, latest: false });
  });

  it('refuses in the database any UPDATE, DELETE or TRUNCATE of versions, articles, comments and documents', async () => {
    await api.as(ru.token).comment(id, 1, { text: 'Замечание' }).expect(201);
    const q = (sql: string) => t.dataSource.query(sql);
    const immutable = /append-only: draft versions are immutable; save a new version/;
    await expect(q(`UPDATE draft_version SET note = 'rewritten' WHERE number = 1`)).rejects.toThrow(immutable);
    await expect(q(`DELETE FROM draft_version WHERE number = 2`)).rejects.toThrow(immutable);
    await expect(q(`UPDATE draft_article SET text_ru = 'подмена'`)).rejects.toThrow(immutable);
    await expect(q(`DELETE FROM draft_article`)).rejects.toThrow(immutable);
    await expect(q(`UPDATE draft_comment SET text = 'changed'`)).rejects.toThrow(immutable);
    await expect(q(`DELETE FROM draft_comment`)).rejects.toThrow(immutable);
    await expect(q(`UPDATE draft_document SET source_ref = 'x'`)).rejects.toThrow(immutable);
    await expect(q(`TRUNCATE draft_article`)).rejects.toThrow(immutable);
    expect(await api.version(id, 1)).toEqual({ ...v1, latest: false });
  });

  it('refuses a save based on a version that is no longer the latest, and a save that changes nothing', async () => {
    const v2 = await api.version(id, 2);
    const stale = await api.save(id, { note: 'late edit', basedOn: 1, articles: asInput(v2) }).expect(409);
    expect(stale.body.message).toMatch(/Version 2 was saved by .* after the version 1 you edited/);
    expect(stale.body.details).toMatchObject({ reason: 'STALE_VERSION', latestVersion: 2 });
    const same = await api.save(id, { note: 'same text', basedOn: 2, articles: asInput(v2) }).expect(409);
    expect(same.body.message).toMatch(/Nothing changed since version 2/);
  });

  it('refuses unknown or repeated article ids and repeated numbers', async () => {
    const v2 = await api.version(id, 2);
    const unknown = asInput(v2);
    unknown[0].articleId = '00000000-0000-4000-8000-000000000000';
    expect((await api.save(id, { note: 'x', articles: unknown }).expect(400)).body.message).toMatch(
      /not an article of this draft/,
    );
    const twice = asInput(v2);
    twice[1].articleId = twice[0].articleId;
    expect((await api.save(id, { note: 'x', articles: twice }).expect(400)).body.message).toMatch(/appears twice/);
    const number = asInput(v2);
    number[1].number = number[0].number;
    expect((await api.save(id, { note: 'x', articles: number }).expect(400)).body.message).toMatch(
      /Article number "1" is used twice/,
    );
    const badNumber = asInput(v2);
    badNumber[0].number = '<b>1</b>';
    expect((await api.save(id, { note: 'x', articles: badNumber }).expect(400)).body.message).toMatch(/article number/);
  });

  it('restores a removed article under its old id', async () => {
    const v2 = await api.version(id, 2);
    const nine = v1.articles.find((a) => a.number === '9')!;
    const input = [
      ...asInput(v2),
      { articleId: nine.articleId, number: '9', ru: nine.text.ru, zh: nine.text.zh, en: nine.text.en },
    ];
    const v3 = (await api.save(id, { note: 'Article 9 back', articles: input }).expect(201)).body as VersionView;
    expect(v3.articles.at(-1)).toMatchObject({ articleId: nine.articleId, number: '9', drifted: false });
    const diff = (await api.get(`/instances/${id}/draft/diff?from=2&to=3`).expect(200)).body;
    expect(diff.articles.find((r: { articleId: string }) => r.articleId === nine.articleId).kinds).toEqual(['added']);
  });

  describe('comments', () => {
    it("records an approver's comment for the approver's own state and a legal officer's for the Secretariat", async () => {
      const art = byNumber(v1, '3');
      const mine = await api
        .as(ru.token)
        .comment(id, 1, { articleId: art.articleId, text: 'Предлагаем уточнить формулировку.' })
        .expect(201);
      expect(mine.body).toMatchObject({
        version: 1,
        articleId: art.articleId,
        memberState: 'RU',
        authorId: ru.user.id,
        authorRole: 'approver',
        actingFor: null,
      });
      const forged = await api
        .as(ru.token)
        .comment(id, 1, { articleId: art.articleId, text: 'x', memberState: 'CN' })
        .expect(403);
      expect(forged.body.message).toBe(NAMED_MEMBER_STATE_REFUSAL);
      const secretariat = await api.comment(id, 1, { text: 'Секретариат: учтено.' }).expect(201);
      expect(secretariat.body).toMatchObject({ memberState: null, authorRole: 'legal_officer', articleId: null });
      await api.as(manager.token).comment(id, 1, { text: 'x' }).expect(403);
      const list = (await api.get(`/instances/${id}/draft/versions/1/comments`).expect(200)).body;
      expect(list.map((c: { memberState: string | null }) => c.memberState)).toEqual(
        expect.arrayContaining(['RU', null]),
      );
    });

    it('refuses a comment on an article the version does not have, on a missing version, and any edit', async () => {
      const v2 = await api.version(id, 2);
      const removed = v1.articles.find((a) => a.number === '9')!;
      expect(v2.articles.some((a) => a.articleId === removed.articleId)).toBe(false);
      await api.as(cn.token).comment(id, 2, { articleId: removed.articleId, text: '意见' }).expect(404);
      await api.as(cn.token).comment(id, 42, { text: '意见' }).expect(404);
      const c = await api.as(cn.token).comment(id, 2, { text: '意见' }).expect(201);
      await t
        .http()
        .patch(`/instances/${id}/draft/versions/2/comments/${c.body.id}`)
        .set(bearer(cn.token))
        .send({ text: 'edited' })
        .expect(409);
      await t
        .http()
        .delete(`/instances/${id}/draft/versions/2/comments/${c.body.id}`)
        .set(bearer(cn.token))
        .expect(409);
    });
  });

  describe('limits and characters', () => {
    it('refuses more than 500 articles with 413', async () => {
      const articles = Array.from({ length: 501 }, (_, i) => ({ number: String(i + 1), ru: 'т', zh: '文', en: 't' }));
      const res = await api.save(id, { note: 'too many', articles }).expect(413);
      expect(res.body).toMatchObject({
        error: 'TOO_LARGE',
        message: 'A version holds at most 500 articles; this one has 501.',
      });
    });

    it('refuses an article text over 20,000 characters, a comment over 10,000 and a title over 500 with 413', async () => {
      const v2 = await api.version(id, 2);
      const long = asInput(v2);
      long[0].zh = '文'.repeat(20_001);
      expect((await api.save(id, { note: 'long', articles: long }).expect(413)).body.message).toBe(
        'articles[0].zh is 20001 characters long; the limit is 20000.',
      );
      const fits = asInput(v2);
      fits[0].ru = 'я'.repeat(20_000);
      fits[0].zh = '文'.repeat(20_000);
      await api.save(id, { note: 'at the limit', articles: fits }).expect(201);
      expect(
        (
          await api
            .as(ru.token)
            .comment(id, 1, { text: 'к'.repeat(10_001) })
            .expect(413)
        ).body.message,
      ).toMatch(/limit is 10000/);
      const other = (await api.startRegulationAmendment().expect(201)).body.instance.id;
      expect(
        (
          await api
            .createDraft(other, { source: 'blank', title: { en: 'T'.repeat(501), ru: 'Т', zh: '标' } })
            .expect(413)
        ).body.message,
      ).toMatch(/title.en .* limit is 500/);
    });

    it('refuses control characters other than newline and tab with 400, and stores everything else as typed', async () => {
      const bad = await api.as(ru.token).comment(id, 1, { text: 'bell\u0007' }).expect(400);
      expect(bad.body.message).toMatch(/U\+0007/);
      await api.as(ru.token).comment(id, 1, { text: 'lone\rreturn' }).expect(400);
      await api.as(ru.token).comment(id, 1, { text: 'override \u202Etxt.exe' }).expect(400);
      const typed = 'Строка 1\n\tСтрока 2\r\n<b>не разметка</b> & "кавычки"';
      const ok = await api.as(ru.token).comment(id, 1, { text: typed }).expect(201);
      expect(ok.body.text).toBe(typed);
    });

    it('starts a blank draft without a version, then takes a first version', async () => {
      const other = (await api.startRegulationAmendment().expect(201)).body.instance.id;
      await api.createDraft(other, { source: 'blank' }).expect(400);
      const blank = await api
        .createDraft(other, { source: 'blank', title: { en: 'Protocol', ru: 'Протокол', zh: '议定书' } })
        .expect(201);
      expect(blank.body).toMatchObject({ latest: null, versions: [], source: { kind: 'blank', notice: null } });
      const first = await api
        .save(other, {
          note: 'First text',
          basedOn: 0,
          articles: [{ number: '1', ru: 'Текст.', zh: '文本。', en: 'Text.' }],
        })
        .expect(201);
      expect(first.body).toMatchObject({ number: 1, basedOn: null, driftedArticles: [] });
    });

    it('starts a draft from an existing memorandum with the partner named from the reference data', async () => {
      const other = (await api.startRegulationAmendment().expect(201)).body.instance.id;
      await api.createDraft(other, { source: 'memorandum' }).expect(400);
      await api.createDraft(other, { source: 'memorandum', memorandumId: 'mem-XX' }).expect(404);
      const doc = await api.createDraft(other, { source: 'memorandum', memorandumId: 'mem-TR' }).expect(201);
      expect(doc.body.source).toMatchObject({ kind: 'memorandum', ref: 'mem-TR' });
      expect(doc.body.title.en).toMatch(/T(ü|u)rk/);
      expect(doc.body.latest.articles[0].text.en).not.toContain('{partner}');
    });
  });
});
