import { addDays, reminderTimes, subtractDays } from '../../src/engine/deadline-plan';
import {
  allJobIdsOf,
  deadlineJobId,
  nextDeadlineJob,
  parseDeadlineJobId,
  planDeadlineJobs,
  type DeadlineRow,
} from '../../src/deadlines/deadline-jobs';
import { deadlineSettingsFrom } from '../../src/deadlines/deadline-settings';
import { isHttpUrl, webhookSignature } from '../../src/deadlines/webhooks.service';

const ID = '3f1c2b7e-9a4d-4c1e-8b2a-1d2e3f4a5b6c';
const DAY = 86_400_000;

describe('deadline job ids', () => {
  it('are deterministic, colon-free and carry the due time', () => {
    expect(deadlineJobId(ID, 'due', 1_760_000_000_000)).toBe(`dl-${ID}-due-1760000000000`);
    expect(deadlineJobId(ID, 'reminder', 1_760_000_000_000, 7)).toBe(`dl-${ID}-r7-1760000000000`);
    expect(deadlineJobId(ID, 'reminder', 1, 0)).not.toContain(':');
  });

  it('round-trip through parse', () => {
    expect(parseDeadlineJobId(deadlineJobId(ID, 'reminder', 42, 7))).toEqual({
      deadlineId: ID,
      kind: 'reminder',
      daysBefore: 7,
      dueAt: 42,
    });
    expect(parseDeadlineJobId(deadlineJobId(ID, 'due', 42))).toEqual({
      deadlineId: ID,
      kind: 'due',
      daysBefore: null,
      dueAt: 42,
    });
    expect(parseDeadlineJobId('wh-123')).toBeNull();
    expect(parseDeadlineJobId(`dl-${ID}-x-42`)).toBeNull();
  });

  it('refuse what would make an ambiguous id', () => {
    expect(() => deadlineJobId('not-a-uuid', 'due', 1)).toThrow(/not a deadline id/);
    expect(() => deadlineJobId(ID, 'reminder', 1, 1.5)).toThrow(/whole days/);
    expect(() => deadlineJobId(ID, 'due', Number.NaN)).toThrow(/not a due time/);
  });
});

describe('working days', () => {
  // 2025-01-03 is a Friday
  const friday = new Date('2025-01-03T10:00:00Z');

  it('adds working days skipping weekends', () => {
    expect(addDays(friday, 1, 'working').toISOString()).toBe('2025-01-06T10:00:00.000Z'); // Monday
    expect(addDays(friday, 10, 'working').toISOString()).toBe('2025-01-17T10:00:00.000Z');
    expect(addDays(friday, 3, 'calendar').toISOString()).toBe('2025-01-06T10:00:00.000Z');
  });

  it('subtracts working days skipping weekends', () => {
    const monday = new Date('2025-01-06T10:00:00Z');
    expect(subtractDays(monday, 1, 'working').toISOString()).toBe('2025-01-03T10:00:00.000Z');
    expect(subtractDays(monday, 2, 'working').toISOString()).toBe('2025-01-02T10:00:00.000Z');
  });

  it('plans working-day reminders before the due time', () => {
    const due = addDays(friday, 10, 'working'); // Friday 17th
    expect(reminderTimes(due, [2], 'working').map((r) => r.at.toISOString())).toEqual(['2025-01-15T10:00:00.000Z']);
  });
});

