/**
 * Property-based fuzzing of EVERY operation of the OpenAPI document (/docs-json), as every role
 * (legal officer, approver, manager, administrator) and without a token.
 *
 * For each operation, requests are generated with fast-check from the operation itself: path
 * parameters from real ids of seeded records (an open procedure with a draft, version 1 and a
 * comment; a withdrawn procedure; a user; an acting appointment; a webhook; a notification) and
 * from random and invalid values; query parameters and the Idempotency-Key header from their
 * schemas; bodies from the request body's JSON schema, and mutations of those bodies (wrong types
 * at every depth, arrays for objects and back, missing and extra fields, deep nesting, huge
 * values) and of the query (arrays, objects, unknown and missing parameters, huge values).
 *
 * The invariant, per request: never a 5xx; every 4xx carries the common error body
 * `{statusCode, error, message}`; and a refused request writes nothing (a fingerprint of every
 * table, row count and newest row version, is the same after it as before). Accepted requests
 * may write. Exports (binary streams) are held to "never a 5xx" only.
 *
 * CI replays a fixed seed with a few runs per operation and role; FUZZ_OPENAPI_RUNS and
 * FUZZ_OPENAPI_SEED (or FUZZ_SEED) run a longer exploration; the test prints how many cases ran.
 */
import * as fc from 'fast-check';
import type { DataSource } from 'typeorm';
import type { ErrorBody } from '../../src/common/domain.exception';
import { OutboxRelay } from '../../src/engine/outbox.relay';
import { bearer, createUser, tokenFor, type TestUser } from '../support/auth';
import { createTestApp, type TestApp } from '../support/test-app';

const RUNS = Number(process.env.FUZZ_OPENAPI_RUNS ?? (process.env.CI ? 3 : 5));
const SEED_TEXT = process.env.FUZZ_OPENAPI_SEED ?? process.env.FUZZ_SEED;
const SEED = SEED_TEXT ? Number(SEED_TEXT) : process.env.CI ? 20261127 : undefined;

jest.setTimeout(Math.max(600_000, RUNS * 120_000));

// ------------------------------------------------------------------------------ the document

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;
type Method = (typeof METHODS)[number];

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  nullable?: boolean;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
  example?: unknown;
  default?: unknown;
}
interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}
interface OpenApiDocument {
  paths: Record<string, Partial<Record<Method, Operation>>>;
  components?: { schemas?: Record<string, Schema> };
}

// ------------------------------------------------------------------- schema -> arbitrary

const NASTY = [
  "'; DROP TABLE app_user; --",
  "' OR '1'='1",
  '<script>alert(1)</script>',
  '${7*7}',
  '../../../../etc/passwd',
  '\u0000',
  '\ud800',
  '\u202eevil',
  '__proto__',
  'constructor',
  'NaN',
  '-1',
  '1e309',
  '',
  ' ',
];

/** Values of any type, for "wrong type" mutations and schema-less fields. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...NASTY),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
  fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }),
);

/**
 * An arbitrary of the values `schema` describes (OpenAPI 3.0 subset: object, array, string with
 * enum, format uuid/date-time/date/email and min/max length, integer, number, boolean, $ref,
 * nullable, oneOf/anyOf/allOf). Strings of format uuid are often real ids, so requests reach rows.
 */
