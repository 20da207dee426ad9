/**
 * The OpenAPI document (/docs-json) is the contract the web client's types are generated from.
 * This walks every operation in it and names each one that lacks:
 *   - a success response with a schema (a 204 documents "no body" instead; a route that only
 *     ever refuses, marked x-always-refused, documents its 409 instead),
 *   - error responses, every one of them the one error schema (ErrorBody),
 *   - a security requirement that matches the route: bearer unless the handler or its controller
 *     is @Public() (read from the app's own metadata), and no requirement when it is public.
 * The documented security is cross-checked against the running app: a call without a token to a
 * route documented as authenticated answers 401, and one to a public route does not.
 */
import { HTTP_CODE_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { IS_PUBLIC } from '../../src/auth/public.decorator';
import { REQUIRED_ROLES } from '../../src/common/roles.decorator';
import { REFUSED_EXTENSION } from '../../src/common/openapi';
import { WorkflowEngine } from '../../src/engine/engine.service';
import { bearer, signedIn } from '../support/auth';
import { Conformance } from '../support/openapi-conformance';
import { createTestApp, type TestApp } from '../support/test-app';

const ERROR_SCHEMA_REF = '#/components/schemas/ErrorBody';
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;

interface MediaType {
  schema?: Record<string, unknown>;
}
interface ResponseObject {
  description?: string;
  content?: Record<string, MediaType>;
}
interface Operation {
  operationId?: string;
  [REFUSED_EXTENSION]?: boolean;
  responses?: Record<string, ResponseObject>;
  security?: Record<string, string[]>[];
}
interface OpenApiDocument {
  paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;
  security?: Record<string, string[]>[];
  components?: { schemas?: Record<string, unknown> };
}

/** What the app itself says about a route: whether it is public, its roles and its success status. */
interface RouteFacts {
  public: boolean;
  roles: string[] | undefined;
  status: number;
}

function joinPath(...parts: string[]): string {
  const joined = parts
    .flatMap((p) => p.split('/'))
    .filter(Boolean)
    .map((segment) => segment.replace(/^:(\w+)$/, '{$1}'))
    .join('/');
  return `/${joined}`;
}

/** A controller's or handler's path metadata: a path, several, or none. */
function asPaths(value: string | string[] | undefined): string[] {
  if (value === undefined) return [''];
  return Array.isArray(value) ? value : [value];
}

/** Every route of every controller, keyed "GET /instances/{id}", from the Nest metadata. */
function routeFacts(t: TestApp): Map<string, RouteFacts> {
  const reflector = new Reflector();
  const routes = new Map<string, RouteFacts>();
  for (const module of t.app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!controller) continue;
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        const verb = RequestMethod[method];
        const isPublic = reflector.getAllAndOverride<boolean>(IS_PUBLIC, [handler, controller]) === true;
        const roles = reflector.getAllAndOverride<string[] | undefined>(REQUIRED_ROLES, [handler, controller]);
        const status =
          (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ??
          (method === RequestMethod.POST ? 201 : 200);
        for (const base of asPaths(Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined)) {
          for (const sub of asPaths(Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined)) {
            routes.set(`${verb} ${joinPath(base, sub)}`, { public: isPublic, roles, status });
          }
        }
      }
    }
  }
  return routes;
}

function operations(doc: OpenApiDocument): { key: string; path: string; verb: string; op: Operation }[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => ({
      key: `${m.toUpperCase()} ${path}`,
      path,
      verb: m,
      op: item[m] as Operation,
    })),
  );
}

const isSuccess = (status: string) => /^2\d\d$/.test(status);
const isError = (status: string) => /^[45]\d\d$/.test(status) || status === 'default';

