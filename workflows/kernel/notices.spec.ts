import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import { modelMemorandumAmendment } from '../procedures/model-memorandum-amendment';
import { memorandumAmendment } from '../procedures/memorandum-amendment';
import { normativeEvents } from '../procedures/normative-amendment';
import { activeStateMeta, stateMeta } from './inspect';
import { EVERYONE_CONCERNED } from './stage';
import {
  correctionNotice,
  extensionNotice,
  openedNotice,
  transitionNotices,
  type CorrectionNoticeInput,
  type NoticeSide,
} from './notices';
import { actors, BODIES, eventsOf, MEMBER_STATES, T0, world } from './testing';
import type { NotifyEffect, World, WorkflowEvent } from './types';

/** Reference data in which the Council of Foreign Ministers adopts the model Memorandum. */
const recorded: World = {
  ...world,
  bodies: BODIES.map((b) => (b.id === 'cfm' ? { ...b, adopts: ['model_memorandum'] } : b)),
};

const ev = eventsOf(normativeEvents);
const side = (s: AnyMachineSnapshot): NoticeSide => ({ context: s.context, states: activeStateMeta(s) });

/** Drives the 1(d) machine and collects, per event, the notices the engine would write. */
function driver() {
  const machine = modelMemorandumAmendment.machine;
  let [s] = initialTransition(machine, {
    proposedBy: 'Secretariat',
    rationale: 'Align with the partner status',
    startedBy: 'officer-1',
    startedAt: T0,
  });
  return {
    send(e: WorkflowEvent): NotifyEffect[] {
      const [next] = transition(machine, s, e as never);
      const out = transitionNotices(side(s), side(next), {
        type: e.type,
        actor: e.actor,
        payload: e.payload,
        memberStates: e.world.memberStates,
      });
      s = next;
      return out;
    },
    state: () => s,
  };
}
const topics = (ns: NotifyEffect[]) => ns.map((n) => n.topic);

