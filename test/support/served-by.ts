/**
 * Preloaded (`node -r`) into a service a test starts: every HTTP response says which process
 * served it (`x-test-served-by: <pid>`). With API_PROCESSES > 1 the API processes forked by the
 * cluster's primary load it too (they inherit its execArgv). Test-only: the product sends no pid.
 */
import * as http from 'node:http';

// eslint-disable-next-line @typescript-eslint/unbound-method -- called with the server as `this` below
const emit = http.Server.prototype.emit;
http.Server.prototype.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
  if (event === 'request') (args[1] as http.ServerResponse).setHeader('x-test-served-by', String(process.pid));
  return Reflect.apply(emit, this, [event, ...args]) as boolean;
} as typeof emit;
