import { WorkflowEngine } from '../../src/engine/engine.service';
import { WorldService } from '../../src/engine/world.service';
import { DomainException } from '../../src/common/domain.exception';
import { createTestApp, type TestApp } from '../support/test-app';
import { asInput, DraftClient, people, type Person } from './draft-fixtures';

/**
 * Language drift blocks circulation: a real regulation amendment (1(c)) driven through the engine.
 * The documents module tells the engine the latest version and its drifted articles; the
 * machine's own guard refuses to send a drifted or superseded version on.
 */
describe('language drift blocks sending a draft on (engine + documents, real PostgreSQL)', () => {
  let t: TestApp;
  let officer: Person;
  let reviewer: Person;
  let api: DraftClient;

  beforeAll(async () => {
    t = await createTestApp();
    ({ officer, reviewer } = await people(t));
    api = new DraftClient(t, officer.token);
  });
  afterAll(() => t.close());

  async function drafting(): Promise<string> {
    const id = (await api.startRegulationAmendment().expect(201)).body.instance.id as string;
    await api.event(id, 'START_DRAFTING').expect(200);
    await api.createDraft(id, { source: 'regulation' }).expect(201);
    return id;
  }

  it('refuses SUBMIT_FOR_REVIEW of a version whose Russian text changed without the Chinese, then allows it once the Chinese is updated', async () => {
    const id = await drafting();
    const v1 = await api.version(id, 1);
    const art2 = v1.articles[1];

    // version 2: article 2 edited in Russian only
    const edit = asInput(v1);
    edit[1].ru = `${edit[1].ru} Партнёрами могут быть и международные организации.`;
    const v2 = (await api.save(id, { note: 'Russian edit of article 2', basedOn: 1, articles: edit }).expect(201)).body;
    expect(v2.driftedArticles).toEqual([art2.articleId]);
    expect(v2.articles[1]).toMatchObject({
      drifted: true,
      languages: { ru: 'current', zh: 'out_of_date', en: 'possibly_stale' },
    });
    expect(v2.englishPossiblyStale).toEqual([art2.articleId]);

    const refused = await api.event(id, 'SUBMIT_FOR_REVIEW', { draftVersion: 2 }).expect(409);
    expect(refused.body.message).toBe(
      `The Russian and Chinese texts disagree in 1 article(s) (${art2.articleId}): update both authentic texts first.`,
    );
    const older = await api.event(id, 'SUBMIT_FOR_REVIEW', { draftVersion: 1 }).expect(409);
    expect(older.body.message).toBe('Only the latest draft version (2) can be sent on, not version 1.');
    await api.event(id, 'SUBMIT_FOR_REVIEW', { draftVersion: 3 }).expect(409);
    expect((await api.get(`/instances/${id}`).expect(200)).body.state).toBe('drafting');

    // version 3: the Chinese text catches up; English is left behind (never blocks)
    const v2input = asInput(await api.version(id, 2));
    v2input[1].zh = `${v2input[1].zh}国际组织也可成为伙伴。`;
    const v3 = (await api.save(id, { note: 'Chinese follows', basedOn: 2, articles: v2input }).expect(201)).body;
    expect(v3.driftedArticles).toEqual([]);
    expect(v3.articles[1]).toMatchObject({
      drifted: false,
      languages: { ru: 'current', zh: 'current', en: 'possibly_stale' },
      updatedAtVersion: { ru: 2, zh: 3, en: 1 },
    });
    expect(v3.englishPossiblyStale).toEqual([art2.articleId]);

    const ok = await api.event(id, 'SUBMIT_FOR_REVIEW', { draftVersion: 3 }).expect(200);
    expect(ok.body.result.state).toBe('legal_review');
  });

  it('applies the same guard when the engine is called directly, and clears drift when both languages change in one version', async () => {
    const id = await drafting();
    const engine = t.app.get(WorkflowEngine);
    const actor = { id: officer.user.id, role: 'legal_officer' as const, memberState: null, actingFor: null };
    const v1 = await api.version(id, 1);
    const zhOnly = asInput(v1);
    zhOnly[4].zh = '给予该地位的决定由成员国元首理事会以协商一致方式作出。';
    await api.save(id, { note: 'Chinese only', articles: zhOnly }).expect(201);
    const err = await engine
      .apply({ instanceId: id, type: 'SUBMIT_FOR_REVIEW', payload: { draftVersion: 2 }, actor })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainException);
    expect((err as DomainException).message).toMatch(/Russian and Chinese texts disagree in 1 article/);

    const both = asInput(await api.version(id, 2));
    both[4].ru = 'Решение о предоставлении статуса принимается Советом глав государств-членов путём консенсуса.';
    both[4].en = 'The decision to grant the status is taken by the Council of Heads of State by consensus.';
    await api.save(id, { note: 'Russian and English follow', articles: both }).expect(201);
    await expect(
      engine.apply({ instanceId: id, type: 'SUBMIT_FOR_REVIEW', payload: { draftVersion: 3 }, actor }),
    ).resolves.toMatchObject({ state: 'legal_review' });
  });

  it('lets the officer confirm the other authentic text still matches (a typo fixed in one language)', async () => {
    const id = await drafting();
    const v1 = await api.version(id, 1);
    const typo = asInput(v1);
    typo[0].ru = typo[0].ru.replace('Настоящее', 'Настоящее ');
    const v2 = (await api.save(id, { note: 'Typo', articles: typo }).expect(201)).body;
    expect(v2.driftedArticles).toHaveLength(1);
    const confirmed = asInput(await api.version(id, 2)).map((a, i) => (i === 0 ? { ...a, confirm: ['zh', 'en'] } : a));
    const v3 = (
      await api.save(id, { note: 'Chinese and English checked: no change needed', articles: confirmed }).expect(201)
    ).body;
    expect(v3.driftedArticles).toEqual([]);
    expect(v3.articles[0]).toMatchObject({
      confirmed: ['zh', 'en'],
      languages: { ru: 'current', zh: 'current', en: 'current' },
    });
    await api.event(id, 'SUBMIT_FOR_REVIEW', { draftVersion: 3 }).expect(200);
    await api.as(reviewer.token).event(id, 'APPROVE_REVIEW').expect(200);
  });

  it('a new article with only one authentic text drifts until the other is written', async () => {
    const id = await drafting();
    const v1 = await api.version(id, 1);
    const input = [...asInput(v1), { number: '12', ru: 'Новая статья.', zh: '', en: '' }];
    const v2 = (await api.save(id, { note: 'New article in Russian', articles: input }).expect(201)).body;
    expect(v2.articles.at(-1)).toMatchObject({ drifted: true, languages: { zh: 'out_of_date', en: 'possibly_stale' } });
    await api.event(id, 'SUBMIT_FOR_REVIEW', { draftVersion: 2 }).expect(409);
    const facts = await t.dataSource.transaction((m) => t.app.get(WorldService).for(m, id, new Date()));
    expect(facts.draft).toEqual({
      latestVersion: 2,
      driftedArticles: [v2.articles.at(-1).articleId],
      versions: [
        { number: 1, author: officer.user.id },
        { number: 2, author: officer.user.id },
      ],
    });
  });

  it('a stage that circulates text needs a draft document: without one the event is refused with what to do, and nothing is written', async () => {
    const id = (await api.startRegulationAmendment().expect(201)).body.instance.id as string;
    await api.event(id, 'START_DRAFTING').expect(200);
    const before = (await api.get(`/instances/${id}`).expect(200)).body;
    const refused = await api.event(id, 'SUBMIT_FOR_REVIEW', { draftVersion: 1 }).expect(409);
    expect(refused.body).toMatchObject({
      error: 'CONFLICT',
      message:
        'This procedure has no draft document, so there is no text of version 1 to send on: create the draft (POST /instances/{id}/draft) and save the version first.',
      details: { reason: 'BUSINESS_RULE' },
    });
    const after = (await api.get(`/instances/${id}`).expect(200)).body;
    expect({ state: after.state, seq: after.seq }).toEqual({ state: 'drafting', seq: before.seq });
    // once the draft exists, the same event goes through
    await api.createDraft(id, { source: 'regulation' }).expect(201);
    await api.event(id, 'SUBMIT_FOR_REVIEW', { draftVersion: 1 }).expect(200);
  });
});
