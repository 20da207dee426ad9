/**
 * autocannon in a process of its own (so the load generator does not share the server's event
 * loop). Forked by bench/http-throughput.ts; receives its job over IPC and answers with the result.
 */
import autocannon from 'autocannon';

export interface LoadJob {
  url: string;
  token: string;
  ids: string[];
  connections: number;
  seconds: number;
  /** Start position in `ids`, so successive runs keep spreading over the instances. */
  offset: number;
}

export interface LoadResult {
  requests: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Filled in by the parent: CPU time of the server process per request. */
  serverCpuMsPerRequest?: number;
}

function run(job: LoadJob): Promise<LoadResult> {
  let i = job.offset;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: job.url,
        connections: job.connections,
        duration: job.seconds,
        timeout: 10,
        headers: { authorization: `Bearer ${job.token}`, 'content-type': 'application/json' },
        requests: [
          {
            method: 'POST',
            body: JSON.stringify({ type: 'COUNT', payload: {} }),
            setupRequest: (req) => ({ ...req, path: `/instances/${job.ids[i++ % job.ids.length]}/events` }),
          },
        ],
      },
      (err, r) => {
        if (err) return reject(err instanceof Error ? err : new Error(String(err)));
        const seconds = (performance.now() - started) / 1000;
        const ok = r['2xx'];
        resolve({
          requests: r.requests.total,
          non2xx: r.non2xx,
          errors: r.errors,
          timeouts: r.timeouts,
          seconds,
          perSecond: ok / seconds,
          p50: r.latency.p50,
          p90: r.latency.p90,
          p99: r.latency.p99,
          max: r.latency.max,
        });
      },
    );
  });
}

process.on('message', (job: LoadJob) => {
  run(job).then(
    (result) => process.send!({ result }, () => process.exit(0)),
    (err) => process.send!({ error: String((err as Error)?.stack ?? err) }, () => process.exit(1)),
  );
});
