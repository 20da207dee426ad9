import * as net from 'node:net';

/** Ask the OS for a free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not allocate a port'))));
    });
  });
}

/** `host:port/path` of a URL, never its credentials. */
export function describeUrl(url: string, defaultPort: number): string {
  try {
    const u = new URL(url);
    const host = u.hostname.includes(':') && !u.hostname.startsWith('[') ? `[${u.hostname}]` : u.hostname;
    const db = u.pathname.replace(/^\//, '');
    return `${host}:${u.port || defaultPort}${db ? `/${decodeURIComponent(db)}` : ''}`;
  } catch {
    return '(unparseable URL)';
  }
}

/** Removes a password from a URL, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/** Readable reason of a connection error (never includes credentials). */
export function errorReason(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) {
    return [...new Set(err.errors.map(errorReason))].join('; ');
  }
  if (err instanceof Error) {
    return err.message || (err as NodeJS.ErrnoException).code || err.name;
  }
  return String(err);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
