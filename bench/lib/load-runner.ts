/**
 * Load generators in a process of their own (so they do not share the server's event loop), forked
 * by the benchmarks; each receives its job over IPC and answers with the result. Two kinds of job:
 * autocannon against POST /instances/:id/events (bench/http-throughput.ts), and a fixed list of
 * requests sent in order by a few concurrent senders, each waiting for its answer before taking the
 * next (bench/consensus.ts).
 */
import { Agent, request } from 'node:http';
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

/**
 * One POST over `agent`'s kept-alive connections: the status and the body as text. Node's own HTTP
 * client rather than `fetch`, whose WHATWG streams and abort signals cost the generator about as
 * much CPU per request as the server's answer does, on the same cores as the server.
 */
function post(
  agent: Agent,
  url: URL,
  path: string,
  token: string,
  body: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const data = Buffer.from(body);
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: 'POST',
        agent,
        timeout: 30_000,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'content-length': data.length,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer in 30 s')));
    req.on('error', reject);
    req.end(data);
  });
}

/** A fixed list of POST requests, sent in list order by `senders` concurrent senders (keep-alive). */
export interface SequenceJob {
  kind: 'sequence';
  url: string;
  requests: { path: string; token: string; body: unknown }[];
  senders: number;
  /** The whole job is abandoned after this many seconds (what was sent by then is reported). */
  maxSeconds: number;
}

export interface SequenceResult {
  sent: number;
  ok: number;
  /** Status code (or "error") and body of the first few failures. */
  failures: string[];
  seconds: number;
  perSecond: number;
  /** Latency of each request in ms, in completion order. */
  latencies: number[];
  /** This load generator's own CPU time (user + system) while it sent, ms. */
  cpuMs: number;
}

async function runSequence(job: SequenceJob): Promise<SequenceResult> {
  const latencies: number[] = [];
  const failures: string[] = [];
  let next = 0;
  let ok = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const deadline = t0 + job.maxSeconds * 1000;
  const url = new URL(job.url);
  const agent = new Agent({ keepAlive: true, maxSockets: job.senders });
  const sender = async () => {
    while (next < job.requests.length && performance.now() < deadline) {
      const r = job.requests[next++];
      const s = performance.now();
      try {
        const res = await post(agent, url, r.path, r.token, JSON.stringify(r.body));
        latencies.push(performance.now() - s);
        if (res.status >= 200 && res.status < 300) ok++;
        else if (failures.length < 5) failures.push(`${res.status} ${r.path}: ${res.text.slice(0, 300)}`);
      } catch (err) {
        latencies.push(performance.now() - s);
        if (failures.length < 5) failures.push(`error ${r.path}: ${String(err)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: job.senders }, () => sender()));
  agent.destroy();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return {
    sent: latencies.length,
    ok,
    failures,
    seconds,
    perSecond: ok / seconds,
    latencies,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

process.on('message', (job: LoadJob | SequenceJob) => {
  ('kind' in job ? runSequence(job) : run(job)).then(
    (result) => process.send!({ result }, () => process.exit(0)),
    (err) => process.send!({ error: String((err as Error)?.stack ?? err) }, () => process.exit(1)),
  );
});
