/**
 * When a deadline falls due and when its reminders go out. Calendar days by default; where a
 * stage counts working days, Saturdays and Sundays are skipped. Times are kept in UTC.
 */
const DAY = 24 * 60 * 60 * 1000;

export function addDays(from: Date, days: number, unit: 'calendar' | 'working' = 'calendar'): Date {
  if (unit === 'calendar') return new Date(from.getTime() + days * DAY);
  let d = new Date(from.getTime());
  let left = days;
  while (left > 0) {
    d = new Date(d.getTime() + DAY);
    const wd = d.getUTCDay();
    if (wd !== 0 && wd !== 6) left--;
  }
  return d;
}

export function subtractDays(from: Date, days: number, unit: 'calendar' | 'working' = 'calendar'): Date {
  if (unit === 'calendar') return new Date(from.getTime() - days * DAY);
  let d = new Date(from.getTime());
  let left = days;
  while (left > 0) {
    d = new Date(d.getTime() - DAY);
    const wd = d.getUTCDay();
    if (wd !== 0 && wd !== 6) left--;
  }
  return d;
}

/** Reminder times for a due date, earliest first, dropping any already in the past at `now`. */
export function reminderTimes(
  due: Date,
  remindBefore: readonly number[],
  unit: 'calendar' | 'working',
  now?: Date,
): { daysBefore: number; at: Date }[] {
  return [...new Set(remindBefore)]
    .sort((a, b) => b - a)
    .map((d) => ({ daysBefore: d, at: subtractDays(due, d, unit) }))
    .filter((r) => !now || r.at.getTime() > now.getTime());
}