describe('notices: who is told what, read from the procedures’ conventions', () => {
  it('a review request goes to every other legal officer', () => {
    const d = driver();
    expect(d.send(ev('START_DRAFTING'))).toEqual([]);
    const [n] = d.send(ev('SUBMIT_FOR_REVIEW', { draftVersion: 1 }));
    expect(n).toMatchObject({
      topic: 'review_requested',
      audience: { roles: ['legal_officer'], exceptUserIds: ['officer-1'] },
      data: { draftVersion: 1 },
    });
  });

  it('a circulation opened tells the approvers of every state; answers tell the officers; the close tells both', () => {
    const d = driver();
    d.send(ev('START_DRAFTING'));
    d.send(ev('SUBMIT_FOR_REVIEW', { draftVersion: 1 }));
    const opened = d.send(ev('APPROVE_REVIEW', {}, actors.reviewer));
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({
      topic: 'version_circulated',
      audience: { memberStates: MEMBER_STATES },
      data: { question: 'comments', answerWith: 'RESPOND', round: 1, draftVersion: 1 },
    });
    const states = [...MEMBER_STATES];
    for (const st of states.slice(0, -1)) {
      const told = d.send(ev('RESPOND', { draftVersion: 1 }, actors.approver(st)));
      expect(told).toHaveLength(1);
      expect(told[0]).toMatchObject({
        topic: 'position_recorded',
        audience: { procedureOfficers: true },
        data: { memberState: st, position: 'no_comments' },
      });
    }
    const last = d.send(ev('RESPOND', { draftVersion: 1, comments: 'Art. 2' }, actors.approver('UZ')));
    expect(topics(last)).toEqual(['position_recorded', 'round_settled']);
    expect(last[1].audience).toEqual({ procedureOfficers: true, memberStates: MEMBER_STATES });
  });

  it('a consensus round: opened for the states, an objection to officers and managers with the reason, then settled', () => {
    const d = driver();
    d.send(ev('START_DRAFTING'));
    d.send(ev('SUBMIT_FOR_REVIEW', { draftVersion: 1 }));
    d.send(ev('APPROVE_REVIEW', {}, actors.reviewer));
    for (const st of MEMBER_STATES) d.send(ev('RESPOND', { draftVersion: 1 }, actors.approver(st)));
    const opened = d.send(ev('SUBMIT_TO_COORDINATORS', { draftVersion: 1 }));
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({
      topic: 'round_opened',
      audience: { memberStates: MEMBER_STATES },
      data: { question: 'position', answerWith: 'POSITION', draftVersion: 1 },
    });
    const objected = d.send(
      ev('POSITION', { draftVersion: 1, kind: 'object', text: 'Art. 5 unacceptable' }, actors.approver('CN')),
    );
    const objection = objected.find((n) => n.topic === 'objection');
    expect(objection).toMatchObject({
      kind: 'escalation',
      audience: { roles: ['manager'], procedureOfficers: true },
      data: { memberState: 'CN', text: 'Art. 5 unacceptable' },
    });
    if (d.state().matches('consolidation'))
      expect(objected.find((n) => n.topic === 'round_settled')).toMatchObject({
        data: { outcome: 'objected', objection: { memberState: 'CN', reason: 'Art. 5 unacceptable' } },
      });
  });

  it('adoption is announced to every state, the managers and the officers', () => {
    const d = driver();
    d.send(ev('START_DRAFTING'));
    d.send(ev('SUBMIT_FOR_REVIEW', { draftVersion: 1 }));
    d.send(ev('APPROVE_REVIEW', {}, actors.reviewer));
    for (const st of MEMBER_STATES) d.send(ev('RESPOND', { draftVersion: 1 }, actors.approver(st)));
    d.send(ev('SUBMIT_TO_COORDINATORS', { draftVersion: 1 }));
    const settled = MEMBER_STATES.flatMap((st) =>
      d.send(ev('POSITION', { draftVersion: 1, kind: 'agree' }, actors.approver(st))),
    );
    const rounds = settled.filter((n) => n.topic === 'round_settled');
    expect(rounds).toHaveLength(1);
    expect(rounds[0]).toMatchObject({ data: { outcome: 'consensus', round: 1 } });
    d.send(ev('SUBMIT_FOR_ADOPTION', { body: 'cfm' }, actors.officer, T0, recorded));
    const adopted = d.send(ev('RECORD_ADOPTION', { decisionNumber: '7', date: T0.slice(0, 10) }));
    expect(adopted).toHaveLength(1);
    expect(adopted[0]).toMatchObject({
      topic: 'stage_reached',
      audience: { roles: ['manager'], memberStates: MEMBER_STATES, procedureOfficers: true },
      data: { state: 'adopted', stage: { ru: 'Утверждено' } },
    });
  });

  it('a withdrawal tells the officers and, apart, the states that still owed an answer (not those that answered)', () => {
    const d = driver();
    d.send(ev('START_DRAFTING'));
    d.send(ev('SUBMIT_FOR_REVIEW', { draftVersion: 1 }));
    d.send(ev('APPROVE_REVIEW', {}, actors.reviewer));
    d.send(ev('RESPOND', { draftVersion: 1 }, actors.approver('RU')));
    const owing = MEMBER_STATES.filter((s) => s !== 'RU');
    // the stage the procedure was withdrawn from (the circulation), in every language
    const stage = activeStateMeta(d.state()).at(-1)?.meta.label;
    expect(stage?.en).toBeTruthy();
    const told = d.send(ev('WITHDRAW', { reason: 'Superseded by a new proposal' }, actors.manager));
    expect(told).toEqual([
      {
        type: 'effect.notify',
        kind: 'info',
        topic: 'withdrawn',
        audience: { procedureOfficers: true },
        subject: 'The procedure was withdrawn: Superseded by a new proposal',
        data: {
          reason: 'Superseded by a new proposal',
          owedBy: owing,
          stage,
        },
      },
      {
        type: 'effect.notify',
        kind: 'info',
        topic: 'withdrawn',
        audience: { memberStates: owing },
        subject:
          "The procedure was withdrawn while your state's answer on draft version 1 was awaited: no answer is needed any more",
        data: {
          reason: 'Superseded by a new proposal',
          owedBy: owing,
          owing,
          draftVersion: 1,
          stage,
        },
      },
    ]);
    expect(told[1].audience.memberStates).not.toContain('RU');
    expect(d.state().context).toMatchObject({ withdrawal: { owedBy: owing } });
  });

  it('a withdrawal outside a member-state round tells the officers only', () => {
    const d = driver();
    d.send(ev('START_DRAFTING'));
    const told = d.send(ev('WITHDRAW', { reason: 'No longer needed' }));
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({ topic: 'withdrawn', audience: { procedureOfficers: true }, data: { owedBy: [] } });
  });

  it('signature and entry into force of a 1(e) are announced by their states’ meta', () => {
    const announced = (path: string) => stateMeta(memorandumAmendment.machine, path)?.announce;
    expect(announced('entry_into_force')).toEqual(EVERYONE_CONCERNED);
    expect(announced('in_force')).toEqual(EVERYONE_CONCERNED);
    expect(announced('signing')).toBeUndefined();
  });

  it('a procedure opened by another goes to its assignee, else the legal unit', () => {
    const title = { en: '1(e)', ru: '1(e)', zh: '1(e)' };
    expect(openedNotice({ partner: 'TR' }, title, '1e:TR').audience).toEqual({ roles: ['legal_officer'] });
    expect(openedNotice({ assignee: 'u-1' }, title, '1e:TR').audience).toEqual({ userIds: ['u-1'] });
  });

  it('a deadline extension tells whoever the deadline is on', () => {
    const label = { en: 'Circulation', ru: 'Рассылка', zh: '分发' };
    const change = { from: '2026-01-01T00:00:00.000Z', to: '2026-01-15T00:00:00.000Z', reason: 'Holidays' };
    expect(
      extensionNotice({ key: 'circulation', label, responsible: 'approver', assignee: null }, ['KZ'], change).audience,
    ).toEqual({ memberStates: ['KZ'], procedureOfficers: true });
    expect(
      extensionNotice({ key: 'a:1', label, responsible: 'legal_officer', assignee: 'u-9' }, [], change).audience,
    ).toEqual({ userIds: ['u-9'], procedureOfficers: true });
    expect(
      extensionNotice({ key: 'review', label, responsible: 'legal_officer', assignee: null }, [], change).audience,
    ).toEqual({ roles: ['legal_officer'], procedureOfficers: true });
  });
});