function fromSchema(doc: OpenApiDocument, schema: Schema | undefined, ids: string[], depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 8) return fc.jsonValue({ maxDepth: 2 });
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    return fromSchema(doc, doc.components?.schemas?.[name], ids, depth + 1);
  }
  const inner = (): fc.Arbitrary<unknown> => {
    if (schema.allOf?.length) {
      if (schema.allOf.length === 1) return fromSchema(doc, schema.allOf[0], ids, depth + 1);
      return fc
        .tuple(...schema.allOf.map((s) => fromSchema(doc, s, ids, depth + 1)))
        .map((parts) => Object.assign({}, ...parts.filter((p) => p && typeof p === 'object')) as unknown);
    }
    const alternatives = schema.oneOf ?? schema.anyOf;
    if (alternatives?.length) return fc.oneof(...alternatives.map((s) => fromSchema(doc, s, ids, depth + 1)));
    if (schema.enum?.length) return fc.constantFrom(...schema.enum);
    switch (schema.type) {
      case 'object': {
        const props = schema.properties ?? {};
        const keys = Object.keys(props);
        const record = keys.length
          ? fc.record(Object.fromEntries(keys.map((k) => [k, fromSchema(doc, props[k], ids, depth + 1)])), {
              requiredKeys: (schema.required ?? []).filter((k) => keys.includes(k)),
            })
          : fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 });
        if (keys.length && schema.additionalProperties) {
          const extra = fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }), fc.jsonValue({ maxDepth: 2 }), {
            maxKeys: 3,
          });
          return fc.tuple(record, extra).map(([r, e]) => ({ ...e, ...r }));
        }
        return record;
      }
      case 'array':
        return fc.array(fromSchema(doc, schema.items, ids, depth + 1), {
          minLength: schema.minItems ?? 0,
          maxLength: Math.min(schema.maxItems ?? 4, 4),
        });
      case 'integer':
        return fc.integer({ min: schema.minimum ?? -1_000, max: schema.maximum ?? 1_000 });
      case 'number':
        return fc.oneof(
          fc.integer({ min: schema.minimum ?? -5, max: schema.maximum ?? 100 }),
          fc.double({ noNaN: true, noDefaultInfinity: true, min: schema.minimum, max: schema.maximum }),
        );
      case 'boolean':
        return fc.boolean();
      case 'string':
        switch (schema.format) {
          case 'uuid':
            return ids.length ? fc.oneof(fc.constantFrom(...ids), fc.uuid()) : fc.uuid();
          case 'date-time':
            return fc
              .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
              .map((d) => d.toISOString());
          case 'date':
            return fc
              .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
              .map((d) => d.toISOString().slice(0, 10));
          case 'email':
            return fc.emailAddress();
          default:
            return fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 40, 40) });
        }
      default:
        return fc.jsonValue({ maxDepth: 2 });
    }
  };
  // the documented example and default reach further into a route than random values
  const known = [schema.example, schema.default].filter((v) => v !== undefined);
  let arb = known.length ? fc.oneof({ arbitrary: inner(), weight: 3 }, fc.constantFrom(...known)) : inner();
  if (schema.nullable) arb = fc.option(arb, { nil: null, freq: 5 });
  return arb;
}

// ------------------------------------------------------------- mutations (every depth)

type JsonPath = (string | number)[];

function pathsOf(value: unknown, prefix: JsonPath = []): JsonPath[] {
  const out: JsonPath[] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...pathsOf(v, [...prefix, i])));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...prefix, k]));
  return out;
}

const REMOVE = Symbol('remove');

function replaceAt(value: unknown, path: JsonPath, replacement: unknown): unknown {
  if (path.length === 0) return replacement === REMOVE ? undefined : replacement;
  const [head, ...rest] = path;
  const copy: Record<string | number, unknown> | unknown[] = Array.isArray(value)
    ? [...(value as unknown[])]
    : { ...(value as object) };
  if (rest.length === 0 && replacement === REMOVE) {
    if (Array.isArray(copy)) copy.splice(Number(head), 1);
    else delete copy[head];
  } else if (Array.isArray(copy)) copy[Number(head)] = replaceAt(copy[Number(head)], rest, replacement);
  else copy[head] = replaceAt(copy[head], rest, replacement);
  return copy;
}

function valueAt(value: unknown, path: JsonPath): unknown {
  return path.reduce<unknown>(
    (v, k) => (v == null || typeof v !== 'object' ? undefined : (v as Record<string | number, unknown>)[k]),
    value,
  );
}

function nested(depth: number, arrays: boolean): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = arrays ? [v] : { a: v };
  return v;
}

const MUTATIONS = [
  'wrong type',
  'array for object',
  'object for array',
  'missing',
  'extra field',
  'deep',
  'huge',
  'null',
] as const;
type Mutation = (typeof MUTATIONS)[number];

interface Mutate {
  at: number;
  how: Mutation;
  value: unknown;
  key: string;
  depth: number;
  n: number;
}

