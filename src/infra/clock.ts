/**
 * The one source of "now" for the application. Inject it with
 * `@Inject(CLOCK) private readonly clock: Clock` instead of calling
 * `new Date()` so tests can move time (see test/support/fake-clock.ts).
 */
export interface Clock {
  now(): Date;
}

export const CLOCK = 'CLOCK';

export const systemClock: Clock = Object.freeze({
  now: () => new Date(),
});