describe('notices of a correction of a recorded fact', () => {
  const proposal: CorrectionNoticeInput = {
    number: 12,
    field: 'adoption.date',
    label: 'the decision date',
    oldValue: '2025-01-03',
    newValue: '2025-01-02',
    reason: 'Typo in the minutes',
    proposedBy: 'officer-1',
    memberState: null,
  };

  it('proposed: the officers and the managers may confirm it, not the proposer', () => {
    expect(correctionNotice('proposed', proposal, actors.officer)).toEqual({
      type: 'effect.notify',
      kind: 'info',
      topic: 'correction_proposed',
      audience: { roles: ['manager'], procedureOfficers: true, exceptUserIds: ['officer-1'] },
      subject:
        'Correction 12 proposed: the decision date from "2025-01-03" to "2025-01-02" (Typo in the minutes); another officer must confirm or reject it',
      data: {
        correction: 12,
        decision: 'proposed',
        field: 'adoption.date',
        label: 'the decision date',
        oldValue: '2025-01-03',
        newValue: '2025-01-02',
        reason: 'Typo in the minutes',
        proposedBy: 'officer-1',
        memberState: null,
      },
    });
  });

  it('confirmed: the officers and managers (not the confirmer); no member state for the Organisation’s own facts', () => {
    const n = correctionNotice('confirmed', proposal, actors.reviewer);
    expect(n).toMatchObject({
      topic: 'correction_recorded',
      audience: { roles: ['manager'], procedureOfficers: true, exceptUserIds: [actors.reviewer.id] },
      data: { decision: 'confirmed', oldValue: '2025-01-03', newValue: '2025-01-02', reason: 'Typo in the minutes' },
    });
    expect(n.subject).toBe(
      'Correction 12 confirmed: the decision date from "2025-01-03" to "2025-01-02" (Typo in the minutes)',
    );
    expect(n.audience.memberStates).toBeUndefined();
  });

  it("confirmed: a member state's corrected answer is told to that state too", () => {
    const n = correctionNotice('confirmed', { ...proposal, memberState: 'KZ' }, actors.reviewer);
    expect(n.audience).toEqual({
      roles: ['manager'],
      procedureOfficers: true,
      memberStates: ['KZ'],
      exceptUserIds: [actors.reviewer.id],
    });
    expect(n.data).toMatchObject({ memberState: 'KZ' });
    // a proposal is not told to the state: its record has not changed yet
    expect(correctionNotice('proposed', { ...proposal, memberState: 'KZ' }, actors.officer).audience.memberStates).toBe(
      undefined,
    );
  });

  it('rejected: those asked to review it and the proposer, with the reason of the rejection', () => {
    const n = correctionNotice('rejected', proposal, actors.manager, 'The minutes are right');
    expect(n).toMatchObject({
      topic: 'correction_recorded',
      audience: {
        roles: ['manager'],
        procedureOfficers: true,
        userIds: ['officer-1'],
        exceptUserIds: [actors.manager.id],
      },
      data: { decision: 'rejected', reason: 'The minutes are right', proposalReason: 'Typo in the minutes' },
    });
    expect(n.subject).toBe(
      'Correction 12 rejected: the decision date from "2025-01-03" to "2025-01-02" (The minutes are right)',
    );
  });
});
