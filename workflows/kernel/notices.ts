/**
 * Who is told what when a procedure moves, read from the conventions every procedure keeps (as
 * `awaited.ts` reads who owes an answer): consensus rounds in `context.rounds`, circulations in
 * `context.commentRounds`, a withdrawal in `context.withdrawal`, the four-eyes review's
 * `SUBMIT_FOR_REVIEW`, and the `announce` a state declares in its meta. The engine calls these in
 * the event's transaction and writes each notice to the outbox like an emitted `effect.notify`;
 * src/ fans the audiences out to people and renders them in each reader's language.
 *
 * Pure: no I/O, plain JSON in and out.
 */
import type { ConsensusRound, Position } from './consensus';
import type { CommentRound } from './comment-round';
import { awaitedAnswers } from './awaited';
import { shown, type CorrectionProposal } from './corrections';
import type { Actor, Labels, NoticeTopic, NotifyEffect, StateMeta } from './types';

/** One side of a transition as the notices see it: the active states with their meta, and the context. */
export interface NoticeSide {
  context: unknown;
  states: { path: string; meta: StateMeta }[];
}

export interface NoticeEvent {
  type: string;
  actor: Actor;
  payload: Record<string, unknown>;
  memberStates: readonly string[];
}

const notice = (
  topic: NoticeTopic,
  audience: NotifyEffect['audience'],
  subject: string,
  data: Record<string, unknown>,
): NotifyEffect => ({
  type: 'effect.notify',
  kind: topic === 'objection' ? 'escalation' : 'info',
  topic,
  audience,
  subject,
  data,
});

interface ConventionContext {
  rounds?: unknown;
  commentRounds?: unknown;
  withdrawal?: unknown;
  draftVersion?: unknown;
}

function listIn<T>(value: unknown): readonly T[] {
  if (!Array.isArray(value)) return [];
  const list: readonly unknown[] = value;
  return list as readonly T[];
}

const conventions = (context: unknown): ConventionContext => context ?? {};
const roundsOf = (context: unknown) => listIn<ConsensusRound>(conventions(context).rounds);
const commentRoundsOf = (context: unknown) => listIn<CommentRound>(conventions(context).commentRounds);

function draftVersionOf(context: unknown): number | null {
  const v = conventions(context).draftVersion;
  return typeof v === 'number' ? v : null;
}

function withdrawalOf(context: unknown): { reason: string; owedBy: string[] } | null {
  const w = conventions(context).withdrawal;
  if (typeof w !== 'object' || w === null || !('reason' in w)) return null;
  const owedBy = 'owedBy' in w ? listIn<unknown>(w.owedBy).map(String) : [];
  return { reason: String(w.reason), owedBy };
}

/** The label of the state a round or a notice belongs to: the deepest active state with meta. */
function stageLabel(side: NoticeSide): Labels | null {
  return side.states[side.states.length - 1]?.meta.label ?? null;
}

/** Positions recorded or changed between two versions of one round (silence is the deadline's, told elsewhere). */
function newPositions(before: ConsensusRound | undefined, after: ConsensusRound): Position[] {
  return Object.values(after.positions).filter(
    (p) => p.kind !== 'silence' && before?.positions[p.memberState]?.at !== p.at,
  );
}

/**
 * The notices of one transition: a round opened (the approvers of its states), positions and
 * comments recorded (the procedure's officers), an objection (officers and managers, with the
 * reason), a round settled (officers and the round's states), a review requested (the other
 * officers), a state entered that announces itself (its meta's audience), a withdrawal (the
 * officers; and, apart, the states that still owed an answer, recorded as `owedBy` by kernel
 * `withdrawTransition`: no answer is needed from them any more).
 */
