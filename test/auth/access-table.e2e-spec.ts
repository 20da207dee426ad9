import { randomUUID } from 'node:crypto';
import type { UserRole } from '../../src/common/roles';
import { bearer, createUser, tokenFor, type TestUser } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

type Who = UserRole | 'anonymous';
const WHO: Who[] = ['anonymous', 'legal_officer', 'approver', 'manager', 'admin'];

interface Row {
  method: 'get' | 'post' | 'patch' | 'delete';
  path: string;
  body?: object;
  /** Expected status per caller. A number, or 'ok' for any status that is not 401/403 (e.g. 400 for a deliberately empty body). */
  expect: Record<Who, number | 'ok'>;
}

const NO_ID = randomUUID();
const everyone = (status: number | 'ok' = 200): Record<Who, number | 'ok'> => ({
  anonymous: 401,
  legal_officer: status,
  approver: status,
  manager: status,
  admin: status,
});
const only = (roles: UserRole[], status: number | 'ok'): Record<Who, number | 'ok'> => {
  const entries = WHO.map((w) => [w, w === 'anonymous' ? 401 : roles.includes(w) ? status : 403] as const);
  return Object.fromEntries(entries) as Record<Who, number | 'ok'>;
};

/**
 * Every route of identities, procedures, approvals and reference data × every role. Bodies are
 * deliberately incomplete or ids unknown, so an allowed caller gets 400/404 and nothing is written,
 * while the access decision (401/403) comes first.
 */
