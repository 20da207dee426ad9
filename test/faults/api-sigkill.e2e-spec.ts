/**
 * The API process is killed with SIGKILL in the middle of a load of concurrent events sent with
 * idempotency keys, then started again. Clients retry, with the same key, every request that was
 * not acknowledged. Every acknowledged event must be in the history exactly once, every hash
 * chain must verify, and no instance may be left stuck (outbox fully processed, events accepted).
 */
import { randomBytes } from 'node:crypto';
import { ENV_KEYS, deleteRedisKeys, required, withPg } from '../setup/test-infra';
import { createFreshDatabase, type TestDatabase } from '../support/databases';
import { insertUser, isoDay, signInOverHttp, startService, waitFor, type ChildService } from './fault-support';

// two boots of the service from its sources: slow on a busy machine
jest.setTimeout(600_000);

const INSTANCES = 6;
const PARTNERS = ['TR', 'AZ', 'NP', 'AM', 'KH', 'EG'];
const CLIENTS = 12;
const EVENTS_PER_CLIENT = 25;
const KILL_AFTER_ACKS = 60;

/** The body read as JSON, like supertest does (so a test reads it the same way), else the text. */
function jsonOrText(text: string) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

interface Sent {
  key: string;
  instanceId: string;
  note: string;
  acked: boolean;
  seq?: number;
}

