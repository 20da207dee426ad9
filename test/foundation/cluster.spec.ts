import { RESTART_BACKOFF_MAX_MS, RESTART_BACKOFF_MS, restartDelay } from '../../src/cluster';

describe('restartDelay (API_PROCESSES: a dead API process is replaced after a backoff)', () => {
  it('waits 1 s after a first death, doubles while the same place keeps dying, and stops growing at 30 s', () => {
    expect(RESTART_BACKOFF_MS).toBe(1000);
    expect(RESTART_BACKOFF_MAX_MS).toBe(30_000);
    expect([1, 2, 3, 4, 5, 6].map(restartDelay)).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000]);
    expect(restartDelay(1000)).toBe(30_000);
    expect(restartDelay(0)).toBe(1000);
  });
});
