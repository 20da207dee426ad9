/**
 * Workers apart from the API: an API started with WORKERS_IN_PROCESS=false runs no BullMQ
 * worker; the worker process (src/worker.ts: the same modules as an application context, no HTTP)
 * processes the deadline jobs on the same database and Redis prefix.
 */
import type { INestApplicationContext } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Actor } from '../../workflows/kernel/types';
import type { DefinitionRegistry } from '../../workflows/registry';
import { DeadlineScheduler } from '../../src/deadlines/deadline-scheduler.service';
import { WorkflowEngine } from '../../src/engine/engine.service';
import { DEFINITIONS } from '../../src/engine/engine.types';
import { OutboxRelay } from '../../src/engine/outbox.relay';
import { createWorker } from '../../src/worker';
import { createTestApp, type TestApp } from '../support/test-app';
import { waitFor } from '../support/wait';
import { counterDefinition } from '../engine/counter.definition';
import { fireDue } from '../support/due-jobs';

process.env.RECONCILE_EVERY_MS = '0';
process.env.DEADLINE_BACKOFF_MS = '10';

const officer: Actor = { id: 'officer-worker', role: 'legal_officer', memberState: null, actingFor: null };

describe('worker process apart from the API', () => {
  let api: TestApp;
  let worker: INestApplicationContext | undefined;

  beforeAll(async () => {
    api = await createTestApp({ env: { WORKERS_IN_PROCESS: 'false' } });
  });
  afterAll(async () => {
    await worker?.close();
    await api.close();
  });

  it('the API alone leaves due jobs waiting; the worker runs them', async () => {
    const registry = api.app.get<DefinitionRegistry>(DEFINITIONS);
    if (!registry.get('test-counter', 1)) registry.register(counterDefinition(1));
    const { instanceId } = await api.app
      .get(WorkflowEngine)
      .start({ definitionId: 'test-counter', input: {}, actor: officer });
    await api.app.get(OutboxRelay).drain();
    const scheduler = api.app.get(DeadlineScheduler);
    expect(await scheduler.queue.getDelayedCount()).toBe(1); // one pending job per open deadline

    api.clock.advance({ days: 23 });
    await expect(fireDue(api, { timeoutMs: 500 })).rejects.toThrow(/is a deadlines worker running/);
    expect(await scheduler.queue.getWaitingCount()).toBe(1);

    worker = await createWorker(api.runtime, { logger: ['error'] });
    expect(worker.get(HttpAdapterHost).httpAdapter ?? null).toBeNull(); // no HTTP server
    // the worker has its own registry: deploy the test procedure there too (a first attempt may fail and be retried)
    const workerRegistry = worker.get<DefinitionRegistry>(DEFINITIONS);
    if (!workerRegistry.get('test-counter', 1)) workerRegistry.register(counterDefinition(1));
    const reminders = async () =>
      (
        await api.dataSource.query(
          `SELECT count(*)::int AS n FROM workflow_event WHERE instance_id = $1 AND type = 'REMINDER'`,
          [instanceId],
        )
      )[0].n;
    await waitFor('the worker to deliver the reminder', async () => (await reminders()) > 0, 30_000, 20);
    expect(await reminders()).toBe(1);

    // and fireDue from the API now completes through the worker
    api.clock.advance({ days: 6 });
    expect((await fireDue(api)).map((f) => f.result?.split(':')[0])).toEqual(['done']);
  });
});
