import { createTestApp, type TestApp } from '../support/test-app';
import { asInput, DraftClient, people, type Person, type VersionView } from './draft-fixtures';

/**
 * Read policy of the drafts: a member state's approver reads only the versions circulated to
 * the member states (and the comments on them); the Secretariat's internal versions in between
 * answer 404 with a sentence. Legal officers and managers read everything.
 */
describe('who reads which version of a draft (HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  let officer: Person;
  let manager: Person;
  let ru: Person;
  let api: DraftClient;
  let id: string;
  const INTERNAL_NOTE = 'Internal: article 1 still says dialogue partner';
  const SECRETARIAT_NOTE = 'Secretariat: check the Chinese term for partner before the next round';
  const RU_COMMENT = 'Russia: the term should follow the 2025 decision';

  beforeAll(async () => {
    t = await createTestApp();
    let reviewer: Person;
    let approvers: Record<string, Person>;
    ({ officer, reviewer, manager, approvers } = await people(t, ['RU']));
    ru = approvers.RU;
    api = new DraftClient(t, officer.token);
    id = (await api.startRegulationAmendment().expect(201)).body.instance.id;
    await api.event(id, 'START_DRAFTING').expect(200);
    const v1 = (await api.createDraft(id, { source: 'regulation' }).expect(201)).body.latest as VersionView;
    await api.event(id, 'SUBMIT_FOR_REVIEW', { draftVersion: 1 }).expect(200);
    await api.as(reviewer.token).event(id, 'RETURN_TO_DRAFTING', { reason: INTERNAL_NOTE }).expect(200);
    await api.event(id, 'SUBMIT_FOR_REVIEW', { draftVersion: 1 }).expect(200);
    await api.as(reviewer.token).event(id, 'APPROVE_REVIEW').expect(200); // version 1 is circulated
    const article = v1.articles[0].articleId;
    await api.comment(id, 1, { articleId: article, text: SECRETARIAT_NOTE }).expect(201);
    await api.comment(id, 1, { text: `${SECRETARIAT_NOTE} (general)` }).expect(201);
    await api.as(ru.token).comment(id, 1, { articleId: article, text: RU_COMMENT }).expect(201);
    const second = asInput(v1);
    second[0].en = `${second[0].en} (internal wording)`;
    await api.save(id, { note: 'Internal: not for the member states yet', basedOn: 1, articles: second }).expect(201);
  }, 300_000);
  afterAll(() => t.close());

  const base = () => `/instances/${id}/draft`;

  it('an approver reads the circulated version and nothing else', async () => {
    const as = api.as(ru.token);
    const doc = await as.get(base()).expect(200);
    expect(doc.body.versions.map((v: { number: number }) => v.number)).toEqual([1]);
    expect(doc.body.latest.number).toBe(1);
    await as.get(`${base()}/versions/1`).expect(200);
    await as.get(`${base()}/versions/1/comments`).expect(200);
    for (const path of [
      `${base()}/versions/2`,
      `${base()}/versions/2/comments`,
      `${base()}/versions/2/export?format=html&lang=en`,
      `${base()}/diff?from=1&to=2`,
      `${base()}/consolidation?version=2`,
      `${base()}/comparison?from=1&to=2&lang=en`,
      `${base()}/comparison/export?from=1&to=2&format=html&lang=en`,
    ]) {
      const res = await as.get(path);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
      expect(res.body.message).toBe(
        'Version 2 of this draft has not been circulated to the member states; only circulated versions can be read.',
      );
    }
  });

  it('an approver sees that the internal review happened, not its notes', async () => {
    const mine = await api.as(ru.token).get(`/instances/${id}/history`).expect(200);
    expect(JSON.stringify(mine.body)).not.toContain(INTERNAL_NOTE);
    const returned = mine.body.find((e: { type: string }) => e.type === 'RETURN_TO_DRAFTING');
    expect(returned.payload).toEqual({ withheld: 'internal review of the Secretariat' });
    expect(returned.hash).toEqual(expect.any(String));
    const theirs = await api.as(manager.token).get(`/instances/${id}/history`).expect(200);
    expect(theirs.body.find((e: { type: string }) => e.type === 'RETURN_TO_DRAFTING').payload).toEqual({
      reason: INTERNAL_NOTE,
    });
  });

  it('legal officers and managers read every version', async () => {
    for (const who of [officer, manager]) {
      const as = api.as(who.token);
      const doc = await as.get(base()).expect(200);
      expect(doc.body.versions.map((v: { number: number }) => v.number)).toEqual([1, 2]);
      expect(doc.body.latest.number).toBe(2);
      await as.get(`${base()}/versions/2`).expect(200);
      await as.get(`${base()}/diff?from=1&to=2`).expect(200);
      await as.get(`${base()}/comparison?from=1&to=2&lang=en`).expect(200);
    }
  });

  it("an approver reads the member states' comments, not the Secretariat's own", async () => {
    const as = api.as(ru.token);
    const comments = (await as.get(`${base()}/versions/1/comments`).expect(200)).body as { text: string }[];
    expect(comments.map((c) => c.text)).toEqual([RU_COMMENT]);

    const consolidation = (await as.get(`${base()}/consolidation?version=1`).expect(200)).body;
    expect(JSON.stringify(consolidation)).not.toContain(SECRETARIAT_NOTE);
    expect(JSON.stringify(consolidation)).toContain(RU_COMMENT);
    expect(consolidation.generalComments).toEqual([]);
    for (const a of consolidation.articles) expect(a.secretariat).toEqual([]);
    // the next version is internal: the approver is not told whether it changed an article
    expect(consolidation.nextVersion).toBeNull();
    for (const a of consolidation.articles) expect(a.addressed).toBeNull();

    const comparison = (await as.get(`${base()}/comparison?from=1&to=1&lang=en`).expect(200)).body;
    expect(JSON.stringify(comparison)).not.toContain(SECRETARIAT_NOTE);
    expect(JSON.stringify(comparison)).toContain(RU_COMMENT);
    const exported = await as.get(`${base()}/comparison/export?from=1&to=1&format=html&lang=en`).expect(200);
    expect(exported.text).not.toContain(SECRETARIAT_NOTE);
    expect(exported.text).toContain(RU_COMMENT);
  });

  it("legal officers and managers read the Secretariat's comments and the next version in consolidation", async () => {
    for (const who of [officer, manager]) {
      const as = api.as(who.token);
      const comments = (await as.get(`${base()}/versions/1/comments`).expect(200)).body as { text: string }[];
      expect(comments.map((c) => c.text)).toEqual([SECRETARIAT_NOTE, `${SECRETARIAT_NOTE} (general)`, RU_COMMENT]);
      const consolidation = (await as.get(`${base()}/consolidation?version=1`).expect(200)).body;
      expect(consolidation.nextVersion).toBe(2);
      expect(consolidation.generalComments.map((c: { text: string }) => c.text)).toEqual([
        `${SECRETARIAT_NOTE} (general)`,
      ]);
      expect(consolidation.articles[0].secretariat.map((c: { text: string }) => c.text)).toEqual([SECRETARIAT_NOTE]);
      const comparison = (await as.get(`${base()}/comparison?from=1&to=1&lang=en`).expect(200)).body;
      expect(JSON.stringify(comparison)).toContain(SECRETARIAT_NOTE);
    }
  });
});