const mutate: fc.Arbitrary<Mutate> = fc.record({
  at: fc.nat(),
  how: fc.constantFrom(...MUTATIONS),
  value: anyValue,
  key: fc.oneof(
    fc.constantFrom('__proto__', 'constructor', 'prototype', 'isAdmin', 'role', 'memberState', 'member_state'),
    fc.string({ minLength: 1, maxLength: 12 }),
  ),
  depth: fc.oneof(fc.integer({ min: 2, max: 64 }), fc.integer({ min: 65, max: 2_000 })),
  n: fc.integer({ min: 1_000, max: 200_000 }),
});

/** `value` with one node (at any depth, the root included) mutated; and a label naming the mutation. */
function applyMutation(value: unknown, m: Mutate): { value: unknown; label: string } {
  const paths = pathsOf(value);
  const path = paths[m.at % paths.length];
  const node = valueAt(value, path);
  let replacement: unknown;
  switch (m.how) {
    case 'wrong type':
      replacement = m.value;
      break;
    case 'array for object':
      replacement = node && typeof node === 'object' && !Array.isArray(node) ? Object.values(node) : [node];
      break;
    case 'object for array':
      replacement = Array.isArray(node) ? Object.fromEntries(node.map((v, i) => [String(i), v])) : { value: node };
      break;
    case 'missing':
      replacement = REMOVE;
      break;
    case 'extra field':
      replacement =
        node && typeof node === 'object' && !Array.isArray(node) ? { ...node, [m.key]: m.value } : [node, m.value];
      break;
    case 'deep':
      replacement = nested(m.depth, m.depth % 2 === 0);
      break;
    case 'huge':
      replacement =
        typeof node === 'number'
          ? m.n % 2
            ? Number.MAX_VALUE
            : -Number.MAX_SAFE_INTEGER * m.n
          : Array.isArray(node)
            ? Array.from({ length: Math.min(m.n, 20_000) }, () => node[0] ?? 0)
            : 'x'.repeat(m.n * 5);
      break;
    case 'null':
      replacement = null;
      break;
  }
  return { value: replaceAt(value, path, replacement), label: `${m.how} at ${path.join('.') || '(root)'}` };
}

// --------------------------------------------------------------------- requests

interface Generated {
  path: string;
  query: string;
  headers: Record<string, string | undefined>;
  /** undefined: no body */
  body?: string;
  label: string;
}

/** A query string from values (arrays repeat the key, objects use brackets, as qs reads them). */
function queryString(values: Record<string, unknown>): string {
  const parts: string[] = [];
  // lone surrogates cannot be percent-encoded: send them as U+FFFD, as a client library would
  const encode = (text: string) => encodeURIComponent(Buffer.from(text).toString());
  const add = (key: string, v: unknown, depth: number) => {
    if (v === undefined) return;
    // the query parser reads a few levels of brackets; deeper values go as one JSON string
    if (depth > 16 && v && typeof v === 'object') parts.push(`${encode(key)}=${encode(JSON.stringify(v))}`);
    else if (Array.isArray(v)) v.forEach((x) => add(key, x, depth + 1));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) add(`${key}[${k}]`, x, depth + 1);
    else parts.push(`${encode(key)}=${encode(typeof v === 'string' ? v : JSON.stringify(v))}`);
  };
  for (const [k, v] of Object.entries(values)) add(k, v, 0);
  return parts.length ? `?${parts.join('&')}` : '';
}

const segmentNoise = fc.oneof(
  fc.constantFrom(
    "1' OR '1'='1",
    '..%2F..%2Fetc%2Fpasswd',
    '%00',
    '00000000-0000-0000-0000-000000000000',
    '-1',
    '0',
    '1e999',
    'NaN',
    '__proto__',
    '%E2%80%AE',
    'x'.repeat(3000),
  ),
  fc.string({ minLength: 1, maxLength: 30 }).map((s) => encodeURIComponent(s)),
  fc.uuid().map(String),
);