/** Gaps of one operation, as sentences (empty when it is complete). */
function gapsOf(doc: OpenApiDocument, op: Operation, facts: RouteFacts | undefined): string[] {
  const gaps: string[] = [];
  const responses = Object.entries(op.responses ?? {});

  const successes = responses.filter(([status]) => isSuccess(status));
  if (op[REFUSED_EXTENSION]) {
    // A route that exists only to refuse (e.g. editing an immutable version) documents no success.
    if (successes.length > 0) gaps.push('always-refused route documents a success');
    if (!responses.some(([status]) => status === '409')) gaps.push('always-refused route documents no 409');
  } else if (successes.length === 0) gaps.push('no success response');
  for (const [status, response] of successes) {
    if (status === '204') {
      if (response.content) gaps.push('204 documents a body');
      continue;
    }
    const media = Object.values(response.content ?? {});
    if (media.length === 0 || media.some((m) => !m.schema || Object.keys(m.schema).length === 0))
      gaps.push(`success ${status} has no schema`);
  }
  if (facts && successes.length > 0 && !successes.some(([status]) => Number(status) === facts.status))
    gaps.push(`the handler answers ${facts.status}, the document says ${successes.map(([s]) => s).join('/')}`);

  const errors = responses.filter(([status]) => isError(status));
  if (errors.length === 0) gaps.push('no error response');
  for (const [status, response] of errors) {
    const media = Object.values(response.content ?? {});
    if (media.length === 0 || media.some((m) => m.schema?.$ref !== ERROR_SCHEMA_REF))
      gaps.push(`error ${status} does not use the error schema`);
  }
  const documented = new Set(errors.map(([status]) => status));

  const security = op.security ?? doc.security ?? [];
  const bearer = security.some((requirement) => 'bearer' in requirement);
  if (!facts) {
    gaps.push('no route of the app matches this operation');
  } else if (facts.public) {
    if (security.some((requirement) => Object.keys(requirement).length > 0))
      gaps.push('public route documents a security requirement');
  } else {
    if (!bearer) gaps.push('authenticated route documents no bearer requirement');
    if (!documented.has('401')) gaps.push('authenticated route documents no 401');
    if (facts.roles?.length && !documented.has('403')) gaps.push(`route for ${facts.roles.join('/')} documents no 403`);
  }
  return gaps;
}

