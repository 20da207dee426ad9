import { createUser, tokenFor } from '../support/auth';
import { parsePrometheus, PROMETHEUS_TEXT, samplesOf } from '../support/prometheus-text';
import { createTestApp, type TestApp } from '../support/test-app';
import { Readiness } from '../../src/health/readiness';
import { MetricsListener } from '../../src/web/metrics-listener';
import { createWorker } from '../../src/worker';

const METRICS_TOKEN = 'a-metrics-token-for-the-scraper';

describe('headers and exposure', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('sends security headers and no X-Powered-By on every kind of route', async () => {
    for (const [path, status] of [
      ['/health/live', 200],
      ['/auth/config', 200],
      ['/instances', 401],
      ['/no/such/route', 404],
      ['/admin/queues', 401],
    ] as const) {
      const res = await t.http().get(path).expect(status);
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    }
  });

  it("serves Bull Board's own sub-application without X-Powered-By", async () => {
    const admin = await createUser(t.app, { role: 'admin' });
    const res = await t
      .http()
      .get('/admin/queues')
      .set('Authorization', `Bearer ${await tokenFor(t.app, admin)}`)
      .expect(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });

  it('serves the API documentation when DOCS_ENABLED (the default outside production)', async () => {
    expect(t.env.DOCS_ENABLED).toBe(true);
    await t.http().get('/docs-json').expect(200);
  });

  it('answers /health/live and /health/ready, and ready goes false at shutdown', async () => {
    expect((await t.http().get('/health/live').expect(200)).body).toEqual({ status: 'ok' });
    const ready = await t.http().get('/health/ready').expect(200);
    expect(ready.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' }, redis: { status: 'up' } } });
    // a second app on the same database: shutting it down must not affect the first
    const other = await createTestApp({ databaseUrl: t.databaseUrl });
    try {
      other.app.get(Readiness).beginShutdown();
      const res = await other.http().get('/health/ready').expect(503);
      expect(res.body).toMatchObject({ error: 'UNAVAILABLE', message: 'Not ready: this process is shutting down' });
      await other.http().get('/health/live').expect(200);
    } finally {
      await other.close();
    }
    await t.http().get('/health/ready').expect(200);
  });
});

describe('/docs off', () => {
  it.each([
    ['DOCS_ENABLED=false', { DOCS_ENABLED: 'false' }],
    ['production by default', { NODE_ENV: 'production', DOCS_ENABLED: undefined }],
  ])('is not served with %s', async (_label, env) => {
    const t = await createTestApp({ env });
    try {
      await t.http().get('/docs-json').expect(404);
      await t.http().get('/docs').expect(404);
      await t.http().get('/health/live').expect(200);
    } finally {
      await t.close();
    }
  });
});

describe('/metrics', () => {
  it('is the Prometheus text format with HTTP durations by route, queue depths, outbox lag and events applied', async () => {
    const t = await createTestApp({ env: { METRICS_TOKEN: undefined, METRICS_PORT: undefined } });
    try {
      await t.http().get('/health/live').expect(200);
      await t.http().get('/instances/6f1c1d6e-0000-4000-8000-000000000000').expect(401);
      const res = await t.http().get('/metrics').expect(200);
      expect(res.headers['content-type']).toMatch(PROMETHEUS_TEXT);
      const families = parsePrometheus(res.text);
      const http = families.get('amendflow_http_request_duration_seconds');
      expect(http?.type).toBe('HISTOGRAM');
      const routes = samplesOf(res.text, 'amendflow_http_request_duration_seconds_count').map(
        ({ labels }) => `${labels.method} ${labels.route} ${labels.status}`,
      );
      expect(routes).toEqual(expect.arrayContaining(['GET /health/live 200', 'GET /instances/:id 401']));
      expect(routes.some((r) => r.includes('6f1c1d6e'))).toBe(false); // route patterns, never concrete paths
      const queues = families.get('amendflow_queue_jobs');
      expect(queues?.type).toBe('GAUGE');
      expect(queues!.metrics.map((m) => `${m.labels?.queue}/${m.labels?.state}`)).toEqual(
        expect.arrayContaining(['deadlines/waiting', 'deadlines/delayed', 'webhooks/failed']),
      );
      expect(families.get('amendflow_outbox_lag_seconds')?.metrics[0].value).toBe('0');
      expect(families.get('amendflow_events_applied_total')?.type).toBe('COUNTER');
      expect(families.get('amendflow_transition_duration_seconds')?.type).toBe('HISTOGRAM');
      expect(families.get('amendflow_queue_jobs_total')?.type).toBe('COUNTER');
    } finally {
      await t.close();
    }
  });

  it('requires METRICS_TOKEN when it is set', async () => {
    const t = await createTestApp({ env: { METRICS_TOKEN } });
    try {
      const refused = await t.http().get('/metrics').expect(401);
      expect(refused.body.message).toBe('Send the metrics token: Authorization: Bearer <METRICS_TOKEN>');
      await t.http().get('/metrics').set('Authorization', 'Bearer wrong-token-of-some-length').expect(401);
      const res = await t.http().get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(200);
      expect(res.headers['content-type']).toMatch(PROMETHEUS_TEXT);
    } finally {
      await t.close();
    }
  });

  it('is not served on the public port in production without a token or a port of its own', async () => {
    const t = await createTestApp({
      env: { NODE_ENV: 'production', METRICS_TOKEN: undefined, METRICS_PORT: undefined },
    });
    try {
      const res = await t.http().get('/metrics').expect(404);
      expect(res.body.message).toBe(
        'Metrics are not served on the public port in production: set METRICS_TOKEN or METRICS_PORT',
      );
    } finally {
      await t.close();
    }
  });

  it('moves to a listener of its own with METRICS_PORT (token still required when set)', async () => {
    const t = await createTestApp({ env: { METRICS_PORT: '0', METRICS_HOST: '127.0.0.1', METRICS_TOKEN } });
    try {
      await t.http().get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`).expect(404);
      const port = t.app.get(MetricsListener).port;
      expect(port).toEqual(expect.any(Number));
      const url = `http://127.0.0.1:${port}/metrics`;
      expect((await fetch(url)).status).toBe(401);
      const res = await fetch(url, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(PROMETHEUS_TEXT);
      expect(res.headers.get('x-powered-by')).toBeNull();
      expect(parsePrometheus(await res.text()).get('amendflow_queue_jobs')?.type).toBe('GAUGE');
    } finally {
      await t.close();
    }
  });
});

describe('worker metrics', () => {
  it('a worker process serves its own /metrics on METRICS_PORT, with its queues and job outcomes', async () => {
    const api = await createTestApp({ env: { WORKERS_IN_PROCESS: 'false' } });
    const worker = await createWorker(
      Object.freeze({
        ...api.runtime,
        env: Object.freeze({ ...api.env, METRICS_PORT: 0, METRICS_HOST: '127.0.0.1', METRICS_TOKEN }),
      }),
      { logger: ['error'] },
    );
    try {
      const port = worker.get(MetricsListener).port;
      expect(port).toEqual(expect.any(Number));
      const res = await fetch(`http://127.0.0.1:${port}/metrics`, {
        headers: { Authorization: `Bearer ${METRICS_TOKEN}` },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(PROMETHEUS_TEXT);
      const text = await res.text();
      const families = parsePrometheus(text);
      expect(families.get('amendflow_queue_jobs')?.type).toBe('GAUGE');
      expect(families.get('amendflow_queue_jobs_total')?.type).toBe('COUNTER');
      expect(families.get('amendflow_outbox_lag_seconds')?.type).toBe('GAUGE');
      expect(families.get('amendflow_events_applied_total')?.type).toBe('COUNTER');
      expect(families.get('amendflow_process_cpu_seconds_total')?.type).toBe('COUNTER');
      expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    } finally {
      await worker.close();
      await api.close();
    }
  });
});