const TABLE: Row[] = [
  {
    method: 'post',
    path: '/auth/sign-in',
    body: {},
    expect: { anonymous: 400, legal_officer: 400, approver: 400, manager: 400, admin: 400 },
  },
  { method: 'get', path: '/auth/me', expect: everyone(200) },
  {
    method: 'get',
    path: '/auth/config',
    expect: { anonymous: 200, legal_officer: 200, approver: 200, manager: 200, admin: 200 },
  },
  { method: 'post', path: '/auth/password', body: {}, expect: everyone(400) },
  {
    method: 'post',
    path: '/auth/password-reset',
    body: {},
    expect: { anonymous: 400, legal_officer: 400, approver: 400, manager: 400, admin: 400 },
  },
  { method: 'post', path: `/users/${NO_ID}/password-reset`, expect: only(['admin'], 404) },
  { method: 'post', path: '/auth/sign-out', expect: everyone('ok') },
  { method: 'post', path: '/users', body: {}, expect: only(['admin'], 400) },
  { method: 'get', path: '/users', expect: only(['manager', 'admin'], 200) },
  { method: 'patch', path: `/users/${NO_ID}`, body: { active: true }, expect: only(['admin'], 404) },
  { method: 'post', path: `/users/${NO_ID}/revoke-tokens`, expect: only(['admin'], 404) },
  { method: 'post', path: '/acting-appointments', body: {}, expect: only(['manager', 'admin'], 400) },
  { method: 'get', path: '/acting-appointments', expect: everyone('ok') },
  { method: 'delete', path: `/acting-appointments/${NO_ID}`, expect: only(['manager', 'admin'], 404) },
  { method: 'get', path: '/definitions', expect: everyone(200) },
  { method: 'get', path: '/definitions/regulation-amendment', expect: everyone(200) },
  {
    method: 'post',
    path: '/instances',
    body: { definitionId: 'regulation-amendment', input: {} },
    expect: { anonymous: 401, legal_officer: 400, approver: 403, manager: 403, admin: 403 },
  },
  { method: 'get', path: '/instances', expect: everyone(200) },
  { method: 'get', path: `/instances/${NO_ID}`, expect: everyone(404) },
  {
    method: 'post',
    path: `/instances/${NO_ID}/events`,
    body: { type: 'WITHDRAW', payload: {} },
    expect: everyone(404),
  },
  {
    method: 'post',
    path: `/instances/${NO_ID}/finding-links`,
    body: { findingId: 'F1', procedureId: NO_ID },
    expect: only(['legal_officer'], 404),
  },
  { method: 'get', path: `/instances/${NO_ID}/history`, expect: everyone(404) },
  { method: 'get', path: `/instances/${NO_ID}/verify`, expect: everyone(404) },
  // evidence: the bundle carries every payload, the Secretariat's internal review included
  { method: 'get', path: `/instances/${NO_ID}/evidence`, expect: only(['legal_officer', 'manager', 'admin'], 404) },
  { method: 'get', path: '/evidence/checkpoints', expect: everyone(200) },
  { method: 'post', path: `/instances/${NO_ID}/migrate`, body: {}, expect: only(['admin'], 400) },
  {
    method: 'post',
    path: `/instances/${NO_ID}/deadlines/circulation/extend`,
    body: {},
    expect: only(['manager'], 400),
  },
  { method: 'get', path: `/instances/${NO_ID}/approvals`, expect: everyone(404) },
  { method: 'get', path: '/approvals/inbox', expect: only(['approver'], 200) },
  { method: 'get', path: '/approvals/history', expect: only(['approver'], 200) },
  {
    method: 'post',
    path: `/approvals/${NO_ID}/answer`,
    body: { draftVersion: 1, kind: 'agree' },
    expect: only(['approver'], 404),
  },
  {
    method: 'post',
    path: `/approvals/${NO_ID}/statement`,
    body: { draftVersion: 1, kind: 'agree' },
    expect: only(['approver'], 404),
  },
  // signing keys: approvers hold them, administrators confirm acts on them (four-eyes)
  { method: 'get', path: '/signing-keys/mine', expect: only(['approver'], 200) },
  { method: 'get', path: '/signing-keys/pending', expect: only(['admin'], 200) },
  { method: 'get', path: `/signing-keys/users/${NO_ID}`, expect: only(['admin'], 200) },
  { method: 'post', path: '/signing-keys/ed25519', body: {}, expect: only(['approver'], 400) },
  // without an Origin (and PUBLIC_URL) no relying party can be named
  { method: 'post', path: '/signing-keys/passkeys/options', expect: only(['approver'], 400) },
  { method: 'post', path: '/signing-keys/passkeys', body: {}, expect: only(['approver'], 400) },
  { method: 'post', path: `/signing-keys/${NO_ID}/revoke`, body: {}, expect: only(['approver', 'admin'], 400) },
  { method: 'post', path: `/signing-keys/acts/${NO_ID}/confirm`, expect: only(['admin'], 404) },
  { method: 'post', path: `/signing-keys/acts/${NO_ID}/endorse`, body: {}, expect: only(['approver'], 400) },
  { method: 'get', path: '/monitoring/dashboard', expect: only(['legal_officer', 'manager', 'admin'], 200) },
  { method: 'get', path: '/reference/member-states', expect: everyone(200) },
  { method: 'get', path: '/reference/partners', expect: everyone(200) },
  { method: 'get', path: '/reference/treaties', expect: everyone(200) },
  { method: 'get', path: '/reference/bodies', expect: everyone(200) },
  { method: 'get', path: '/reference/member-states/KZ', expect: everyone(200) },
  { method: 'get', path: '/reference/member-states/KZ/history', expect: everyone(200) },
  { method: 'post', path: '/reference/member-states/KZ', body: {}, expect: only(['admin'], 400) },
  { method: 'post', path: '/reference/member-states/KZ/end', body: {}, expect: only(['admin'], 400) },
  // webhooks: registered by managers and administrators only; everyone lists their own
  { method: 'post', path: '/webhooks', body: {}, expect: only(['manager', 'admin'], 400) },
  { method: 'get', path: '/webhooks', expect: everyone(200) },
  // reads of lists: everyone signed in, deep pages refused with a sentence (cursor instead)
  { method: 'get', path: '/notifications', expect: everyone(200) },
  { method: 'get', path: '/notifications?page=101', expect: everyone(400) },
  { method: 'get', path: '/instances?page=101', expect: everyone(400) },
  // reads of a draft that does not exist: 404 for every role (the version policy: test/documents/read-policy)
  { method: 'get', path: `/instances/${NO_ID}/draft`, expect: everyone(404) },
  { method: 'get', path: `/instances/${NO_ID}/draft/versions/1`, expect: everyone(404) },
  // export jobs: anyone who reads a document may export it; an export is its requester's own
  { method: 'post', path: `/instances/${NO_ID}/exports`, body: { kind: 'report' }, expect: everyone(404) },
  { method: 'get', path: `/instances/${NO_ID}/exports/${NO_ID}`, expect: everyone(404) },
  { method: 'get', path: `/instances/${NO_ID}/exports/${NO_ID}/file`, expect: everyone(404) },
];

