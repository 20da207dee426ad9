/** Helpers shared by the documents e2e suites: people, procedures and version payloads over HTTP. */
import { bearer, signedIn, type TestUser } from '../support/auth';
import type { TestApp } from '../support/test-app';

export const STATES = ['BY', 'CN', 'IN', 'IR', 'KG', 'KZ', 'PK', 'RU', 'TJ', 'UZ'] as const;

export interface Person {
  user: TestUser;
  token: string;
}

export interface ArticleView {
  articleId: string;
  position: number;
  number: string;
  text: { ru: string; zh: string; en: string };
  languages: { ru: string; zh: string; en: string };
  drifted: boolean;
}

export interface VersionView {
  number: number;
  latest: boolean;
  note: string;
  authorId: string;
  basedOn: number | null;
  driftedArticles: string[];
  englishPossiblyStale: string[];
  articles: ArticleView[];
}

export class DraftClient {
  constructor(
    readonly t: TestApp,
    readonly token: string,
  ) {}

  as(token: string): DraftClient {
    return new DraftClient(this.t, token);
  }

  startRegulationAmendment() {
    return this.t
      .http()
      .post('/instances')
      .set(bearer(this.token))
      .send({
        definitionId: 'regulation-amendment',
        input: {
          proposedBy: 'Secretariat',
          rationale: 'Align the Regulation with the single SCO partner status of 2025',
        },
      });
  }

  event(id: string, type: string, payload: object = {}) {
    return this.t.http().post(`/instances/${id}/events`).set(bearer(this.token)).send({ type, payload });
  }

  createDraft(id: string, body: object) {
    return this.t.http().post(`/instances/${id}/draft`).set(bearer(this.token)).send(body);
  }

  save(id: string, body: object) {
    return this.t.http().post(`/instances/${id}/draft/versions`).set(bearer(this.token)).send(body);
  }

  get(path: string) {
    return this.t.http().get(path).set(bearer(this.token));
  }

  comment(id: string, version: number, body: object) {
    return this.t.http().post(`/instances/${id}/draft/versions/${version}/comments`).set(bearer(this.token)).send(body);
  }

  async version(id: string, n: number): Promise<VersionView> {
    const res = await this.get(`/instances/${id}/draft/versions/${n}`).expect(200);
    return res.body as VersionView;
  }
}

/** The articles of a version as a save payload (ids kept), to be edited by the test. */
export function asInput(v: VersionView) {
  return v.articles.map((a) => ({
    articleId: a.articleId,
    number: a.number,
    ru: a.text.ru,
    zh: a.text.zh,
    en: a.text.en,
  }));
}

export async function people(t: TestApp, states: readonly string[] = []) {
  const officer = await signedIn(t.app, { role: 'legal_officer' });
  const reviewer = await signedIn(t.app, { role: 'legal_officer' });
  const manager = await signedIn(t.app, { role: 'manager' });
  const approvers: Record<string, Person> = {};
  for (const s of states) approvers[s] = await signedIn(t.app, { role: 'approver', memberState: s });
  return { officer, reviewer, manager, approvers };
}

/** A large version: many long articles in the three languages (under the 1 MB request limit). */
export function largeArticles(count = 120, length = 2000) {
  const text = (lang: string, i: number) =>
    `${lang} ${i}: ${'The member states shall cooperate in the areas set out in this memorandum. '.repeat(length / 76)}`;
  return Array.from({ length: count }, (_, i) => ({
    number: String(i + 1),
    ru: text('Статья', i + 1),
    zh: `第${i + 1}条 成员国应在本备忘录规定的领域开展合作。`,
    en: text('Article', i + 1),
  }));
}