describe('OpenAPI document', () => {
  let t: TestApp;
  let doc: OpenApiDocument;
  let routes: Map<string, RouteFacts>;

  beforeAll(async () => {
    t = await createTestApp();
    doc = (await t.http().get('/docs-json').expect(200)).body as OpenApiDocument;
    routes = routeFacts(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('declares the one error schema as a component', () => {
    expect(doc.components?.schemas?.ErrorBody).toEqual(
      expect.objectContaining({
        type: 'object',
        required: expect.arrayContaining(['statusCode', 'error', 'message']),
      }),
    );
  });

  it('every operation documents its success schema, its errors with the error schema and its security', () => {
    const all = operations(doc);
    expect(all.length).toBeGreaterThan(50);
    const incomplete = all
      .map(({ key, op }) => ({ key, gaps: gapsOf(doc, op, routes.get(key)) }))
      .filter(({ gaps }) => gaps.length > 0)
      .map(({ key, gaps }) => `${key}: ${gaps.join('; ')}`);
    expect(incomplete).toEqual([]);
  });

  it('the documented security matches the app: no token is 401 exactly where bearer is required', async () => {
    const mismatches: string[] = [];
    for (const { key, path, verb, op } of operations(doc)) {
      const bearer = (op.security ?? doc.security ?? []).some((requirement) => 'bearer' in requirement);
      const url = path.replace(/\{\w+\}/g, '00000000-0000-4000-8000-000000000000');
      // Public writes are not called: a sign-in attempt would count against the address.
      if (!bearer && verb !== 'get') continue;
      const res = await t.http()[verb as 'get'](url);
      if (bearer && res.status !== 401) mismatches.push(`${key}: documented bearer, answered ${res.status}`);
      if (!bearer && res.status === 401) mismatches.push(`${key}: documented public, answered 401`);
    }
    expect(mismatches).toEqual([]);
  });

  it('every $ref of the document names one of its schemas', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(0);
    expect([...new Set(refs)].filter((name) => !doc.components?.schemas?.[name])).toEqual([]);
  });

  it('the conformance check finds a missing, a mistyped and an undeclared property', () => {
    const check = new Conformance(doc as unknown as ConstructorParameters<typeof Conformance>[0]);
    const schema = { $ref: '#/components/schemas/ErrorBody' };
    expect(check.validate(schema, { statusCode: 404, error: 'NOT_FOUND', message: 'x' }, 'ok')).toEqual([]);
    expect(check.validate(schema, { statusCode: 404, error: 'NOT_FOUND' }, 'a')).toEqual([
      'a: required property "message" is missing',
    ]);
    expect(check.validate(schema, { statusCode: '404', error: 'NOT_FOUND', message: 'x' }, 'b')).toEqual([
      'b.statusCode: expected an integer, got "404"',
    ]);
    expect(check.validate(schema, { statusCode: 404, error: 'NOPE', message: 'x', extra: 1 }, 'c')).toEqual([
      expect.stringMatching(/^c\.error: "NOPE" is not one of/),
      'c: property "extra" is not in the schema',
    ]);
  });

  it('real answers of the routes match their documented status and schema', async () => {
    const check = new Conformance(doc as unknown as ConstructorParameters<typeof Conformance>[0]);
    const officer = await signedIn(t.app, { role: 'legal_officer' });
    const reviewer = await signedIn(t.app, { role: 'legal_officer' });
    const manager = await signedIn(t.app, { role: 'manager' });
    const admin = await signedIn(t.app, { role: 'admin' });
    const kz = await signedIn(t.app, { role: 'approver', memberState: 'KZ' });
    const call = async (token: string | null, method: 'GET' | 'POST', url: string, body?: object) => {
      let req =
        method === 'GET'
          ? t.http().get(url)
          : t
              .http()
              .post(url)
              .send(body ?? {});
      if (token) req = req.set(bearer(token));
      const res = await req;
      check.response(method, url, res.status, res.body, res.type);
      return res;
    };
    const expectStatus = (res: { status: number; body: unknown }, status: number, what: string) => {
      if (res.status !== status) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body as Record<string, unknown>;
    };
    const event = (id: string, token: string, type: string, payload: object = {}) =>
      call(token, 'POST', `/instances/${id}/events`, { type, payload }).then((r) => expectStatus(r, 200, type));

    await call(null, 'GET', '/health');
    await call(officer.token, 'GET', '/auth/me');
    await call(officer.token, 'GET', '/definitions');
    await call(officer.token, 'GET', '/definitions/model-memorandum-amendment');
    await call(officer.token, 'GET', '/definitions/no-such-definition');
    await call(officer.token, 'GET', '/reference/member-states');
    await call(officer.token, 'GET', '/reference/partners');
    await call(officer.token, 'GET', '/reference/treaties');
    await call(officer.token, 'GET', '/reference/bodies');
    await call(officer.token, 'GET', '/reference/member-states/KZ');
    await call(officer.token, 'GET', '/reference/member-states/KZ/history');
    await call(officer.token, 'GET', '/reference/member-states?at=not-a-date');

    // A model-memorandum amendment with a draft, one circulation for comments and an approval round.
    const started = await call(officer.token, 'POST', '/instances', {
      definitionId: 'model-memorandum-amendment',
      input: { proposedBy: 'Secretariat', rationale: 'The 2025 SCO partner status' },
    });
    const id = (expectStatus(started, 201, 'start').instance as { id: string }).id;
    await event(id, officer.token, 'START_DRAFTING');
    expectStatus(
      await call(officer.token, 'POST', `/instances/${id}/draft`, { source: 'model_memorandum' }),
      201,
      'create draft',
    );
    await call(kz.token, 'POST', `/instances/${id}/draft/versions/1/comments`, { text: 'Article 1: a comment' });
    await call(officer.token, 'POST', `/instances/${id}/draft/versions/1/comments`, { text: 'Noted' });
    await event(id, officer.token, 'SUBMIT_FOR_REVIEW', { draftVersion: 1 });
    await event(id, reviewer.token, 'APPROVE_REVIEW');
    await call(kz.token, 'GET', '/approvals/inbox');
    expectStatus(
      await call(kz.token, 'POST', `/approvals/${id}/answer`, { draftVersion: 1, kind: 'comments', text: 'Art. 2' }),
      200,
      'respond',
    );
    await t.app.get(WorkflowEngine).apply({
      instanceId: id,
      type: 'DEADLINE_PASSED',
      payload: { deadlineKey: 'circulation' },
      actor: { id: 'system', role: 'system', memberState: null, actingFor: null },
    });
    await event(id, officer.token, 'SUBMIT_TO_COORDINATORS', { draftVersion: 1 });
    await call(kz.token, 'GET', '/approvals/inbox');
    await call(kz.token, 'POST', `/approvals/${id}/answer`, {
      draftVersion: 1,
      kind: 'agree_with_reservation',
      text: 'Art. 4',
    });
    await call(kz.token, 'POST', `/approvals/${id}/answer`, { draftVersion: 9, kind: 'agree' });
    await call(kz.token, 'GET', '/approvals/history');
    await call(manager.token, 'GET', `/instances/${id}/approvals`);

    await call(officer.token, 'GET', '/instances');
    await call(officer.token, 'GET', `/instances?definition=model-memorandum-amendment&overdue=false`);
    await call(officer.token, 'GET', `/instances/${id}`);
    await call(officer.token, 'GET', `/instances/${id}/history`);
    await call(officer.token, 'GET', `/instances/${id}/verify`);
    await call(officer.token, 'GET', '/instances/00000000-0000-4000-8000-000000000000');
    await call(manager.token, 'POST', `/instances/${id}/deadlines/cnc_approval/extend`, {
      dueAt: new Date(t.clock.now().getTime() + 60 * 86_400_000).toISOString(),
      reason: 'The coordinators meet later',
    });
    await call(officer.token, 'GET', `/instances/${id}/draft`);
    await call(officer.token, 'GET', `/instances/${id}/draft/versions/1`);
    await call(officer.token, 'GET', `/instances/${id}/draft/versions/1/comments`);
    await call(officer.token, 'GET', `/instances/${id}/draft/versions/x`);
    await call(officer.token, 'GET', `/instances/${id}/draft/diff?from=1&to=1`);
    await call(officer.token, 'GET', `/instances/${id}/draft/consolidation?version=1`);
    await call(officer.token, 'GET', `/instances/${id}/draft/comparison?from=1&to=1`);
    await call(officer.token, 'GET', `/instances/${id}/report`);
    await call(officer.token, 'GET', `/instances/${id}/draft/versions/1/export?format=html&lang=en`);
    await call(officer.token, 'GET', `/instances/${id}/draft/comparison/export?from=1&to=1&format=html`);

    // 1(a): an analysis with one assessment submitted and one awaited.
    const analysis = await call(officer.token, 'POST', '/instances', {
      definitionId: 'implementation-analysis',
      input: { title: 'Implementation of the memoranda, 2013-2024' },
    });
    const analysisId = (expectStatus(analysis, 201, 'start analysis').instance as { id: string }).id;
    await event(analysisId, officer.token, 'SCOPE', {
      criteria: ['Participation in meetings'],
      memoranda: ['mem-TR', 'mem-EG'],
      assignments: [
        { memorandumId: 'mem-TR', assignee: officer.user.id, dueAt: '2099-12-31' },
        { memorandumId: 'mem-EG', assignee: reviewer.user.id, dueAt: '2099-12-31' },
      ],
    });
    await event(analysisId, officer.token, 'ASSESSMENT_SUBMITTED', {
      memorandumId: 'mem-TR',
      findings: [{ id: 'TR-1', text: 'Outdated areas of cooperation', severity: 'high', suggestedMeasure: '1(e)' }],
    });
    await call(officer.token, 'GET', `/instances/${analysisId}/report`);
    await call(officer.token, 'GET', `/instances/${analysisId}/report/export?format=html&lang=ru`);

    await call(officer.token, 'GET', '/notifications');
    await call(officer.token, 'GET', '/notifications/unread-count');
    await call(officer.token, 'POST', '/notifications/read-all');
    await call(officer.token, 'POST', '/webhooks', { url: 'https://ministry.example/hook' });
    await call(officer.token, 'GET', '/webhooks');
    await call(manager.token, 'GET', '/monitoring/dashboard');
    await call(kz.token, 'GET', '/monitoring/dashboard');
    await call(admin.token, 'POST', '/admin/deadlines/reconcile');
    await call(admin.token, 'GET', '/users');
    await call(manager.token, 'GET', '/acting-appointments');

    expect(check.problems).toEqual([]);
    expect(check.checked.size).toBeGreaterThan(40);
  });
});
