/**
 * One rule for naming a member state in a request: in any spelling, in a header, the query or the
 * body (nested, under `__proto__`), on any route, it is refused with the same 403 sentence and
 * nothing is written; routes that take a member state as data accept it from the roles they
 * name (an administrator creating an approver). Write routes refuse unknown query parameters.
 */
import { NAMED_MEMBER_STATE_REFUSAL } from '../../src/auth/member-state-naming.guard';
import { bearer, createUser, tokenFor } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

describe('naming a member state in a request', () => {
  let t: TestApp;
  let approver: string;
  let officer: string;
  let admin: string;
  let instanceId: string;

  beforeAll(async () => {
    t = await createTestApp({ logLevels: ['error'] });
    approver = await tokenFor(t.app, await createUser(t.app, { role: 'approver', memberState: 'KZ' }));
    officer = await tokenFor(t.app, await createUser(t.app, { role: 'legal_officer' }));
    admin = await tokenFor(t.app, await createUser(t.app, { role: 'admin' }));
    const res = await t
      .http()
      .post('/instances')
      .set(bearer(officer))
      .send({ definitionId: 'regulation-amendment', input: { proposedBy: 'China', rationale: 'Align the regulation' } })
      .expect(201);
    instanceId = (res.body as { result: { instanceId: string } }).result.instanceId;
  });
  afterAll(() => t?.close());

  const counts = async () =>
    (
      await t.dataSource.query<{ e: number; c: number; u: number }[]>(
        `SELECT (SELECT count(*)::int FROM workflow_event) AS e, (SELECT count(*)::int FROM draft_comment) AS c, (SELECT count(*)::int FROM app_user) AS u`,
      )
    )[0];

  const spellings: [string, (path: string) => { path: string; headers: Record<string, string>; body: unknown }][] = [
    ['?memberState=', (p) => ({ path: `${p}?memberState=CN`, headers: {}, body: {} })],
    ['?memberState[]=', (p) => ({ path: `${p}?memberState[]=CN`, headers: {}, body: {} })],
    ['?member_state=', (p) => ({ path: `${p}?member_state=CN`, headers: {}, body: {} })],
    ['?MemberState=', (p) => ({ path: `${p}?MemberState=CN`, headers: {}, body: {} })],
    ['?MEMBER-STATE=', (p) => ({ path: `${p}?MEMBER-STATE=CN`, headers: {}, body: {} })],
    ['X-Member-State header', (p) => ({ path: p, headers: { 'X-Member-State': 'CN' }, body: {} })],
    ['X-MemberState header', (p) => ({ path: p, headers: { 'X-MemberState': 'CN' }, body: {} })],
    ['body memberState', (p) => ({ path: p, headers: {}, body: { memberState: 'CN' } })],
    ['body member_state', (p) => ({ path: p, headers: {}, body: { member_state: 'CN' } })],
    ['nested body key', (p) => ({ path: p, headers: {}, body: { payload: { deep: [{ MemberState: 'CN' }] } } })],
    ['__proto__ key', (p) => ({ path: p, headers: {}, body: JSON.parse('{"__proto__":{"memberState":"CN"}}') })],
  ];

  const routes = (): [string, string, () => string][] => [
    ['POST', `/instances/${instanceId}/events`, () => approver],
    ['POST', `/approvals/${instanceId}/answer`, () => approver],
    ['POST', `/instances/${instanceId}/draft/versions/1/comments`, () => approver],
    ['GET', `/approvals/inbox`, () => approver],
    ['GET', `/instances/${instanceId}`, () => approver],
    ['POST', `/instances`, () => officer],
    ['POST', `/auth/sign-in`, () => ''],
  ];

  it.each(spellings)('%s is refused with the same 403 on every route, and nothing is written', async (_n, make) => {
    for (const [method, path, token] of routes()) {
      const before = await counts();
      const r = make(path);
      if (method === 'GET' && Object.getOwnPropertyNames(r.body).length) continue; // a GET carries no body
      let req = method === 'GET' ? t.http().get(r.path) : t.http().post(r.path);
      if (token()) req = req.set(bearer(token()));
      for (const [k, v] of Object.entries(r.headers)) req = req.set(k, v);
      const res = method === 'GET' ? await req : await req.send(r.body as object);
      expect([method, path, res.status, res.body.message]).toEqual([method, path, 403, NAMED_MEMBER_STATE_REFUSAL]);
      expect(await counts()).toEqual(before);
    }
  });

  it('an administrator creating an approver names the member state as data', async () => {
    await t
      .http()
      .post('/users')
      .set(bearer(admin))
      .send({
        email: `kz-${Date.now()}@test.local`,
        password: 'correct horse battery staple',
        displayName: 'KZ approver',
        role: 'approver',
        memberState: 'KZ',
      })
      .expect(201);
    await t.http().get('/users?memberState=KZ').set(bearer(admin)).expect(200);
    // an approver listing acting appointments may not pick another state
    const res = await t.http().get('/acting-appointments?memberState=CN').set(bearer(approver)).expect(403);
    expect(res.body.message).toBe(NAMED_MEMBER_STATE_REFUSAL);
  });

  it('a write route refuses unknown query parameters', async () => {
    const before = await counts();
    const res = await t
      .http()
      .post(`/instances/${instanceId}/events?force=true`)
      .set(bearer(officer))
      .send({ type: 'SUBMIT', payload: {} })
      .expect(400);
    expect(res.body.message).toMatch(/takes no query parameters/);
    expect(await counts()).toEqual(before);
  });
});
