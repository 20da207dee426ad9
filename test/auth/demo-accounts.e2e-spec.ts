import { DEMO_PASSWORD, DemoAccountsSeeder } from '../../src/auth/demo-accounts.seeder';
import { signIn } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

const MEMBER_STATES = ['BY', 'CN', 'IN', 'IR', 'KG', 'KZ', 'PK', 'RU', 'TJ', 'UZ'];

async function users(t: TestApp): Promise<{ email: string; role: string; member_state: string | null }[]> {
  return t.dataSource.query(`select email, role, member_state from app_user order by email`);
}

describe('demo accounts', () => {
  it('are created on boot with DEMO=true: officers, manager, admin and one approver per current member state', async () => {
    const t = await createTestApp({ env: { NODE_ENV: 'development', DEMO: 'true' } });
    try {
      const rows = await users(t);
      expect(rows.filter((u) => u.role === 'approver').map((u) => u.member_state)).toEqual(MEMBER_STATES);
      expect(rows.map((u) => u.email)).toEqual(
        expect.arrayContaining([
          'officer@amendflow.local',
          'officer2@amendflow.local',
          'manager@amendflow.local',
          'admin@amendflow.local',
          'approver.ru@amendflow.local',
          'approver.cn@amendflow.local',
          'approver.in@amendflow.local',
          'approver.kz@amendflow.local',
        ]),
      );
      expect(rows).toHaveLength(4 + MEMBER_STATES.length);
      const created = await t.dataSource.query(
        `select count(*)::int as n from audit_log where action = 'user_created' and details->>'demo' = 'true'`,
      );
      expect(created[0].n).toBe(rows.length);

      const token = await signIn(t.http(), 'approver.kz@amendflow.local', DEMO_PASSWORD);
      expect(token).toEqual(expect.any(String));

      // a second boot (or a second process) adds nothing and resets nothing
      expect(await t.app.get(DemoAccountsSeeder).seedFor(true)).toEqual([]);

      // the sign-in page shows a banner
      const config = await t.http().get('/auth/config').expect(200);
      expect(config.body).toMatchObject({ demo: true, passwordMinLength: 12 });
      expect(config.body.demoBanner).toContain(DEMO_PASSWORD);
      expect(await users(t)).toHaveLength(rows.length);
    } finally {
      await t.close();
    }
  });

  it.each(['development', 'production', 'test'] as const)(
    'are never created without DEMO (NODE_ENV=%s)',
    async (nodeEnv) => {
      const t = await createTestApp({ env: { NODE_ENV: nodeEnv, DEMO: undefined } });
      try {
        expect(await users(t)).toEqual([]);
        expect(await t.app.get(DemoAccountsSeeder).seedFor(t.env.DEMO)).toEqual([]);
        expect((await t.http().get('/auth/config').expect(200)).body).toMatchObject({ demo: false, demoBanner: null });
        expect(await users(t)).toEqual([]);
        await t
          .http()
          .post('/auth/sign-in')
          .send({ email: 'admin@amendflow.local', password: DEMO_PASSWORD })
          .expect(401);
      } finally {
        await t.close();
      }
    },
  );
});