describe('planDeadlineJobs', () => {
  const start = new Date('2025-03-01T00:00:00Z');
  const row = (over: Partial<DeadlineRow> = {}): DeadlineRow => ({
    id: ID,
    instance_id: '00000000-0000-4000-8000-000000000001',
    key: 'circulation',
    unit: 'calendar',
    starts_at: start,
    due_at: new Date(start.getTime() + 30 * DAY),
    remind_before: [7, 1],
    status: 'open',
    extensions: [],
    ...over,
  });
  const ids = (now: Date, r = row()) =>
    planDeadlineJobs(r, now).map(
      (j) => `${j.data.kind}${j.data.daysBefore ?? ''}@${(j.data.at - start.getTime()) / DAY}`,
    );

  it('plans the reminders ahead and the due job of an open deadline', () => {
    expect(ids(start)).toEqual(['reminder7@23', 'reminder1@29', 'due@30']);
    expect(planDeadlineJobs(row({ status: 'closed' }), start)).toEqual([]);
  });

  it('keeps ONE job pending: the first one whose event is not settled, in the order reminder, reminder, due', () => {
    const due = start.getTime() + 30 * DAY;
    const r7 = deadlineJobId(ID, 'reminder', due, 7);
    const r1 = deadlineJobId(ID, 'reminder', due, 1);
    const d = deadlineJobId(ID, 'due', due);
    expect(nextDeadlineJob(row(), start, new Set())?.id).toBe(r7);
    // day 23 after the 7-day reminder was delivered (or refused): the 1-day one, due on day 29
    const day23 = new Date(start.getTime() + 23 * DAY);
    expect(nextDeadlineJob(row(), day23, new Set([r7]))?.data).toMatchObject({
      kind: 'reminder',
      daysBefore: 1,
      at: due - DAY,
    });
    expect(nextDeadlineJob(row(), day23, new Set())?.id).toBe(r7); // not settled yet: still the 7-day one
    expect(nextDeadlineJob(row(), new Date(start.getTime() + 29 * DAY), new Set([r7, r1]))?.id).toBe(d);
    // past the due time the reminders are no longer planned: the due job, then nothing
    expect(nextDeadlineJob(row(), new Date(due + DAY), new Set([r7]))?.id).toBe(d);
    expect(nextDeadlineJob(row(), new Date(due + DAY), new Set([r7, r1, d]))).toBeNull();
    expect(nextDeadlineJob(row({ status: 'closed' }), start, new Set())).toBeNull();
  });

  it('keeps only the latest missed reminder, and none once the deadline has passed', () => {
    expect(ids(new Date(start.getTime() + 24 * DAY))).toEqual(['reminder7@23', 'reminder1@29', 'due@30']);
    expect(ids(new Date(start.getTime() + 29.5 * DAY))).toEqual(['reminder1@29', 'due@30']);
    expect(ids(new Date(start.getTime() + 31 * DAY))).toEqual(['due@30']);
  });

  it('never plans a reminder that was already past when the period began', () => {
    const short = row({ due_at: new Date(start.getTime() + 5 * DAY) });
    expect(planDeadlineJobs(short, start).map((j) => j.data.kind + (j.data.daysBefore ?? ''))).toEqual([
      'reminder1',
      'due',
    ]);
    // extended on day 20 to day 40: the new 7-day reminder (day 33) is ahead, both planned afresh
    const extended = row({
      due_at: new Date(start.getTime() + 40 * DAY),
      extensions: [
        {
          from: new Date(start.getTime() + 30 * DAY).toISOString(),
          to: new Date(start.getTime() + 40 * DAY).toISOString(),
          at: new Date(start.getTime() + 20 * DAY).toISOString(),
        },
      ],
    });
    expect(ids(new Date(start.getTime() + 20 * DAY), extended)).toEqual(['reminder7@33', 'reminder1@39', 'due@40']);
    // extended on day 35 to day 37: the 7-day reminder (day 30) was before the extension
    const late = row({
      due_at: new Date(start.getTime() + 37 * DAY),
      extensions: [
        {
          from: new Date(start.getTime() + 30 * DAY).toISOString(),
          to: new Date(start.getTime() + 37 * DAY).toISOString(),
          at: new Date(start.getTime() + 35 * DAY).toISOString(),
        },
      ],
    });
    expect(ids(new Date(start.getTime() + 35 * DAY), late)).toEqual(['reminder1@36', 'due@37']);
  });

  it('knows every id the deadline ever had, across extensions', () => {
    const due1 = start.getTime() + 30 * DAY;
    const due2 = start.getTime() + 40 * DAY;
    const r = row({
      due_at: new Date(due2),
      extensions: [{ from: new Date(due1).toISOString(), to: new Date(due2).toISOString(), at: start.toISOString() }],
    });
    expect(allJobIdsOf(r).sort()).toEqual(
      [
        deadlineJobId(ID, 'due', due1),
        deadlineJobId(ID, 'reminder', due1, 7),
        deadlineJobId(ID, 'reminder', due1, 1),
        deadlineJobId(ID, 'due', due2),
        deadlineJobId(ID, 'reminder', due2, 7),
        deadlineJobId(ID, 'reminder', due2, 1),
      ].sort(),
    );
  });
});

describe('settings and webhook helpers', () => {
  it('reads settings with defaults and refuses nonsense', () => {
    expect(deadlineSettingsFrom({})).toMatchObject({ reconcileEveryMs: 60_000, deadlineAttempts: 10 });
    expect(deadlineSettingsFrom({ RECONCILE_EVERY_MS: '0' }).reconcileEveryMs).toBe(0);
    expect(() => deadlineSettingsFrom({ RECONCILE_EVERY_MS: 'soon' })).toThrow(
      /RECONCILE_EVERY_MS must be a whole number/,
    );
  });

  it('accepts only http(s) URLs without credentials', () => {
    expect(isHttpUrl('https://example.org/hook')).toBe(true);
    expect(isHttpUrl('http://127.0.0.1:8080/x')).toBe(true);
    expect(isHttpUrl('ftp://example.org/')).toBe(false);
    expect(isHttpUrl('file:///etc/passwd')).toBe(false);
    expect(isHttpUrl('https://user:pw@example.org/')).toBe(false);
    expect(isHttpUrl('not a url')).toBe(false);
  });

  it('signs timestamp and body with HMAC-SHA256', () => {
    expect(webhookSignature('s3cret-s3cret-s3cret', '1700000000', '{"a":1}')).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(webhookSignature('s3cret-s3cret-s3cret', '1700000000', '{"a":1}')).not.toBe(
      webhookSignature('s3cret-s3cret-s3cret', '1700000001', '{"a":1}'),
    );
  });
});