/** The route families this table answers for; every documented route under them must be in it. */
const COVERED =
  /^\/(auth|users|acting-appointments|definitions|instances(\/\{id\})?(\/(events|finding-links|history|verify|evidence|migrate|approvals|deadlines\/\{key\}\/extend))?$|approvals|reference|monitoring|signing-keys|evidence)/;

describe('access: every route × every role', () => {
  let t: TestApp;
  const users: Partial<Record<UserRole, TestUser>> = {};

  beforeAll(async () => {
    t = await createTestApp();
    users.legal_officer = await createUser(t.app, { role: 'legal_officer' });
    users.approver = await createUser(t.app, { role: 'approver', memberState: 'KZ' });
    users.manager = await createUser(t.app, { role: 'manager' });
    users.admin = await createUser(t.app, { role: 'admin' });
  });
  afterAll(() => t.close());

  it('has a row for every documented route of these families', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const toTemplate = (p: string) =>
      p
        .replace(NO_ID, '{id}')
        .replace('/circulation/', '/{key}/')
        .replace('/definitions/regulation-amendment', '/definitions/{id}')
        .replace(/\/reference\/member-states\/KZ/, '/reference/{kind}/{code}');
    const tabled = new Set(TABLE.map((r) => `${r.method} ${toTemplate(r.path)}`));
    const documented = Object.entries(doc.paths)
      .flatMap(([path, ops]) =>
        Object.keys(ops).map(
          (m) =>
            `${m} ${path.replace(/\{[^}]+\}/g, (x) => (x === '{key}' || x === '{kind}' || x === '{code}' ? x : '{id}'))}`,
        ),
      )
      .filter((k) => COVERED.test(k.split(' ')[1]))
      .filter((k) => !/\/draft|\/report|\/notifications|\/webhooks/.test(k));
    const missing = documented.filter(
      (k) => !tabled.has(k) && !tabled.has(k.replace('{kind}/{code}', 'member-states/{code}')),
    );
    expect(missing).toEqual([]);
  });

  it.each(
    TABLE.flatMap((row) => WHO.map((who) => [`${row.method.toUpperCase()} ${row.path} as ${who}`, row, who] as const)),
  )('%s', async (_name, row, who) => {
    let req = t.http()[row.method](row.path);
    if (who !== 'anonymous') req = req.set(bearer(await tokenFor(t.app, users[who]!)));
    const res = row.body ? await req.send(row.body) : await req;
    const expected = row.expect[who];
    if (expected === 'ok') expect([401, 403]).not.toContain(res.status);
    else
      expect({ status: res.status, body: res.status === expected ? undefined : res.body }).toEqual({
        status: expected,
        body: undefined,
      });
    if (res.status === 401) expect(res.body.message).toMatch(/sign in/i);
    if (res.status === 403) expect(res.body.message).toMatch(/role|approver|administrator|manager/i);
  });
});

/**
 * Reads of a procedure's documents × every role, on real procedures: a 1(a) analysis not yet
 * circulated to the member states, and a regulation amendment whose version 1 was circulated
 * (with a comment of the Secretariat on it) and whose version 2 is internal. Approvers read what
 * was circulated and the member states' comments; the Secretariat reads everything.
 */
interface ReadRow {
  path: string;
  expect: Record<Who, number>;
  /** For a 200: whether the Secretariat's comment is in the body (approvers never, the Secretariat always). */
  secretariatComment?: boolean;
}
const SECRETARIAT_NOTE = 'Secretariat: internal note on article 1 for the consolidation';
const notApprovers = (approver: number): Record<Who, number> => ({
  anonymous: 401,
  legal_officer: 200,
  approver,
  manager: 200,
  admin: 200,
});
const READS: ReadRow[] = [
  { path: '/instances/{analysis}/report', expect: notApprovers(404) },
  { path: '/instances/{analysis}/report/export?format=html&lang=en', expect: notApprovers(404) },
  { path: '/instances/{regulation}/draft/versions/1', expect: notApprovers(200) },
  { path: '/instances/{regulation}/draft/versions/2', expect: notApprovers(404) },
  { path: '/instances/{regulation}/draft/versions/2/export?format=html&lang=en', expect: notApprovers(404) },
  { path: '/instances/{regulation}/draft/versions/1/comments', expect: notApprovers(200), secretariatComment: true },
  {
    path: '/instances/{regulation}/draft/consolidation?version=1',
    expect: notApprovers(200),
    secretariatComment: true,
  },
  {
    path: '/instances/{regulation}/draft/comparison?from=1&to=1&lang=en',
    expect: notApprovers(200),
    secretariatComment: true,
  },
  {
    path: '/instances/{regulation}/draft/comparison/export?from=1&to=1&format=html&lang=en',
    expect: notApprovers(200),
    secretariatComment: true,
  },
];