export function transitionNotices(before: NoticeSide, after: NoticeSide, event: NoticeEvent): NotifyEffect[] {
  const out: NotifyEffect[] = [];
  const stage = stageLabel(after) ?? stageLabel(before);
  const withdrawn = !withdrawalOf(before.context) && withdrawalOf(after.context);

  // consensus rounds: positions, objections, settlement
  const roundsBefore = roundsOf(before.context);
  for (const r of roundsOf(after.context)) {
    const prior = roundsBefore.find((x) => x.number === r.number);
    if (prior && prior.outcome !== 'open') continue;
    for (const p of newPositions(prior, r)) {
      const data = {
        memberState: p.memberState,
        position: p.kind,
        text: p.text,
        round: r.number,
        draftVersion: r.draftVersion,
        stage,
      };
      if (p.kind === 'object')
        out.push(
          notice(
            'objection',
            { roles: ['manager'], procedureOfficers: true },
            `${p.memberState} objects to draft version ${r.draftVersion}: ${p.text ?? ''}`,
            data,
          ),
        );
      else
        out.push(
          notice(
            'position_recorded',
            { procedureOfficers: true },
            `${p.memberState} recorded its position on draft version ${r.draftVersion} (${p.kind})`,
            data,
          ),
        );
    }
    if (prior && (r.outcome === 'consensus' || r.outcome === 'objected'))
      out.push(
        notice(
          'round_settled',
          { procedureOfficers: true, memberStates: r.electorate },
          r.outcome === 'consensus'
            ? `Consensus on draft version ${r.draftVersion} (round ${r.number})`
            : `Draft version ${r.draftVersion} was objected to by ${r.objection?.memberState ?? ''} (round ${r.number})`,
          {
            outcome: r.outcome,
            round: r.number,
            draftVersion: r.draftVersion,
            objection: r.objection,
            reservations: Object.values(r.positions)
              .filter((p) => p.kind === 'agree_with_reservation')
              .map((p) => ({ memberState: p.memberState, text: p.text })),
            stage: stageLabel(before),
          },
        ),
      );
  }

  // circulations for comments: responses and closing
  const commentsBefore = commentRoundsOf(before.context);
  for (const r of commentRoundsOf(after.context)) {
    const prior = commentsBefore.find((x) => x.number === r.number);
    if (prior?.closedAt) continue;
    for (const resp of Object.values(r.responses))
      if (prior?.responses[resp.memberState]?.at !== resp.at)
        out.push(
          notice(
            'position_recorded',
            { procedureOfficers: true },
            `${resp.memberState} answered the circulation of draft version ${r.draftVersion}`,
            {
              memberState: resp.memberState,
              position: resp.hasComments ? 'comments' : 'no_comments',
              text: resp.comments,
              round: r.number,
              draftVersion: r.draftVersion,
              stage,
            },
          ),
        );
    if (prior && r.closedAt && !withdrawn)
      out.push(
        notice(
          'round_settled',
          { procedureOfficers: true, memberStates: r.electorate },
          `Circulation of draft version ${r.draftVersion} closed`,
          {
            outcome: 'closed',
            round: r.number,
            draftVersion: r.draftVersion,
            unanswered: r.unanswered,
            stage: stageLabel(before),
          },
        ),
      );
  }

  // a round opened: the approvers of each state asked
  const was = awaitedAnswers(before.context);
  const now = awaitedAnswers(after.context);
  if (now && (!was || was.kind !== now.kind || was.round !== now.round) && now.pending.length) {
    const comments = now.kind === 'comments';
    out.push(
      notice(
        comments ? 'version_circulated' : 'round_opened',
        { memberStates: now.pending },
        comments
          ? `Draft version ${now.draftVersion} is circulated for your state's comments`
          : `Your state's position on draft version ${now.draftVersion} is asked`,
        { question: now.kind, answerWith: now.event, round: now.round, draftVersion: now.draftVersion, stage },
      ),
    );
  }

  // a version sent to the four-eyes review: every other officer may review it
  if (event.type === 'SUBMIT_FOR_REVIEW' && event.actor.role === 'legal_officer')
    out.push(
      notice(
        'review_requested',
        { roles: ['legal_officer'], exceptUserIds: [event.actor.id] },
        `Review of draft version ${String(event.payload.draftVersion)} requested`,
        {
          draftVersion: event.payload.draftVersion ?? null,
          stage,
        },
      ),
    );

  // a state that announces itself when entered
  const paths = new Set(before.states.map((s) => s.path));
  for (const s of after.states)
    if (!paths.has(s.path) && s.meta.announce)
      out.push(
        notice('stage_reached', audienceOf(s.meta.announce, event), `The procedure reached "${s.meta.label.en}"`, {
          stage: s.meta.label,
          state: s.path,
        }),
      );

  // a withdrawal: the officers, and the states that still owed an answer (told that none is needed
  // any more; a state that had answered, or was never asked, is not told)
  if (withdrawn) {
    const data = { reason: withdrawn.reason, owedBy: withdrawn.owedBy, stage: stageLabel(before) };
    out.push(
      notice('withdrawn', { procedureOfficers: true }, `The procedure was withdrawn: ${withdrawn.reason}`, data),
    );
    if (withdrawn.owedBy.length) {
      const draftVersion = was?.draftVersion ?? draftVersionOf(before.context);
      out.push(
        notice(
          'withdrawn',
          { memberStates: [...withdrawn.owedBy] },
          `The procedure was withdrawn while your state's answer on draft version ${draftVersion ?? ''} was awaited: no answer is needed any more`,
          { ...data, draftVersion, owing: withdrawn.owedBy },
        ),
      );
    }
  }
  return out;
}

