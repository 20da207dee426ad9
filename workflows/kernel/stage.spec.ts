import { revisedDraftOf } from './rules';
import { lastOf, meta, notice } from './stage';
import { actors, ev } from './testing';

describe('stage building blocks', () => {
  it('leaves the deadline out of a meta without one', () => {
    const label = { en: 'a', ru: 'б', zh: '丙' };
    expect(meta(label, 'legal_officer')).toEqual({ label, responsible: 'legal_officer' });
    expect('deadline' in meta(label, 'legal_officer')).toBe(false);
    const deadline = { days: 5, remindBefore: [1], escalateTo: ['manager' as const] };
    expect(meta(label, 'approver', deadline)).toEqual({ label, responsible: 'approver', deadline });
  });

  it('builds a notify effect, with data only when given', () => {
    expect(notice('reminder', { roles: ['legal_officer'] }, 'S')).toEqual({
      type: 'effect.notify',
      kind: 'reminder',
      audience: { roles: ['legal_officer'] },
      subject: 'S',
    });
    expect('data' in notice('info', {}, 'S')).toBe(false);
    expect(notice('escalation', { memberStates: ['CN'] }, 'S', { x: 1 })).toEqual({
      type: 'effect.notify',
      kind: 'escalation',
      audience: { memberStates: ['CN'] },
      subject: 'S',
      data: { x: 1 },
    });
  });

  it('gives the last element of a log', () => {
    expect(lastOf([1, 2, 3])).toBe(3);
    expect(lastOf([])).toBeUndefined();
  });
});

describe('revisedDraftOf', () => {
  const rule = revisedDraftOf({ review: 'returned by the review' }, 'send');
  const submit = (draftVersion: number) => ev('SEND', { draftVersion });

  it('accepts any version first, then only a newer one, saying why the last one came back', () => {
    expect(rule({ context: { draftVersion: null, returns: [] }, event: submit(1) })).toBeNull();
    expect(rule({ context: { draftVersion: 2, returns: [] }, event: submit(2) })).toBe(
      'Version 2 has already gone forward: send a revised version (3 or later).',
    );
    expect(
      rule({ context: { draftVersion: 2, returns: [{ from: 'review', reason: 'Art. 1' }] }, event: submit(1) }),
    ).toBe('Version 2 was returned by the review ("Art. 1"): send a revised version (3 or later).');
    expect(rule({ context: { draftVersion: 2, returns: [] }, event: submit(3) })).toBeNull();
  });

  it('still requires the draft to be ready', () => {
    expect(rule({ context: { draftVersion: null, returns: [] }, event: ev('SEND', {}, actors.officer) })).toBe(
      'The event must name the draft version it concerns (draftVersion).',
    );
  });
});
