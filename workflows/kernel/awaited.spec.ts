import { openRound, recordPosition } from './consensus';
import { awaitedAnswers } from './awaited';

const at = '2026-01-05T10:00:00.000Z';

describe('awaitedAnswers', () => {
  it('reads an open consensus round: the states that have not answered yet', () => {
    let r = openRound([], {
      stage: 'cnc_approval',
      draftVersion: 2,
      electorate: ['RU', 'CN', 'KZ'],
      silenceProcedure: false,
      at,
    });
    r = recordPosition(r, { id: 'a', memberState: 'CN', actingFor: null }, { kind: 'agree', draftVersion: 2 }, at);
    expect(awaitedAnswers({ rounds: [r] })).toEqual({
      kind: 'position',
      event: 'POSITION',
      round: 1,
      draftVersion: 2,
      electorate: ['CN', 'KZ', 'RU'],
      pending: ['KZ', 'RU'],
      since: at,
    });
  });

  it('reads an open circulation for comments, and nothing once it is closed or objected', () => {
    const open = {
      number: 1,
      draftVersion: 1,
      electorate: ['IN', 'PK'],
      openedAt: at,
      responses: { IN: {} },
      closedAt: null,
    };
    expect(awaitedAnswers({ rounds: [], commentRounds: [open] })).toMatchObject({
      kind: 'comments',
      event: 'RESPOND',
      pending: ['PK'],
    });
    expect(awaitedAnswers({ rounds: [], commentRounds: [{ ...open, closedAt: at }] })).toBeNull();
    const objected = recordPosition(
      openRound([], { stage: 's', draftVersion: 1, electorate: ['IN'], silenceProcedure: false, at }),
      { id: 'x', memberState: 'IN', actingFor: null },
      { kind: 'object', text: 'no', draftVersion: 1 },
      at,
    );
    expect(awaitedAnswers({ rounds: [objected] })).toBeNull();
    expect(awaitedAnswers(null)).toBeNull();
  });
});