function requestsFor(
  doc: OpenApiDocument,
  pathTemplate: string,
  op: Operation,
  ids: string[],
  pathValues: Record<string, string[]>,
): fc.Arbitrary<Generated> {
  const params = op.parameters ?? [];
  const pathParams = params.filter((p) => p.in === 'path');
  const queryParams = params.filter((p) => p.in === 'query');
  const headerParams = params.filter((p) => p.in === 'header');
  const bodySchema = op.requestBody?.content?.['application/json']?.schema;

  const pathArb = fc
    .tuple(
      ...pathParams.map((p) => {
        const real = pathValues[p.name] ?? [];
        const options: fc.Arbitrary<string>[] = [fc.constantFrom(...real, ...ids), segmentNoise];
        return fc.oneof({ arbitrary: options[0], weight: 4 }, { arbitrary: options[1], weight: 1 });
      }),
    )
    .map((values) => pathParams.reduce((p, param, i) => p.replace(`{${param.name}}`, values[i]), pathTemplate));

  const queryArb = fc.record(Object.fromEntries(queryParams.map((p) => [p.name, fromSchema(doc, p.schema, ids)])), {
    requiredKeys: queryParams.filter((p) => p.required).map((p) => p.name),
  });
  const headerArb = fc.record(
    Object.fromEntries(
      headerParams.map((p) => [
        p.name,
        fc.string({ minLength: 1, maxLength: 60 }).filter((s) => /^[\x20-\x7e]+$/.test(s) && s.trim() === s),
      ]),
    ),
    { requiredKeys: [] },
  );
  const bodyArb: fc.Arbitrary<unknown> = bodySchema ? fromSchema(doc, bodySchema, ids) : fc.constant(undefined);

  return fc
    .record({
      path: pathArb,
      query: queryArb,
      headers: headerArb,
      body: bodyArb,
      mutateBody: fc.option(mutate, { freq: 2 }),
      mutateQuery: fc.option(mutate, { freq: 4 }),
    })
    .map(({ path, query, headers, body, mutateBody, mutateQuery }) => {
      const labels: string[] = [];
      let sentBody = body;
      if (bodySchema && mutateBody) {
        const m = applyMutation(body, mutateBody);
        sentBody = m.value;
        labels.push(`body: ${m.label}`);
      }
      let sentQuery: Record<string, unknown> = query;
      if (mutateQuery) {
        const m = applyMutation(query, mutateQuery);
        sentQuery =
          m.value && typeof m.value === 'object' && !Array.isArray(m.value)
            ? (m.value as Record<string, unknown>)
            : { q: m.value };
        labels.push(`query: ${m.label}`);
      }
      const text = sentBody === undefined ? (bodySchema ? '' : undefined) : JSON.stringify(sentBody);
      return {
        path,
        query: queryString(sentQuery),
        headers,
        body: text,
        label: labels.join('; ') || 'from schema',
      };
    });
}

// --------------------------------------------------------------------- the checks

/** Per table: row count and the newest row version (xmin), so inserts, updates and deletes all show. */
async function fingerprint(ds: DataSource, tables: string[]): Promise<string> {
  const sql = tables
    .map((name) => {
      const quoted = `"${name.replace(/"/g, '""')}"`;
      // failed sign-ins are audited by design; any other audit entry counts
      const where = name === 'audit_log' ? ` WHERE action <> 'sign_in_failed'` : '';
      return `SELECT '${name}' AS t, count(*)::text || ':' || coalesce(max(xmin::text::bigint), 0)::text AS f FROM ${quoted}${where}`;
    })
    .join(' UNION ALL ');
  const rows: { t: string; f: string }[] = await ds.query(sql);
  return rows.map((r) => `${r.t}=${r.f}`).join(' ');
}

function errorShapeProblem(res: { status: number; body: unknown }): string | null {
  if (!res.body || typeof res.body !== 'object') return 'no JSON error body';
  const b = res.body as Partial<Record<keyof ErrorBody, unknown>>;
  if (b.statusCode !== res.status) return 'statusCode differs from the status';
  if (typeof b.error !== 'string' || !b.error) return 'no error code';
  if (typeof b.message !== 'string' || !b.message.trim()) return 'empty message';
  return null;
}

// --------------------------------------------------------------------- the suite

const ROLES = ['legal_officer', 'approver', 'manager', 'admin', 'anonymous'] as const;
type Role = (typeof ROLES)[number];

