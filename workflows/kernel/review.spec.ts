import { setup } from 'xstate';
import { guardsFrom } from './definition';
import { reviewStage, withReview, withSubmission, type Review } from './review';
import { deadlineOf, fourEyes } from './rules';
import type { ProcedureEvent } from './stage';
import { actors, ev, play, T0 } from './testing';
import type { WorkflowEffect } from './types';

interface Ctx {
  [key: string]: unknown;
  draftVersion: number | null;
  drafter: string | null;
  reviews: Review[];
}

describe('review helpers', () => {
  it('records the submitted version and its drafter', () => {
    expect(withSubmission<Ctx>(ev('SUBMIT_FOR_REVIEW', { draftVersion: 4 }))).toEqual({
      draftVersion: 4,
      drafter: 'officer-1',
    });
  });

  it('logs an approval without a reason and a return with the event’s reason', () => {
    const c: Ctx = { draftVersion: 4, drafter: 'officer-1', reviews: [] };
    const approved = { ...c, ...withReview(c, ev('APPROVE_REVIEW', {}, actors.reviewer), 'approved') };
    const returned = {
      ...approved,
      ...withReview(approved, ev('RETURN_TO_DRAFTING', { reason: 'Art. 3' }, actors.reviewer), 'returned'),
    };
    expect(returned.reviews).toEqual([
      { draftVersion: 4, by: 'officer-2', at: T0, decision: 'approved', reason: null, kind: 'review' },
      { draftVersion: 4, by: 'officer-2', at: T0, decision: 'returned', reason: 'Art. 3', kind: 'review' },
    ]);
  });
});

describe('reviewStage in a machine', () => {
  const review = reviewStage<Ctx, 'reviewDeadline'>({
    deadline: 'reviewDeadline',
    what: (c) => `Review of v${c.draftVersion}`,
  });
  const m = setup({
    types: { context: {} as Ctx, events: {} as ProcedureEvent, emitted: {} as WorkflowEffect },
    guards: guardsFrom({ fourEyes, reviewDeadline: deadlineOf('review') }),
  }).createMachine({
    id: 'm',
    initial: 'drafting',
    context: { draftVersion: null, drafter: null, reviews: [] },
    states: {
      drafting: { on: { SUBMIT_FOR_REVIEW: { target: 'review', actions: review.submitted } } },
      review: {
        on: {
          APPROVE_REVIEW: { guard: 'fourEyes', target: 'approved', actions: review.approved },
          RETURN_TO_DRAFTING: { guard: 'fourEyes', target: 'drafting', actions: review.returned },
          ...review.deadlineEvents,
        },
      },
      approved: {},
    },
  });

  it('keeps the drafter from approving, and lets another officer approve', () => {
    const { s: refused } = play(m, [ev('SUBMIT_FOR_REVIEW', { draftVersion: 2 }), ev('APPROVE_REVIEW')]);
    expect(refused.value).toBe('review');
    const { s } = play(m, [ev('SUBMIT_FOR_REVIEW', { draftVersion: 2 }), ev('APPROVE_REVIEW', {}, actors.reviewer)]);
    expect(s.value).toBe('approved');
    expect(s.context.reviews).toEqual([
      { draftVersion: 2, by: 'officer-2', at: T0, decision: 'approved', reason: null, kind: 'review' },
    ]);
  });

  it('reminds the legal officers and escalates to the managers for the review deadline only', () => {
    const { effects } = play(m, [
      ev('SUBMIT_FOR_REVIEW', { draftVersion: 2 }),
      ev('REMINDER', { deadlineKey: 'review', daysBefore: 2 }, actors.system),
      ev('DEADLINE_PASSED', { deadlineKey: 'other' }, actors.system),
      ev('DEADLINE_PASSED', { deadlineKey: 'review' }, actors.system),
    ]);
    expect(effects).toEqual([
      {
        type: 'effect.notify',
        kind: 'reminder',
        audience: { roles: ['legal_officer'] },
        subject: 'Review of v2 is due soon',
      },
      {
        type: 'effect.notify',
        kind: 'escalation',
        audience: { roles: ['manager'] },
        subject: 'Review of v2 is overdue',
      },
    ]);
  });
});
