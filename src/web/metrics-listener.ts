import { createServer, type Server } from 'node:http';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { RUNTIME, type Runtime } from '../infra/runtime';
import { EngineMetrics } from './engine-metrics';
import { metricsTokenMatches } from './metrics-access';

/**
 * /metrics on a listener of its own (METRICS_PORT, METRICS_HOST), for API processes that keep
 * metrics off their public port and for worker processes, which have no other listener.
 * METRICS_TOKEN, when set, is required here too.
 */
@Injectable()
export class MetricsListener implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('Metrics');
  private server: Server | null = null;

  constructor(
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly metrics: EngineMetrics,
  ) {}

  /** The bound port (useful with METRICS_PORT=0), or null when no listener runs. */
  get port(): number | null {
    const address = this.server?.address();
    return address && typeof address === 'object' ? address.port : null;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { METRICS_PORT: port, METRICS_HOST: host, METRICS_TOKEN: token } = this.runtime.env;
    if (port === undefined) return;
    const server = createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0];
      if (req.method !== 'GET' || path !== '/metrics') {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Only GET /metrics is served here\n');
        return;
      }
      if (token && !metricsTokenMatches(token, req.headers.authorization)) {
        res
          .writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8', 'WWW-Authenticate': 'Bearer' })
          .end('Send the metrics token: Authorization: Bearer <METRICS_TOKEN>\n');
        return;
      }
      this.metrics.registry.metrics().then(
        (text) =>
          res
            .writeHead(200, { 'Content-Type': this.metrics.registry.contentType, 'Cache-Control': 'no-store' })
            .end(text),
        (err: unknown) =>
          res
            .writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' })
            .end(`Collecting metrics failed: ${(err as Error).message}\n`),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    this.server = server;
    this.log.log(`Metrics at http://${host}:${this.port}/metrics`);
  }

  async onModuleDestroy(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
