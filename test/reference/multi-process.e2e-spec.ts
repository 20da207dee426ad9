/**
 * Several processes, one truth: two application processes on one database each keep their own
 * in-memory copy of the reference data; a member state added through one is known to the other
 * on its next read, with nobody telling it to invalidate anything.
 */
import { ReferenceService } from '../../src/reference/reference.service';
import { bearer, signedIn } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

describe('reference data across processes', () => {
  let one: TestApp;
  let two: TestApp;

  beforeAll(async () => {
    one = await createTestApp();
    two = await createTestApp({ databaseUrl: one.databaseUrl });
  });
  afterAll(async () => {
    await two?.close();
    await one?.close();
  });

  it('a member state added through one process takes part in the other one at once', async () => {
    const admin = await signedIn(one.app, { role: 'admin' });
    const reference = two.app.get(ReferenceService);
    const before = await reference.memberStateCodes(); // the second process has its copy now
    expect(before).not.toContain('XA');
    const [kz] = (await reference.memberStates()).filter((s) => s.code === 'KZ');

    await one
      .http()
      .post('/reference/member-states/XA')
      .set(bearer(admin.token))
      .send({
        data: { ...kz.data, code: 'XA' },
        note: 'a new member state, for the test',
        validFrom: '2020-01-01',
        create: true,
      })
      .expect(201);

    expect(await reference.memberStateCodes()).toEqual([...before, 'XA'].sort());
    const listed = await two.http().get('/reference/member-states').set(bearer(admin.token)).expect(200);
    expect(listed.body.map((s: { code: string }) => s.code)).toContain('XA');

    // and a change made outside any process (SQL) is seen too
    await one.dataSource.query(
      `UPDATE reference_record SET valid_to = '2021-01-01' WHERE kind = 'member_state' AND code = 'XA'`,
    );
    expect(await reference.memberStateCodes()).toEqual(before);
  });
});
