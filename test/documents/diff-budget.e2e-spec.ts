/**
 * The diff budget over HTTP: a comparison of two draft versions over DIFF_MAX_CHARS answers 413
 * before any work, one over DIFF_MAX_EDIT_LENGTH (or DIFF_TIMEOUT_MS) answers 422, both with the
 * common error body and a sentence that says what to do; doing what it says (one language at a
 * time) succeeds; nothing is written by a refused comparison.
 */
import { bearer, signedIn } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

const MAX_CHARS = 3000;

describe('the diff budget over HTTP', () => {
  let t: TestApp;
  let token: string;
  let id: string;

  beforeAll(async () => {
    t = await createTestApp({ env: { DIFF_MAX_CHARS: String(MAX_CHARS), DIFF_MAX_EDIT_LENGTH: '5' } });
    token = (await signedIn(t.app, { role: 'legal_officer' })).token;
    const started = await t
      .http()
      .post('/instances')
      .set(bearer(token))
      .send({ definitionId: 'regulation-amendment', input: { proposedBy: 'Secretariat', rationale: 'budget' } })
      .expect(201);
    id = started.body.instance.id;
    await t
      .http()
      .post(`/instances/${id}/draft`)
      .set(bearer(token))
      .send({ source: 'blank', title: { en: 'Budget', ru: 'Бюджет', zh: '预算' } })
      .expect(201);
    const save = (note: string, article: Record<string, string>) =>
      t
        .http()
        .post(`/instances/${id}/draft/versions`)
        .set(bearer(token))
        .send({ note, articles: [article] });
    await save('v1', {
      number: '1',
      en: 'The Secretariat shall circulate the draft.',
      ru: 'Секретариат рассылает проект.',
      zh: '秘书处分发草案。',
    }).expect(201);
    const v1 = await t.http().get(`/instances/${id}/draft/versions/1`).set(bearer(token)).expect(200);
    const articleId = (v1.body.articles as { articleId: string }[])[0].articleId;
    // version 2 rewrites the English sentence word for word (far more than 5 edits); ru and zh unchanged
    await save('v2', {
      articleId,
      number: '1',
      en: 'Member states may request written consultations before every ministerial meeting convened.',
      ru: 'Секретариат рассылает проект.',
      zh: '秘书处分发草案。',
    }).expect(201);
    // version 3 keeps the English of version 1 and adds long Russian and Chinese texts (over the size budget)
    await save('v3', {
      articleId,
      number: '1',
      en: 'The Secretariat shall circulate the draft.',
      ru: 'Секретариат рассылает проект. ' + 'Текст. '.repeat(250),
      zh: '秘书处分发草案。' + '文本。'.repeat(500),
    }).expect(201);
  });
  afterAll(() => t?.close());

  /** What a comparison could write: the procedure's events, the draft's versions, articles and comments. */
  const written = () =>
    t.dataSource.query(
      `SELECT (SELECT count(*) FROM workflow_event WHERE instance_id = $1)::int AS events,
              (SELECT count(*) FROM draft_version)::int AS versions,
              (SELECT count(*) FROM draft_article)::int AS articles,
              (SELECT count(*) FROM draft_comment)::int AS comments`,
      [id],
    );

  it('413 TOO_LARGE over DIFF_MAX_CHARS, before any work, saying to compare one language at a time; that works', async () => {
    const before = await written();
    const res = await t.http().get(`/instances/${id}/draft/diff?from=1&to=3`).set(bearer(token)).expect(413);
    expect(res.body).toEqual({
      statusCode: 413,
      error: 'TOO_LARGE',
      message: expect.stringMatching(
        new RegExp(
          `^These versions hold \\d+ characters in the languages compared, more than the ${MAX_CHARS} a comparison may cover: compare one language at a time \\(lang\\)\\.$`,
        ),
      ) as string,
    });
    expect(await written()).toEqual(before);
    // as the sentence says: one language at a time fits (English did not change between 1 and 3)
    const en = await t.http().get(`/instances/${id}/draft/diff?from=1&to=3&lang=en`).set(bearer(token)).expect(200);
    expect(en.body.languages).toEqual(['en']);
    expect(en.body.articles[0].redlines.en).toEqual([
      { op: 'equal', text: 'The Secretariat shall circulate the draft.' },
    ]);
  });

  it('422 UNPROCESSABLE over DIFF_MAX_EDIT_LENGTH, on the diff and the comparison table, with nothing written', async () => {
    const before = await written();
    const sentence =
      'These versions differ too much to compare word by word within the time allowed: compare one language at a time (lang) or versions closer to each other.';
    const diff = await t.http().get(`/instances/${id}/draft/diff?from=1&to=2`).set(bearer(token)).expect(422);
    expect(diff.body).toEqual({ statusCode: 422, error: 'UNPROCESSABLE', message: sentence });
    const table = await t
      .http()
      .get(`/instances/${id}/draft/comparison?from=1&to=2&lang=en`)
      .set(bearer(token))
      .expect(422);
    expect(table.body).toEqual({ statusCode: 422, error: 'UNPROCESSABLE', message: sentence });
    expect(await written()).toEqual(before);
    // the languages that changed little compare within the budget
    const ru = await t.http().get(`/instances/${id}/draft/diff?from=1&to=2&lang=ru`).set(bearer(token)).expect(200);
    expect(ru.body.articles[0].redlines.ru).toEqual([{ op: 'equal', text: 'Секретариат рассылает проект.' }]);
  });
});
