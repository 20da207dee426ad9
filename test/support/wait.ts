/**
 * Waiting in tests. Never sleep and then assert that something did not happen: wait, with a
 * bound, for the event that proves it (a later row, a finished run, a counter that moved).
 * Bounds are generous on purpose: they only decide how long a broken test takes to fail, and a
 * machine with a load average of 10+ on 2 cores is slow, not broken.
 */

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Polls `probe` until it returns a truthy value (which it resolves with) or `timeoutMs` passes;
 * then it throws, naming `what` and the probe's last error.
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 30_000,
  everyMs = 200,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > until)
      throw new Error(
        `Timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${(lastError as Error).message})` : ''}`,
        { cause: lastError },
      );
    await sleep(everyMs);
  }
}
