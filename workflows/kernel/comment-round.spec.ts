import { setup } from 'xstate';
import {
  allCommentsIn,
  closeComments,
  commentAllowedOf,
  commentRoundStage,
  lastCommentRound,
  unansweredComments,
  withCommentRoundOpened,
  withResponse,
  type CommentRound,
} from './comment-round';
import { guardsFrom } from './definition';
import { deadlineOf } from './rules';
import type { ProcedureEvent } from './stage';
import { actors, ev, play, MEMBER_STATES, T0 } from './testing';
import type { WorkflowEffect } from './types';

const T1 = '2025-01-07T09:00:00.000Z';
const T2 = '2025-02-06T09:00:00.000Z';

interface Ctx {
  [key: string]: unknown;
  draftVersion: number | null;
  commentRounds: CommentRound[];
}

const opened = (c: Ctx = { draftVersion: 3, commentRounds: [] }): Ctx => ({
  ...c,
  ...withCommentRoundOpened(c, ev('X', {}, actors.officer, T0)),
});
const respond = (state: string, comments?: string | null, draftVersion = 3) =>
  ev('RESPOND', { draftVersion, comments }, actors.approver(state), T1);

const wording = {
  noneOpen: 'No circulation round is open.',
  notApprover: 'Only a member-state approver can answer a circulation.',
  round: 'this circulation',
  version: 'draft version',
};
const allowed = commentAllowedOf(wording);

describe('comment round helpers', () => {
  it('opens a numbered round on the context version with the sorted member states of the event', () => {
    const c = opened();
    expect(lastCommentRound(c)).toEqual({
      number: 1,
      draftVersion: 3,
      electorate: [...MEMBER_STATES].sort(),
      openedAt: T0,
      responses: {},
      closedAt: null,
      unanswered: [],
    });
    expect(opened(c).commentRounds.map((r) => r.number)).toEqual([1, 2]);
  });

  it('records an answer with or without comments, trimmed', () => {
    let c = opened();
    c = { ...c, ...withResponse(c, respond('CN', '  Art. 2  ')) };
    c = { ...c, ...withResponse(c, respond('RU', '   ')) };
    c = { ...c, ...withResponse(c, respond('KZ')) };
    const r = lastCommentRound(c) as CommentRound;
    expect(r.responses.CN).toEqual({
      memberState: 'CN',
      hasComments: true,
      comments: 'Art. 2',
      by: 'approver-CN',
      actingFor: null,
      at: T1,
    });
    expect(r.responses.RU).toMatchObject({ hasComments: false, comments: null });
    expect(r.responses.KZ).toMatchObject({ hasComments: false, comments: null });
    expect(unansweredComments(c)).toEqual(MEMBER_STATES.filter((s) => !['CN', 'RU', 'KZ'].includes(s)));
  });

  it('closes the open round with the states that did not answer, once', () => {
    let c = opened();
    c = { ...c, ...withResponse(c, respond('CN')) };
    const closed = { ...c, ...closeComments(c, T2) };
    expect(lastCommentRound(closed)).toMatchObject({
      closedAt: T2,
      unanswered: MEMBER_STATES.filter((s) => s !== 'CN'),
    });
    expect(unansweredComments(closed)).toEqual([]);
    expect(closeComments(closed, T2)).toEqual({});
    expect(closeComments({ draftVersion: null, commentRounds: [] }, T2)).toEqual({});
  });

  it('refuses answers in the procedure’s own words', () => {
    const c = opened();
    expect(allowed({ context: { draftVersion: 3, commentRounds: [] }, event: respond('CN') })).toBe(
      'No circulation round is open.',
    );
    expect(allowed({ context: c, event: ev('RESPOND', { draftVersion: 3 }, actors.officer) })).toBe(
      'Only a member-state approver can answer a circulation.',
    );
    expect(allowed({ context: c, event: respond('TR') })).toBe(
      'TR is not among the member states of this circulation.',
    );
    expect(allowed({ context: c, event: respond('CN', null, 2) })).toBe(
      'This circulation is on draft version 3; an answer on version 2 cannot be recorded.',
    );
    const answered = { ...c, ...withResponse(c, respond('CN')) };
    expect(allowed({ context: answered, event: respond('CN') })).toBe('CN has already answered this circulation.');
    expect(allowed({ context: answered, event: respond('RU') })).toBeNull();
    const other = commentAllowedOf({ ...wording, round: 'this round of comments', version: 'version' });
    expect(other({ context: c, event: respond('CN', null, 2) })).toBe(
      'This round of comments is on version 3; an answer on version 2 cannot be recorded.',
    );
  });

  it('knows when every state has answered', () => {
    let c = opened({ draftVersion: 1, commentRounds: [] });
    expect(allCommentsIn({ context: { draftVersion: 1, commentRounds: [] }, event: respond('CN') })).toBe(
      'Some member states have not answered yet.',
    );
    for (const s of MEMBER_STATES)
      c = { ...c, ...withResponse(c, ev('RESPOND', { draftVersion: 1 }, actors.approver(s))) };
    expect(allCommentsIn({ context: c, event: respond('CN') })).toBeNull();
  });
});

describe('commentRoundStage in a machine', () => {
  const stage = commentRoundStage<Ctx, 'commentsDeadline', 'next'>({
    deadline: 'commentsDeadline',
    next: 'next',
    reminder: (c, days) => `v${c.draftVersion} in ${days}`,
    closed: (c, unanswered) => `v${c.draftVersion} closed without ${unanswered.join(',') || 'nobody'}`,
  });
  const m = setup({
    types: { context: {} as Ctx, events: {} as ProcedureEvent, emitted: {} as WorkflowEffect },
    guards: guardsFrom({ commentAllowed: allowed, allCommentsIn, commentsDeadline: deadlineOf('comments') }),
  }).createMachine({
    id: 'm',
    initial: 'idle',
    context: { draftVersion: 3, commentRounds: [] },
    states: {
      idle: { on: { START: 'comments' } },
      comments: { entry: stage.open, always: stage.allIn, on: stage.on },
      next: {},
    },
  });

  it('moves on and closes the round when every state has answered', () => {
    const { s, effects } = play(m, [ev('START'), ...MEMBER_STATES.map((st) => respond(st))]);
    expect(s.value).toBe('next');
    expect(s.context.commentRounds[0]).toMatchObject({ closedAt: T1, unanswered: [] });
    expect(effects).toEqual([]);
  });

  it('reminds the silent states, and at the deadline tells the managers and moves on', () => {
    const { s, effects } = play(m, [
      ev('START'),
      respond('CN', 'x'),
      ev('REMINDER', { deadlineKey: 'comments', daysBefore: 1 }, actors.system),
      ev('DEADLINE_PASSED', { deadlineKey: 'comments' }, actors.system, T2),
    ]);
    const unanswered = MEMBER_STATES.filter((x) => x !== 'CN');
    expect(effects).toEqual([
      { type: 'effect.notify', kind: 'reminder', audience: { memberStates: unanswered }, subject: 'v3 in 1' },
      {
        type: 'effect.notify',
        kind: 'escalation',
        audience: { roles: ['manager'] },
        subject: `v3 closed without ${unanswered.join(',')}`,
        data: { unanswered },
      },
    ]);
    expect(s.value).toBe('next');
    expect(s.context.commentRounds[0]).toMatchObject({ closedAt: T2, unanswered });
  });

  it('ignores a deadline that is not the stage’s', () => {
    const { s } = play(m, [ev('START'), ev('DEADLINE_PASSED', { deadlineKey: 'other' }, actors.system)]);
    expect(s.value).toBe('comments');
  });
});