describe('fuzzing every OpenAPI operation from its schema, as every role', () => {
  let t: TestApp;
  let doc: OpenApiDocument;
  let tables: string[];
  const users = {} as Record<Exclude<Role, 'anonymous'>, TestUser>;
  const tokens: Partial<Record<Role, string>> = {};
  let ids: string[] = [];
  const pathValues: Record<string, string[]> = {};
  let open = '';
  const previousAttempts = process.env.SIGN_IN_ATTEMPTS_PER_MINUTE;

  beforeAll(async () => {
    process.env.SIGN_IN_ATTEMPTS_PER_MINUTE = '10000';
    const unlimited = '1000000';
    t = await createTestApp({
      logLevels: ['error'],
      env: {
        // nothing writes behind a request's back: no queue workers, no periodic outbox sweep
        WORKERS_IN_PROCESS: 'false',
        OUTBOX_SWEEP_MS: '0',
        // the seeded webhook points at a loopback port nothing listens on (nothing is delivered)
        WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
        RATE_LIMIT_REQUESTS: unlimited,
        RATE_LIMIT_COMMENTS: unlimited,
        RATE_LIMIT_VERSIONS: unlimited,
        RATE_LIMIT_EVENTS: unlimited,
        SIGN_IN_LIMIT_PER_ACCOUNT: '100000',
      },
    });
    users.admin = await createUser(t.app, { role: 'admin' });
    users.manager = await createUser(t.app, { role: 'manager' });
    users.legal_officer = await createUser(t.app, { role: 'legal_officer' });
    users.approver = await createUser(t.app, { role: 'approver', memberState: 'KZ' });
    for (const role of ROLES) if (role !== 'anonymous') tokens[role] = await tokenFor(t.app, users[role]);
    // records the fuzzing may change or delete (never the users whose tokens it sends)
    const other = await createUser(t.app, { role: 'approver', memberState: 'KZ' });
    const victim = await createUser(t.app, { role: 'legal_officer' });

    const as = (role: Role) => bearer(tokens[role]!);
    const start = (input: object) =>
      t.http().post('/instances').set(as('legal_officer')).send({ definitionId: 'regulation-amendment', input });
    open = (await start({ proposedBy: 'Russian Federation', rationale: 'Fuzzing' }).expect(201)).body.instance.id;
    await t.http().post(`/instances/${open}/draft`).set(as('legal_officer')).send({ source: 'regulation' }).expect(201);
    const comment = await t
      .http()
      .post(`/instances/${open}/draft/versions/1/comments`)
      .set(as('legal_officer'))
      .send({ text: 'A comment to hide and show' })
      .expect(201);
    const closed = (await start({ proposedBy: 'Kazakhstan', rationale: 'To be withdrawn' }).expect(201)).body.instance
      .id;
    await t
      .http()
      .post(`/instances/${closed}/events`)
      .set(as('legal_officer'))
      .send({ type: 'WITHDRAW', payload: { reason: 'Superseded' } })
      .expect(200);
    const appointment = await t
      .http()
      .post('/acting-appointments')
      .set(as('manager'))
      .send({
        memberState: 'KZ',
        actingUserId: other.id,
        forUserId: users.approver.id,
        validFrom: t.clock.now().toISOString(),
        validTo: new Date(t.clock.now().getTime() + 30 * 86_400_000).toISOString(),
        reason: 'Leave',
      })
      .expect(201);
    const webhook = await t
      .http()
      .post('/webhooks')
      .set(as('manager'))
      .send({ url: 'http://127.0.0.1:9/hook' })
      .expect(201);
    await t.app.get(OutboxRelay).drain();
    const notifications: { id: string }[] = await t.dataSource.query(`SELECT id FROM notification LIMIT 3`);
    const view = await t.http().get(`/instances/${open}`).set(as('legal_officer')).expect(200);
    const deadlineKeys = ((view.body.openDeadlines ?? []) as { key?: string }[])
      .map((d) => d.key)
      .filter((k): k is string => typeof k === 'string');

    ids = [
      open,
      closed,
      other.id,
      victim.id,
      String(comment.body.id),
      String(appointment.body.id),
      String(webhook.body.id),
      ...notifications.map((n) => n.id),
    ];
    Object.assign(pathValues, {
      id: ['regulation-amendment', 'model-memorandum-amendment'],
      instanceId: [open, closed],
      commentId: [String(comment.body.id)],
      n: ['1', '2', '0', '-1', '99', '1.5', 'abc', '1e3', '99999999999999999999'],
      kind: ['member-states', 'partners', 'treaties', 'bodies', 'planets'],
      code: ['KZ', 'RU', 'IN', 'ZZ', 'kz', 'LA'],
      key: [...deadlineKeys, 'no-such-deadline'],
    });

    doc = (await t.http().get('/docs-json').expect(200)).body as OpenApiDocument;
    const rows: { table_name: string }[] = await t.dataSource.query(
      `SELECT table_name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
    );
    tables = rows.map((r) => r.table_name);
  });

  afterAll(async () => {
    if (previousAttempts === undefined) delete process.env.SIGN_IN_ATTEMPTS_PER_MINUTE;
    else process.env.SIGN_IN_ATTEMPTS_PER_MINUTE = previousAttempts;
    await t?.close();
  });

  it('every operation, every role: never a 5xx, a 4xx has the error body and writes nothing', async () => {
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      METHODS.filter((m) => ops[m]).map((method) => ({ path, method, op: ops[method]! })),
    );
    expect(operations.length).toBeGreaterThan(60);
    const failures: string[] = [];
    let cases = 0;
    let accepted = 0;
    let state = await fingerprint(t.dataSource, tables);

    for (const { path, method, op } of operations) {
      const binary = /\/export$/.test(path);
      for (const role of ROLES) {
        const name = `${method.toUpperCase()} ${path} as ${role}`;
        let problem = '';
        const fail = (message: string) => {
          problem = message;
          return new Error(message);
        };
        try {
          await fc.assert(
            fc.asyncProperty(requestsFor(doc, path, op, ids, pathValues), async (g) => {
              cases++;
              const req = t.http()[method](`${g.path}${g.query}`);
              if (role !== 'anonymous') req.set(bearer(tokens[role]!));
              for (const [k, v] of Object.entries(g.headers)) if (v !== undefined) req.set(k, v);
              if (g.body !== undefined) req.set('Content-Type', 'application/json');
              const res = await (g.body !== undefined ? req.send(g.body) : req);
              const context = `${name}: ${method.toUpperCase()} ${`${g.path}${g.query}`.slice(0, 300)} (${g.label}) body ${(g.body ?? '').slice(0, 300)} -> ${res.status} ${(res.text ?? `(${res.type} body)`).slice(0, 300)}`;
              if (res.status >= 500) throw fail(`5xx for ${context}`);
              if (res.status < 400) {
                accepted++;
                // what an accepted request committed may be relayed (notifications...): let it land first
                await t.app.get(OutboxRelay).drain();
                // an accepted sign-out revokes the token it was sent with
                if (role !== 'anonymous' && path === '/auth/sign-out')
                  tokens[role] = await tokenFor(t.app, users[role]);
                state = await fingerprint(t.dataSource, tables);
                return;
              }
              if (!binary) {
                const shape = errorShapeProblem(res);
                if (shape) throw fail(`${shape} for ${context}`);
              }
              const after = await fingerprint(t.dataSource, tables);
              if (after !== state) {
                const was = state;
                state = after;
                const changed = after.split(' ').filter((f) => !was.split(' ').includes(f));
                throw fail(`refused request wrote (${changed.join(', ')}) for ${context}`);
              }
            }),
            { numRuns: RUNS, seed: SEED, endOnFailure: true },
          );
        } catch (err) {
          failures.push(problem || `${name}: ${(err as Error).message.slice(0, 1_000)}`);
          // a token revoked by a failing case would hide the next operations' behaviour
          if (role !== 'anonymous') tokens[role] = await tokenFor(t.app, users[role]);
          state = await fingerprint(t.dataSource, tables);
        }
      }
    }
    process.stdout.write(
      `openapi fuzzing: ${cases} cases over ${operations.length} operations x ${ROLES.length} roles ` +
        `(runs ${RUNS}, seed ${String(SEED ?? 'random')}), ${accepted} accepted, ${failures.length} failing\n`,
    );
    expect(failures).toEqual([]);
  });

  it('the service still works normally after the fuzzing', async () => {
    await t.http().get('/health').expect(200);
    await t
      .http()
      .get(`/instances/${open}/verify`)
      .set(bearer(tokens.legal_officer!))
      .expect(200)
      .expect((r) => expect(r.body.valid).toBe(true));
  });
});
