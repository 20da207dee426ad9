import { randomUUID } from 'node:crypto';
import { getQueueToken } from '@nestjs/bullmq';
import { QueueEvents, type Queue } from 'bullmq';
import type { ExportJobData } from '../../src/documents/exports/export-jobs';
import { EXPORTS_QUEUE } from '../../src/documents/exports/export-jobs';
import { bearer } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
import { DraftClient, largeArticles, people, type Person } from './draft-fixtures';

/**
 * Exports as jobs: POST /instances/:id/exports answers 202 with the status, GET .../exports/:exportId
 * tells the state and the progress, GET .../file gives the rendered file; rendered by the
 * `exports` queue's worker (here the application's own, WORKERS_IN_PROCESS), off the event loop.
 */
describe('export jobs: request, status with progress, download (HTTP, real PostgreSQL and Redis)', () => {
  let t: TestApp;
  let officer: Person;
  let reviewer: Person;
  let ru: Person;
  let api: DraftClient;
  let id: string;
  let queue: Queue<ExportJobData>;

  beforeAll(async () => {
    t = await createTestApp();
    let approvers: Record<string, Person>;
    ({ officer, reviewer, approvers } = await people(t, ['RU']));
    ru = approvers.RU;
    api = new DraftClient(t, officer.token);
    id = (await api.startRegulationAmendment().expect(201)).body.instance.id;
    await api.event(id, 'START_DRAFTING').expect(200);
    await api.createDraft(id, { source: 'regulation' }).expect(201);
    await api.event(id, 'SUBMIT_FOR_REVIEW', { draftVersion: 1 }).expect(200);
    await api.as(reviewer.token).event(id, 'APPROVE_REVIEW').expect(200); // version 1 is circulated
    await api.save(id, { note: 'A long internal version', articles: largeArticles() }).expect(201);
    queue = t.app.get<Queue<ExportJobData>>(getQueueToken(EXPORTS_QUEUE));
  }, 120_000);
  afterAll(() => t.close());

  const request = (token: string, body: object) =>
    t.http().post(`/instances/${id}/exports`).set(bearer(token)).send(body);
  const status = (token: string, exportId: string) =>
    t.http().get(`/instances/${id}/exports/${exportId}`).set(bearer(token));
  const done = (token: string, exportId: string) =>
    waitFor(
      `export ${exportId} to finish`,
      async () => {
        const s = (await status(token, exportId).expect(200)).body;
        return s.state === 'done' || s.state === 'failed' ? s : null;
      },
      180_000,
      100,
    );

  it('answers 202 with a status, reports its progress while rendering a large PDF, then serves the file', async () => {
    const accepted = await request(officer.token, { kind: 'version', version: 2, format: 'pdf', lang: 'ru' }).expect(
      202,
    );
    expect(accepted.body).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      kind: 'version',
      format: 'pdf',
      lang: 'ru',
      state: 'queued',
      file: null,
      error: null,
    });
    const exportId = accepted.body.id as string;
    // every progress the worker reported, from the queue's own events
    const events = new QueueEvents(EXPORTS_QUEUE, { connection: queue.opts.connection, prefix: queue.opts.prefix });
    const reported: number[] = [];
    events.on('progress', ({ jobId, data }) => {
      if (jobId === exportId && typeof data === 'number') reported.push(data);
    });
    await events.waitUntilReady();
    try {
      const finished = await done(officer.token, exportId);
      expect(finished).toMatchObject({
        state: 'done',
        progress: 100,
        error: null,
        file: {
          filename: 'draft-v2-ru.pdf',
          contentType: 'application/pdf',
          url: `/instances/${id}/exports/${exportId}/file`,
        },
      });
      await waitFor('the last progress event', () => reported.includes(100), 30_000, 50);
    } finally {
      await events.close();
    }
    // progress only grows, and the render of a large document is seen in between
    expect([...reported].sort((a, b) => a - b)).toEqual(reported);
    expect(reported.some((p) => p > 20 && p < 99)).toBe(true);

    const file = await t
      .http()
      .get(`/instances/${id}/exports/${exportId}/file`)
      .set(bearer(officer.token))
      .buffer(true)
      .parse((res, cb) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => cb(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(file.headers['content-type']).toBe('application/pdf');
    expect(file.headers['content-disposition']).toBe('attachment; filename="draft-v2-ru.pdf"');
    expect((file.body as Buffer).subarray(0, 4).toString('latin1')).toBe('%PDF');
    expect(Number(file.headers['content-length'])).toBe((file.body as Buffer).length);
  });

  it("an export is its requester's own: another user's status and file answer 404", async () => {
    const mine = (await request(officer.token, { kind: 'version', version: 1, format: 'html', lang: 'en' }).expect(202))
      .body.id as string;
    await done(officer.token, mine);
    for (const path of [`/instances/${id}/exports/${mine}`, `/instances/${id}/exports/${mine}/file`]) {
      const res = await t.http().get(path).set(bearer(reviewer.token)).expect(404);
      expect(res.body.message).toMatch(/There is no export .* of yours on this procedure/);
    }
    await status(officer.token, 'not-an-id').expect(404);
  });

  it('refuses bad requests with a sentence and queues nothing', async () => {
    const before = await queue.getJobCountByTypes('waiting', 'active', 'completed', 'failed', 'delayed');
    const cases: [object, string, number, RegExp][] = [
      [{}, officer.token, 400, /kind must be version, comparison or report/],
      [{ kind: 'version', format: 'docx' }, officer.token, 400, /format must be html or pdf/],
      [{ kind: 'version' }, officer.token, 400, /Give version for a version export/],
      [{ kind: 'comparison', from: 1 }, officer.token, 400, /Give from and to for a comparison export/],
      [{ kind: 'version', version: 9 }, officer.token, 404, /version 9|Version 9/],
      [{ kind: 'version', version: 2 }, ru.token, 404, /has not been circulated to the member states/],
      [{ kind: 'comparison', from: 1, to: 2 }, ru.token, 404, /has not been circulated to the member states/],
      [{ kind: 'report' }, officer.token, 409, /belongs to the analysis of the implementation of the memoranda/],
    ];
    for (const [body, token, code, message] of cases) {
      const res = await request(token, body);
      expect({ body, status: res.status }).toEqual({ body, status: code });
      expect(res.body.message).toMatch(message);
    }
    expect(await queue.getJobCountByTypes('waiting', 'active', 'completed', 'failed', 'delayed')).toBe(before);
  });

  it('an approver exports a circulated version; the file holds what they may read', async () => {
    const accepted = await request(ru.token, { kind: 'version', version: 1, format: 'html', lang: 'en' }).expect(202);
    const finished = await done(ru.token, accepted.body.id);
    expect(finished.state).toBe('done');
    const file = await t.http().get(finished.file.url).set(bearer(ru.token)).expect(200);
    expect(file.text).toContain('<!DOCTYPE html>');
  });

  it('a job whose document cannot be rendered any more fails with its sentence, and the file is refused', async () => {
    // as if the version were gone between the request and the render (the request checks it first)
    const job = await queue.add(
      'version',
      {
        instanceId: id,
        kind: 'version',
        version: 77,
        from: null,
        to: null,
        format: 'html',
        lang: 'en',
        reader: { id: officer.user.id, role: 'legal_officer', memberState: null, actingFor: null },
      },
      { jobId: randomUUID() },
    );
    const failed = await done(officer.token, job.id!);
    expect(failed).toMatchObject({ state: 'failed', file: null });
    expect(failed.error).toMatch(/77/);
    const res = await t.http().get(`/instances/${id}/exports/${job.id}/file`).set(bearer(officer.token)).expect(409);
    expect(res.body.message).toBe('This export failed; request it again.');
  });
});