function audienceOf(announce: NonNullable<StateMeta['announce']>, event: NoticeEvent): NotifyEffect['audience'] {
  return {
    ...(announce.roles ? { roles: [...announce.roles] } : {}),
    ...(announce.memberStates === 'all' ? { memberStates: [...event.memberStates] } : {}),
    ...(announce.procedureOfficers ? { procedureOfficers: true } : {}),
  };
}

/** A procedure opened by another one (the 1(e) an adoption opens): its assignee, else the legal unit. */
export function openedNotice(input: Record<string, unknown>, title: Labels, subject: string): NotifyEffect {
  const assignee = typeof input.assignee === 'string' ? input.assignee : null;
  return notice(
    'procedure_opened',
    assignee ? { userIds: [assignee] } : { roles: ['legal_officer'] },
    `A new procedure is open: ${title.en} (${subject})`,
    {
      title,
      subject,
    },
  );
}

/** A deadline moved later: whoever it is on (the states still to answer, its assignee or its role), and the officers. */
export function extensionNotice(
  deadline: { key: string; label: Labels; responsible: string; assignee: string | null },
  pending: readonly string[],
  change: { from: string; to: string; reason: string },
): NotifyEffect {
  const on: NotifyEffect['audience'] = deadline.assignee
    ? { userIds: [deadline.assignee] }
    : deadline.responsible === 'approver'
      ? { memberStates: [...pending] }
      : { roles: deadline.responsible === 'manager' ? ['manager'] : ['legal_officer'] };
  return notice(
    'deadline_extended',
    { ...on, procedureOfficers: true },
    `The deadline "${deadline.label.en}" is extended to ${change.to}`,
    {
      deadlineKey: deadline.key,
      stage: deadline.label,
      ...change,
    },
  );
}

/** A correction of a recorded fact as its notice tells it. */
export interface CorrectionNoticeInput extends CorrectionProposal {
  /** Its number (the seq of the proposal's event). */
  number: number;
  proposedBy: string;
  /** The member state whose recorded answer the fact is, if it is one (see `CorrectableField.answerOf`). */
  memberState: string | null;
}

/**
 * A correction of a recorded fact, told in three steps. Proposed: the procedure's officers and
 * the managers (who may confirm it; four-eyes: not the proposer). Confirmed: the record now reads
 * the new value, so the officers, the managers and, when the fact is a member state's answer, that
 * state's approvers. Rejected: those who were asked to review it, and the proposer. Never the
 * person who acted.
 */
export function correctionNotice(
  decision: 'proposed' | 'confirmed' | 'rejected',
  c: CorrectionNoticeInput,
  actor: Actor,
  rejectionReason: string | null = null,
): NotifyEffect {
  const data = {
    correction: c.number,
    decision,
    field: c.field,
    label: c.label,
    oldValue: c.oldValue,
    newValue: c.newValue,
    reason: decision === 'rejected' ? rejectionReason : c.reason,
    ...(decision === 'rejected' ? { proposalReason: c.reason } : {}),
    proposedBy: c.proposedBy,
    memberState: c.memberState,
  };
  const change = `${c.label} from ${shown(c.oldValue)} to ${shown(c.newValue)}`;
  const officers = { roles: ['manager' as const], procedureOfficers: true, exceptUserIds: [actor.id] };
  if (decision === 'proposed')
    return notice(
      'correction_proposed',
      officers,
      `Correction ${c.number} proposed: ${change} (${c.reason}); another officer must confirm or reject it`,
      data,
    );
  if (decision === 'rejected')
    return notice(
      'correction_recorded',
      { ...officers, userIds: [c.proposedBy] },
      `Correction ${c.number} rejected: ${change} (${rejectionReason ?? ''})`,
      data,
    );
  return notice(
    'correction_recorded',
    { ...officers, ...(c.memberState ? { memberStates: [c.memberState] } : {}) },
    `Correction ${c.number} confirmed: ${change} (${c.reason})`,
    data,
  );
}