describe('access: reads of drafts, comments and the 1(a) report × every role', () => {
  let t: TestApp;
  const users: Partial<Record<UserRole, TestUser>> = {};
  const ids = { analysis: '', regulation: '' };

  beforeAll(async () => {
    t = await createTestApp();
    users.legal_officer = await createUser(t.app, { role: 'legal_officer' });
    users.approver = await createUser(t.app, { role: 'approver', memberState: 'KZ' });
    users.manager = await createUser(t.app, { role: 'manager' });
    users.admin = await createUser(t.app, { role: 'admin' });
    const reviewer = await createUser(t.app, { role: 'legal_officer' });
    const officer = bearer(await tokenFor(t.app, users.legal_officer));
    const four = bearer(await tokenFor(t.app, reviewer));
    const post = (path: string, body: object, as = officer) => t.http().post(path).set(as).send(body).expect(201);
    const event = (id: string, type: string, payload: object = {}, as = officer) =>
      t.http().post(`/instances/${id}/events`).set(as).send({ type, payload }).expect(200);

    ids.analysis = (
      await post('/instances', {
        definitionId: 'implementation-analysis',
        input: { title: 'Implementation of the memoranda' },
      })
    ).body.instance.id;
    await event(ids.analysis, 'SCOPE', {
      criteria: ['Participation in meetings'],
      memoranda: ['mem-TR'],
      assignments: [{ memorandumId: 'mem-TR', assignee: users.legal_officer.id, dueAt: '2099-12-31' }],
    });

    ids.regulation = (
      await post('/instances', {
        definitionId: 'regulation-amendment',
        input: { proposedBy: 'Secretariat', rationale: 'Align the Regulation with the 2025 partner status' },
      })
    ).body.instance.id;
    const id = ids.regulation;
    await event(id, 'START_DRAFTING');
    const v1 = (await post(`/instances/${id}/draft`, { source: 'regulation' })).body.latest as {
      articles: { articleId: string; number: string; text: { ru: string; zh: string; en: string } }[];
    };
    await event(id, 'SUBMIT_FOR_REVIEW', { draftVersion: 1 });
    await event(id, 'APPROVE_REVIEW', {}, four); // version 1 is circulated
    await post(`/instances/${id}/draft/versions/1/comments`, {
      articleId: v1.articles[0].articleId,
      text: SECRETARIAT_NOTE,
    });
    const articles = v1.articles.map((a) => ({ articleId: a.articleId, number: a.number, ...a.text }));
    articles[0].en = `${articles[0].en} (internal wording)`;
    await post(`/instances/${id}/draft/versions`, { note: 'Internal', basedOn: 1, articles });
  }, 120_000);
  afterAll(() => t.close());

  it.each(READS.flatMap((row) => WHO.map((who) => [`GET ${row.path} as ${who}`, row, who] as const)))(
    '%s',
    async (_name, row, who) => {
      const path = row.path.replace('{analysis}', ids.analysis).replace('{regulation}', ids.regulation);
      let req = t.http().get(path);
      if (who !== 'anonymous') req = req.set(bearer(await tokenFor(t.app, users[who]!)));
      const res = await req;
      const expected = row.expect[who];
      expect({ status: res.status, body: res.status === expected ? undefined : res.body }).toEqual({
        status: expected,
        body: undefined,
      });
      if (res.status === 404) expect(res.body.message).toMatch(/not been circulated to the member states/);
      if (res.status === 200 && row.secretariatComment) {
        const text = res.type === 'application/json' ? JSON.stringify(res.body) : res.text;
        if (who === 'approver') expect(text).not.toContain(SECRETARIAT_NOTE);
        else expect(text).toContain(SECRETARIAT_NOTE);
      }
    },
  );
});
