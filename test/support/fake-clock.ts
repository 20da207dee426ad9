import type { Clock } from '../../src/infra/clock';

export type Duration = number | { days?: number; hours?: number; minutes?: number; seconds?: number; ms?: number };

const MS = { days: 86_400_000, hours: 3_600_000, minutes: 60_000, seconds: 1000, ms: 1 } as const;

export function durationMs(by: Duration): number {
  if (typeof by === 'number') return by;
  return (Object.keys(MS) as Array<keyof typeof MS>).reduce((sum, unit) => sum + (by[unit] ?? 0) * MS[unit], 0);
}

/**
 * A Clock that only moves when told to. Starts at the given instant, or at
 * the real time of its creation (so tokens and other real-time checks stay
 * valid); `set()` and `advance()` move it.
 */
export class FakeClock implements Clock {
  private current: number;

  constructor(start: Date | string | number = Date.now()) {
    this.current = new Date(start).getTime();
    if (Number.isNaN(this.current)) throw new Error(`FakeClock: invalid start ${String(start)}`);
  }

  now(): Date {
    return new Date(this.current);
  }

  set(date: Date | string | number): this {
    const t = new Date(date).getTime();
    if (Number.isNaN(t)) throw new Error(`FakeClock.set: invalid date ${String(date)}`);
    this.current = t;
    return this;
  }

  /** `advance(5000)`, `advance({ days: 30 })`, `advance({ hours: 1, minutes: 30 })`. */
  advance(by: Duration): this {
    this.current += durationMs(by);
    return this;
  }
}
