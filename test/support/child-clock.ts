/**
 * The injected clock of a child process: preloaded (`node -r`) into an API or worker process a
 * test starts, it replaces the application's system clock (src/infra/clock.ts, read by
 * resolveRuntime when the process boots) with one that runs ahead of real time by the number of
 * milliseconds written in the file AMENDFLOW_TEST_CLOCK_FILE. The test moves every process's time
 * at once by writing that file (see {@link moveChildClocks}); nothing sleeps for a deadline.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import * as clock from '../../src/infra/clock';

const file = process.env.AMENDFLOW_TEST_CLOCK_FILE;
if (file) {
  const offset = (): number => Number(readFileSync(file, 'utf8').trim() || '0');
  const moved: clock.Clock = Object.freeze({ now: () => new Date(Date.now() + offset()) });
  Object.defineProperty(clock, 'systemClock', { value: moved, enumerable: true });
}

/** Sets the offset (milliseconds ahead of real time) of every child reading `path`. */
export function moveChildClocks(path: string, aheadMs: number): void {
  writeFileSync(path, String(aheadMs));
}
