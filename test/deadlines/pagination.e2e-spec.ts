/**
 * Keyset pagination of the list routes: `cursor` in, `nextCursor` out, every row once in the
 * order of the pages (rows sharing a timestamp included); `page` still works up to its cap and
 * answers 400 with a sentence beyond it.
 */
import type { DefinitionRegistry } from '../../workflows/registry';
import { WorkflowEngine } from '../../src/engine/engine.service';
import { DEFINITIONS } from '../../src/engine/engine.types';
import { bearer, signedIn } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';
import { counterDefinition } from '../engine/counter.definition';

describe('keyset pagination', () => {
  let t: TestApp;
  let user: Awaited<ReturnType<typeof signedIn>>;

  beforeAll(async () => {
    t = await createTestApp();
    user = await signedIn(t.app, { role: 'legal_officer' });
  });
  afterAll(() => t.close());

  /** Every page from `path` following nextCursor; the ids in order. */
  const walk = async (path: string, pageSize: number) => {
    const ids: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 50; pages++) {
      const url: string = `${path}${path.includes('?') ? '&' : '?'}pageSize=${pageSize}${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await t.http().get(url).set(bearer(user.token)).expect(200);
      ids.push(...res.body.items.map((i: { id: string }) => i.id));
      cursor = res.body.nextCursor;
      if (!cursor) return ids;
    }
    throw new Error('too many pages');
  };

  it('GET /notifications: every notification once, newest first, ties included', async () => {
    const at = ['2030-01-01T00:00:00.123456Z', '2030-01-02T00:00:00Z', '2030-01-02T00:00:00Z', '2030-01-03T00:00:00Z'];
    for (let i = 0; i < 9; i++)
      await t.dataSource.query(
        `INSERT INTO notification (id, user_id, kind, topic, subject, outbox_id, created_at) VALUES (gen_random_uuid(), $1, 'info', 'info', $2, $3, $4)`,
        [user.user.id, `n${i}`, 7_000_000 + i, at[i % at.length]],
      );
    const all = await t.http().get('/notifications?pageSize=100').set(bearer(user.token)).expect(200);
    expect(all.body.nextCursor).toBeNull();
    const expected = all.body.items.map((i: { id: string }) => i.id);
    expect(expected).toHaveLength(9);
    expect(await walk('/notifications', 2)).toEqual(expected);
    expect(await walk('/notifications', 4)).toEqual(expected);
    // page still works, and agrees
    const second = await t.http().get('/notifications?page=2&pageSize=4').set(bearer(user.token)).expect(200);
    expect(second.body.items.map((i: { id: string }) => i.id)).toEqual(expected.slice(4, 8));
  });

  it('GET /instances: every procedure once, in the order of the pages', async () => {
    const registry = t.app.get<DefinitionRegistry>(DEFINITIONS);
    if (!registry.get('test-counter', 1)) registry.register(counterDefinition(1));
    const engine = t.app.get(WorkflowEngine);
    for (let i = 0; i < 5; i++) await engine.start({ definitionId: 'test-counter', input: {}, actor: user.actor });
    const all = await t
      .http()
      .get('/instances?definition=test-counter&pageSize=100')
      .set(bearer(user.token))
      .expect(200);
    const expected = all.body.items.map((i: { id: string }) => i.id);
    expect(expected).toHaveLength(5);
    expect(await walk('/instances?definition=test-counter', 2)).toEqual(expected);
  });

  it('refuses deep pages, foreign cursors and both at once with a sentence', async () => {
    for (const path of ['/notifications', '/instances']) {
      const deep = await t.http().get(`${path}?page=101`).set(bearer(user.token)).expect(400);
      expect(JSON.stringify(deep.body)).toContain(
        'page may be at most 100: to read further, pass the nextCursor of the previous page as cursor',
      );
      const foreign = await t.http().get(`${path}?cursor=bm90LWEtY3Vyc29y`).set(bearer(user.token)).expect(400);
      expect(foreign.body.message).toBe(
        'cursor is not one this service gave out: pass the nextCursor of the previous page unchanged.',
      );
      const both = await t.http().get(`${path}?page=2&cursor=bm90LWEtY3Vyc29y`).set(bearer(user.token)).expect(400);
      expect(both.body.message).toBe(
        'Give either page or cursor, not both: cursor already says where the page starts.',
      );
    }
  });
});
