/**
 * Setup file (after the test framework) of the `unit` jest project: a unit spec
 * opens no network connection, so it can never come to depend on PostgreSQL or
 * Redis (or any other server) by accident. A connection attempt fails the spec
 * at once with a sentence saying where such a spec belongs.
 *
 * `node:net` is the worker process's own module, shared by every spec file the
 * worker runs, of both projects: the refusal is put in place for this file only
 * and taken away after it, so an integration suite that runs next in the same
 * worker connects as it should.
 */
import * as net from 'node:net';

function refuseConnection(this: net.Socket, ...args: unknown[]): net.Socket {
  const target = describeTarget(args[0]);
  throw new Error(
    `A unit spec tried to open a network connection (${target}). Specs that need PostgreSQL, Redis or any server ` +
      'belong to the integration project: name the file *.e2e-spec.ts.',
  );
}

function describeTarget(options: unknown): string {
  if (typeof options === 'number' || typeof options === 'string') return String(options);
  if (Array.isArray(options)) return describeTarget(options[0]);
  if (options && typeof options === 'object') {
    const { host, port, path } = options as { host?: string; port?: number; path?: string };
    return path ?? `${host ?? 'localhost'}:${port ?? '?'}`;
  }
  return 'unknown target';
}

const original = Object.getOwnPropertyDescriptor(net.Socket.prototype, 'connect');
net.Socket.prototype.connect = refuseConnection;
afterAll(() => {
  if (original) Object.defineProperty(net.Socket.prototype, 'connect', original);
});
