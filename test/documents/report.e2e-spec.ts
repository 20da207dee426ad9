import { createTestApp, type TestApp } from '../support/test-app';
import { signedIn } from '../support/auth';
import { DraftClient, people, type Person } from './draft-fixtures';

/** 1(a): the final information assembled from the per-memorandum assessments of a real analysis procedure. */
describe('1(a) final information report (HTTP, real PostgreSQL)', () => {
  let t: TestApp;
  let officer: Person;
  let reviewer: Person;
  let api: DraftClient;
  let id: string;
  const FINDING = 'Article 3 of the memorandum names no contact point; <b>meetings</b> were not held since 2019.';

  beforeAll(async () => {
    t = await createTestApp();
    ({ officer, reviewer } = await people(t));
    api = new DraftClient(t, officer.token);
    const started = await t
      .http()
      .post('/instances')
      .set({ Authorization: `Bearer ${officer.token}` })
      .send({ definitionId: 'implementation-analysis', input: { title: 'Implementation of the memoranda, 2013-2024' } })
      .expect(201);
    id = started.body.instance.id;
    await api
      .event(id, 'SCOPE', {
        criteria: ['Areas of cooperation used', 'Participation in meetings'],
        memoranda: ['mem-TR', 'mem-EG'],
        assignments: [
          { memorandumId: 'mem-TR', assignee: officer.user.id, dueAt: '2099-12-31' },
          { memorandumId: 'mem-EG', assignee: reviewer.user.id, dueAt: '2099-12-31' },
        ],
      })
      .expect(200);
  });
  afterAll(() => t.close());

  it('reports the assessments still awaited while they run', async () => {
    const r = (await api.get(`/instances/${id}/report`).expect(200)).body;
    expect(r).toMatchObject({
      title: 'Implementation of the memoranda, 2013-2024',
      criteria: ['Areas of cooperation used', 'Participation in meetings'],
      summary: { memoranda: 2, submitted: 0, awaited: ['mem-TR', 'mem-EG'], findings: 0 },
      approval: { approved: false, version: null },
      finalText: null,
    });
    expect(r.assessments.map((a: { memorandumId: string }) => a.memorandumId)).toEqual(['mem-TR', 'mem-EG']);
  });

  it('assembles the findings of every assessment, with the measure each feeds, and the text of the analysis', async () => {
    await api
      .event(id, 'ASSESSMENT_SUBMITTED', {
        memorandumId: 'mem-TR',
        findings: [
          { id: 'TR-1', text: FINDING, severity: 'high', suggestedMeasure: '1(e)' },
          {
            id: 'TR-2',
            text: 'Указанные в меморандуме области сотрудничества устарели.',
            severity: 'medium',
            suggestedMeasure: '1(d)',
          },
        ],
      })
      .expect(200);
    await api
      .as(reviewer.token)
      .event(id, 'ASSESSMENT_SUBMITTED', { memorandumId: 'mem-EG', findings: [] })
      .expect(200);
    await api
      .createDraft(id, {
        source: 'blank',
        title: { en: 'Final information', ru: 'Итоговая информация', zh: '最终信息' },
      })
      .expect(201);
    await api
      .save(id, {
        note: 'Consolidated analysis',
        articles: [
          {
            number: '1',
            ru: 'Меморандумы выполняются в целом удовлетворительно.',
            zh: '备忘录总体执行情况良好。',
            en: 'The memoranda are implemented satisfactorily on the whole.',
          },
          {
            number: '2',
            ru: 'Рекомендуется обновить типовой меморандум.',
            zh: '建议更新备忘录范本。',
            en: 'The model memorandum should be updated.',
          },
        ],
      })
      .expect(201);
    await api.event(id, 'SUBMIT_FOR_REVIEW', { draftVersion: 1 }).expect(200);

    const r = (await api.get(`/instances/${id}/report`).expect(200)).body;
    expect(r.summary).toEqual({
      memoranda: 2,
      submitted: 2,
      awaited: [],
      findings: 2,
      bySeverity: { high: 1, medium: 1 },
      byMeasure: { '1(e)': 1, '1(d)': 1 },
    });
    const tr = r.assessments[0];
    expect(tr).toMatchObject({
      memorandumId: 'mem-TR',
      partner: 'TR',
      status: 'submitted',
      submittedBy: officer.user.id,
    });
    expect(tr.partnerName.en).toMatch(/T(ü|u)rk/);
    expect(tr.findings[0]).toEqual({
      id: 'TR-1',
      text: FINDING,
      severity: 'high',
      suggestedMeasure: '1(e)',
      links: [],
    });
    expect(r.assessments[1]).toMatchObject({ memorandumId: 'mem-EG', findings: [] });
    expect(r.finalText).toMatchObject({ version: 1, articles: [{ number: '1' }, { number: '2' }] });

    const html = (await api.get(`/instances/${id}/report/export?format=html&lang=ru`).expect(200)).text;
    expect(html).toContain('Итоговая информация: Implementation of the memoranda, 2013-2024');
    expect(html).toContain('&lt;b&gt;meetings&lt;/b&gt;');
    expect(html).not.toContain('<b>meetings');
    expect(html).toContain('значимость: высокая; для меры 1(e)');
    expect(html).toContain(tr.partnerName.ru);
    const pdf = await api
      .get(`/instances/${id}/report/export?format=pdf&lang=zh`)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect((pdf.body as Buffer).subarray(0, 4).toString('latin1')).toBe('%PDF');
  });

  it('is read by an approver only once the analysis has been circulated to the member states', async () => {
    const kz = await signedIn(t.app, { role: 'approver', memberState: 'KZ' });
    const before = await api.as(kz.token).get(`/instances/${id}/report`).expect(404);
    expect(before.body.message).toBe(
      'The final information of this analysis has not been circulated to the member states yet; it can be read once it is.',
    );
    await api.as(kz.token).get(`/instances/${id}/report/export?format=html&lang=en`).expect(404);
    await api.get(`/instances/${id}/report`).expect(200); // the Secretariat reads it at every stage

    await api.as(reviewer.token).event(id, 'APPROVE_REVIEW').expect(200); // version 1 goes to the member states
    const r = (await api.as(kz.token).get(`/instances/${id}/report`).expect(200)).body;
    expect(r.finalText).toMatchObject({ version: 1 });
    expect(r.summary.findings).toBe(2);
    const html = (await api.as(kz.token).get(`/instances/${id}/report/export?format=html&lang=en`).expect(200)).text;
    expect(html).toContain('The memoranda are implemented satisfactorily on the whole.');
  });

  it('answers only for an analysis procedure', async () => {
    const other = (await api.startRegulationAmendment().expect(201)).body.instance.id;
    const res = await api.get(`/instances/${other}/report`).expect(409);
    expect(res.body.message).toMatch(/belongs to the analysis of the implementation of the memoranda \(1\(a\)/);
    await api.get('/instances/00000000-0000-4000-8000-000000000000/report').expect(404);
  });
});
