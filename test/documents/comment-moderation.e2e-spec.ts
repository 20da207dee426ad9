/**
 * A legal officer hides an abusive comment from the views and shows it again: each is a
 * moderation record with the reason; the comment row stays as it was (append-only); approvers
 * cannot hide comments.
 */
import { bearer, createUser, tokenFor } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

describe('hiding an abusive comment', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ logLevels: ['error'] });
  });
  afterAll(() => t?.close());

  it('hides and shows a comment by records, keeps the original, and refuses approvers', async () => {
    const officer = await tokenFor(t.app, await createUser(t.app, { role: 'legal_officer' }));
    const approver = await tokenFor(t.app, await createUser(t.app, { role: 'approver', memberState: 'KZ' }));
    const id = (
      await t
        .http()
        .post('/instances')
        .set(bearer(officer))
        .send({ definitionId: 'regulation-amendment', input: { proposedBy: 'China', rationale: 'Moderation' } })
        .expect(201)
    ).body.instance.id as string;
    await t.http().post(`/instances/${id}/draft`).set(bearer(officer)).send({ source: 'regulation' }).expect(201);
    const comment = (
      await t
        .http()
        .post(`/instances/${id}/draft/versions/1/comments`)
        .set(bearer(officer))
        .send({ text: 'An abusive remark' })
        .expect(201)
    ).body as { id: string };
    const visible = async () =>
      (
        (await t.http().get(`/instances/${id}/draft/versions/1/comments`).set(bearer(officer)).expect(200)).body as {
          id: string;
        }[]
      ).map((c) => c.id);
    expect(await visible()).toContain(comment.id);

    await t
      .http()
      .post(`/instances/${id}/draft/versions/1/comments/${comment.id}/hide`)
      .set(bearer(approver))
      .send({ reason: 'no' })
      .expect(403);
    const hidden = await t
      .http()
      .post(`/instances/${id}/draft/versions/1/comments/${comment.id}/hide`)
      .set(bearer(officer))
      .send({ reason: 'Abusive language' })
      .expect(200);
    expect(hidden.body).toMatchObject({ commentId: comment.id, hidden: true, reason: 'Abusive language' });
    expect(await visible()).not.toContain(comment.id);
    // the original is kept
    const [row] = await t.dataSource.query<{ text: string }[]>(`SELECT text FROM draft_comment WHERE id = $1`, [
      comment.id,
    ]);
    expect(row.text).toBe('An abusive remark');

    await t
      .http()
      .post(`/instances/${id}/draft/versions/1/comments/${comment.id}/show`)
      .set(bearer(officer))
      .send({ reason: 'Reviewed again' })
      .expect(200);
    expect(await visible()).toContain(comment.id);
    const records = await t.dataSource.query<{ action: string; reason: string }[]>(
      `SELECT action, reason FROM draft_comment_moderation WHERE comment_id = $1 ORDER BY seq`,
      [comment.id],
    );
    expect(records).toEqual([
      { action: 'hide', reason: 'Abusive language' },
      { action: 'show', reason: 'Reviewed again' },
    ]);
    await expect(t.dataSource.query(`DELETE FROM draft_comment_moderation`)).rejects.toThrow(/append-only/);
    await t
      .http()
      .post(`/instances/${id}/draft/versions/1/comments/00000000-0000-4000-8000-000000000000/hide`)
      .set(bearer(officer))
      .send({ reason: 'x' })
      .expect(404);
  });
});