describe('SIGKILL of the API process during a load of idempotent events', () => {
  let db: TestDatabase;
  let service: ChildService | undefined;
  const redisUrl = required(ENV_KEYS.redisUrl);
  const redisPrefix = `${required(ENV_KEYS.redisPrefix)}-kill-${randomBytes(3).toString('hex')}`;
  // the same environment for both processes: tokens signed by the first stay valid for the second
  let fixedEnv: Record<string, string>;

  beforeAll(async () => {
    db = await createFreshDatabase();
    fixedEnv = {
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl,
      REDIS_PREFIX: redisPrefix,
      JWT_SECRET: `fault-test-secret-${randomBytes(8).toString('hex')}`,
      OUTBOX_SWEEP_MS: '1000',
    };
  });

  afterAll(async () => {
    await service?.kill();
    await db?.drop().catch(() => undefined);
    await deleteRedisKeys(redisUrl, redisPrefix).catch(() => undefined);
  });

  it('loses no acknowledged event, duplicates none, keeps every hash chain and leaves nothing stuck', async () => {
    service = await startService(fixedEnv);
    const officer = await insertUser(db.url, 'legal_officer');
    const token = await signInOverHttp(service.url, officer);
    let base = service.url;

    const call = async (method: string, path: string, body?: unknown, key?: string) => {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          ...(key ? { 'idempotency-key': key } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(20_000),
      });
      return { status: res.status, body: jsonOrText(await res.text()) };
    };

    // Instances in 1(b) "considering", where FOLLOW_UP may be sent any number of times
    // (each re-enters the stage: closes its deadline, opens a new one, writes outbox rows).
    const today = isoDay();
    const instanceIds: string[] = [];
    for (let i = 0; i < INSTANCES; i++) {
      const started = await call('POST', '/instances', {
        definitionId: 'treaty-accession',
        // one open 1(b) per partner and treaty: each instance names its own partner
        input: { partner: PARTNERS[i], treatyId: 'sco-agreement-road-transport-2014' },
      });
      expect(started.status).toBe(201);
      const id = started.body.instance.id as string;
      for (const [type, payload] of [
        ['CONFIRM_ELIGIBILITY', { note: 'Open to any state', source: 'Depositary copy', consentRequired: false }],
        ['PACKAGE_SENT', { sentOn: today, channel: 'Note verbale' }],
        ['PARTNER_CONSIDERING', { note: 'Studying it' }],
      ] as const) {
        const r = await call('POST', `/instances/${id}/events`, { type, payload });
        expect(r).toMatchObject({ status: 200 });
      }
      instanceIds.push(id);
    }

    // The load: each client sends its events one after the other, to random instances.
    const sent: Sent[] = [];
    let acks = 0;
    let killed = false;
    // resolved by the acknowledgement that reaches KILL_AFTER_ACKS, while the other clients' requests are in flight
    let enoughAcks!: () => void;
    const killedAt = new Promise<void>((resolve) => (enoughAcks = resolve));
    const send = async (s: Sent) => {
      try {
        const r = await call(
          'POST',
          `/instances/${s.instanceId}/events`,
          { type: 'FOLLOW_UP', payload: { contactedOn: today, note: s.note } },
          s.key,
        );
        if (r.status === 200) {
          s.acked = true;
          s.seq = r.body.result.seq;
          if (++acks === KILL_AFTER_ACKS) enoughAcks();
        } else if (!killed) {
          throw new Error(`unexpected answer before the kill: ${r.status} ${JSON.stringify(r.body)}`);
        }
      } catch (err) {
        if (!killed) throw err;
        // not acknowledged: retried after the restart
      }
    };
    const clients = Array.from({ length: CLIENTS }, async (_, c) => {
      for (let i = 0; i < EVENTS_PER_CLIENT && !killed; i++) {
        const s: Sent = {
          key: `fu-${c}-${i}-${randomBytes(3).toString('hex')}`,
          instanceId: instanceIds[(c + i) % INSTANCES],
          note: `follow-up ${c}/${i}`,
          acked: false,
        };
        sent.push(s);
        await send(s);
      }
    });
    await killedAt;
    killed = true;
    await service.kill('SIGKILL');
    await Promise.all(clients);
    const ackedBeforeKill = sent.filter((s) => s.acked).length;
    const pending = sent.filter((s) => !s.acked);
    expect(ackedBeforeKill).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
    expect(pending.length).toBeGreaterThan(0); // in-flight requests were cut

    // Restart on the same database and Redis prefix, then retry what was not acknowledged.
    service = await startService(fixedEnv);
    base = service.url;
    let replayed = 0;
    for (const s of pending) {
      const r = await call(
        'POST',
        `/instances/${s.instanceId}/events`,
        { type: 'FOLLOW_UP', payload: { contactedOn: today, note: s.note } },
        s.key,
      );
      expect({ key: s.key, status: r.status }).toEqual({ key: s.key, status: 200 });
      s.acked = true;
      s.seq = r.body.result.seq;
      if (r.body.result.replayed) replayed++;
    }
    // A request the killed process had committed but not answered comes back as a replay;
    // acknowledged requests replay too, with the same seq.
    const again = sent.filter((s) => s.seq !== undefined).slice(0, 5);
    for (const s of again) {
      const r = await call(
        'POST',
        `/instances/${s.instanceId}/events`,
        { type: 'FOLLOW_UP', payload: { contactedOn: today, note: s.note } },
        s.key,
      );
      expect(r.status).toBe(200);
      expect(r.body.result).toMatchObject({ seq: s.seq, replayed: true });
    }

    for (const id of instanceIds) {
      const history = await call('GET', `/instances/${id}/history`);
      expect(history.status).toBe(200);
      const events = history.body as { seq: number; type: string; payload: { note?: string } }[];
      // gap-free sequence
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      const notes = events.filter((e) => e.type === 'FOLLOW_UP').map((e) => e.payload.note);
      const expected = sent.filter((s) => s.instanceId === id).map((s) => s.note);
      // every sent (and by now acknowledged) event exactly once, nothing else
      expect([...notes].sort()).toEqual([...expected].sort());
      for (const s of sent.filter((x) => x.instanceId === id)) {
        expect(events.find((e) => e.seq === s.seq)?.payload.note).toBe(s.note);
      }
      const verify = await call('GET', `/instances/${id}/verify`);
      expect(verify).toMatchObject({ status: 200, body: { valid: true } });
    }

    // Nothing stuck: the outbox drains (after a restart the relay sweeps what the dead process left).
    await waitFor(
      'every outbox row to be processed',
      () =>
        withPg(
          db.url,
          async (c) =>
            (await c.query(`SELECT count(*)::int AS n FROM outbox_message WHERE processed_at IS NULL`)).rows[0].n === 0,
        ),
      45_000,
      500,
    );
    await withPg(db.url, async (c) => {
      // exactly one open deadline per instance (the "considering" stage), none leaked
      const open = await c.query(
        `SELECT instance_id, count(*)::int AS n FROM deadline WHERE status = 'open' GROUP BY instance_id`,
      );
      expect(open.rows).toHaveLength(INSTANCES);
      for (const row of open.rows) expect(row.n).toBe(1);
      // no idempotency key recorded twice, none recorded without its event
      const orphans = await c.query(
        `SELECT r.key FROM idempotency_record r LEFT JOIN workflow_event e ON e.instance_id = r.instance_id AND e.seq = r.seq WHERE e.seq IS NULL`,
      );
      expect(orphans.rows).toEqual([]);
    });
    // and every instance still takes events
    for (const id of instanceIds) {
      const r = await call(
        'POST',
        `/instances/${id}/events`,
        { type: 'FOLLOW_UP', payload: { contactedOn: today, note: 'after the crash' } },
        `after-${id}`,
      );
      expect(r.status).toBe(200);
    }
    // at least every request the dead process had committed without answering came back as a replay
    expect(replayed).toBeLessThanOrEqual(pending.length);
  });
});
