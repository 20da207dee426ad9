/**
 * An error the boot code reports as a single readable line (no stack trace)
 * before exiting with code 1: unreachable database, missing Redis, ...
 */
export class BootError extends Error {
  override readonly name = 'BootError';
}
