/**
 * 1(e): working out the amendments and additions to one existing memorandum granting SCO
 * dialogue-partner status, with that partner. Opened by the adoption of a new Regulation (1(c)) or
 * model Memorandum (1(d)) for every memorandum it affects, or by hand by a legal officer.
 *
 * Stages (domain.md), with these refinements:
 * - `gap_analysis`: the memorandum is compared with the new Regulation/model; the officer records
 *   the findings and the provisions to amend. Adoption opens this procedure for every memorandum
 *   at once, so the stage has a deadline (30 days, reminders 7 and 1) for the managers to see which
 *   analyses are late. The analysis may conclude that nothing needs amending: the procedure then
 *   closes as `no_amendment_needed`, an outcome distinct from a withdrawal for the parent and the
 *   reports (a memorandum already conforming is a result, not an abandoned procedure).
 * - `drafting`: the draft protocol of amendments (a document version, `draftVersion`). After any
 *   return (legal review, a member state's objection, the partner's counter-proposal) only a newer
 *   version may go forward, so a version once objected to or countered never comes back unchanged;
 *   every return is logged in `returns` with its reason.
 * - `legal_review`: four-eyes, as for the normative documents. The protocol is an international
 *   instrument the Secretary-General signs, so it gets the same internal control as the model it
 *   implements; the reviewing officer must not have written or edited any version since the last
 *   reviewed one (the draft's authorship, not who submitted it) and may return it. Every version
 *   the member states see passed this review: a return or objection always comes back through it.
 * - `consensus`: approving the review circulates the version to the member states for a consensus
 *   round (30 days, reminders 7 and 1 to the states that have not answered). One objection returns
 *   the draft to drafting with its reason; reservations are kept in the rounds. The silence
 *   procedure is a rule of this definition, not an officer's choice: a round uses it exactly when
 *   the protocol implements an adopted Regulation or model (a `basis` is recorded), because the
 *   member states have then already agreed the substance by consensus in 1(c)/1(d); a protocol
 *   started by hand without a basis needs every state's express position. Under silence, states that
 *   have not answered by the deadline are recorded as `silence` (never a state that objected to the
 *   previous version); otherwise the managers are told who is holding the round up and the round
 *   stays open.
 * - `agreed`: consensus reached; the legal officer sends exactly the agreed version to the partner
 *   (note verbale reference recorded), which starts the partner's period. This stage exists so the
 *   partner's period runs from the actual transmission, not from the last member state's answer.
 * - `with_partner`: 60 days, reminders 14 and 7 to the legal officers who chase the partner; the
 *   officer records PARTNER_ACCEPTED or PARTNER_COUNTER_PROPOSAL {text} (back to drafting: the
 *   changed text needs a new review and new member-state positions). Both name the version sent.
 * - `signing`: SIGNED records the signed version (the accepted one), date, place, and for each side
 *   who signed, in what capacity and on what full powers (by virtue of office, an instrument of full
 *   powers, or a decision authorising the signature); nothing about the signatory is assumed. The
 *   signing date is not before the adoption of the basis nor before the member states' consensus
 *   on the text. Records made before the capacity and full powers were kept read as they were
 *   (`title` as the capacity, full powers not recorded). Dates of facts
 *   (signing, notification, entry into force) may not lie in the future; "today" is the latest
 *   calendar date anywhere on Earth at the event's time, so a signature in Beijing is never refused
 *   for time-zone reasons.
 *   The stage has no deadline: the date of signature is set through diplomatic channels (often at a
 *   summit), and a fixed period would only produce false escalations.
 * - `entry_into_force`: either on signature (the date must be the signing date), or after the
 *   partner's notification that its internal procedures are completed (NOTIFICATION_RECEIVED
 *   {date}, not before signing; entry into force not before the notification). Waiting for a
 *   partner's procedures can take long: a 90-day follow-up deadline reminds the officers and tells
 *   the managers when it lapses.
 * - `in_force` (final); `no_amendment_needed` (final); `withdrawn` (final, from any open stage,
 *   with a reason; an open round is marked superseded).
 * - One open 1(e) per memorandum: when a further adoption (1(c) after 1(d), or the other way round)
 *   affects a memorandum whose 1(e) is open, the cascade does not open a second one but delivers
 *   ADD_BASIS to this one, in whatever open stage it is. The basis is kept in `bases` (with the
 *   adopting procedure), the first basis also in `basis`; the legal officers are told, since the
 *   gap analysis and the draft must now answer to both texts.
 * - Output to the parent: final state, partner, memorandum, bases, signing and entry-into-force data.
 * - Corrections (proposed by one officer, confirmed by another, under the rules of the original
 *   event): the basis decision, the signing date, place and signatories, the date of the partner's
 *   notification, the date of entry into force.
 */
import { assign, emit, setup } from 'xstate';
import type { z } from 'zod';
import { lastRound, type ConsensusRound } from '../kernel/consensus';
import {
  consensusStage,
  objectionReturn,
  type ObjectionReturn,
  withdrawTransition,
  withdrawable,
  type Withdrawal,
} from '../kernel/consensus-stage';
import { guardsFrom, type EventCatalogue, type EventsOf, type WorkflowDefinition } from '../kernel/definition';
import {
  consensusReached,
  prerequisitesOf,
  versionNotObjected,
  versionReviewed,
  versionSubmitted,
  type StagePrerequisite,
} from '../kernel/migration';
import { reviewStage, withReview, type Review, REVIEW_PERIOD } from '../kernel/review';
import {
  deadlineOf,
  earlyCloseAllowed,
  draftReady,
  fourEyes,
  positionAllowed,
  revisedDraftOf,
  roundConsensus,
  roundObjected,
} from '../kernel/rules';
import type { CorrectableFields } from '../kernel/corrections';
import { earliestDateAt, lastConsensus, latestDateAt, refuseFutureDate } from '../kernel/records';
import { announced, EVERYONE_CONCERNED, isEventOf, meta, notice, type StageArgs } from '../kernel/stage';
import type { WorkflowEffect } from '../kernel/types';
import {
  addBasisPayload,
  approveAndCirculatePayload,
  counterProposalPayload,
  entryIntoForcePayload,
  gapAnalysisPayload,
  memorandumAmendmentInput,
  noAmendmentPayload,
  notificationPayload,
  partnerAcceptedPayload,
  sendToPartnerPayload,
  signedPayload,
  signatoryPayload,
  calendarDate,
  type EntryIntoForceMode,
  type FullPowers,
} from './partner-payloads';
import { draftVersionPayload, isoDate, positionPayload, procedureEvents, reasonPayload, text } from './payloads';

export interface AmendmentBasis {
  document: 'regulation' | 'model_memorandum';
  decisionNumber: string;
  date: string;
}

/** A basis of the procedure: the one it was opened with, or one added by a later adoption. */
export interface RecordedBasis extends AmendmentBasis {
  /** The adopting 1(c)/1(d) procedure that added it; null for the basis given at the start. */
  procedureId: string | null;
  addedAt: string;
}

export interface PartnerExchange {
  number: number;
  draftVersion: number;
  sentBy: string;
  sentAt: string;
  reference: string | null;
  answer: {
    kind: 'accepted' | 'counter_proposal';
    text: string | null;
    reference: string | null;
    recordedBy: string;
    at: string;
  } | null;
}

/**
 * A signatory as recorded: who, in what capacity, on what full powers. Records made before the
 * capacity and full powers were kept hold `title` instead (read them with `signatoryOf`).
 */
export interface SignatoryRecord {
  name: string;
  capacity?: string;
  fullPowers?: FullPowers | null;
  /** The capacity, in records made before it was called so. */
  title?: string;
}

/** A signatory as a reader sees it, whatever the age of the record: null where it was not recorded. */
export function signatoryOf(record: SignatoryRecord): {
  name: string;
  capacity: string | null;
  fullPowers: FullPowers | null;
} {
  return {
    name: record.name,
    capacity: record.capacity ?? record.title ?? null,
    fullPowers: record.fullPowers ?? null,
  };
}

export interface Signing {
  draftVersion: number;
  date: string;
  place: string;
  signatories: { forSco: SignatoryRecord; forPartner: SignatoryRecord };
  recordedBy: string;
  at: string;
}

export interface MemorandumAmendmentContext {
  partner: string;
  memorandumId: string;
  /** The first basis (the silence procedure is open to a protocol that has one). */
  basis: AmendmentBasis | null;
  /**
   * Every basis in order: the one given at the start and each one a later adoption added
   * (ADD_BASIS). Absent in snapshots written before bases could be added.
   */
  bases?: RecordedBasis[];
  opened: { by: string; at: string };
  gapAnalysis: { findings: string; provisions: string[]; amendmentNeeded: boolean; by: string; at: string } | null;
  draftVersion: number | null;
  drafter: string | null;
  reviews: Review[];
  rounds: ConsensusRound[];
  exchanges: PartnerExchange[];
  /** Every time the draft went back to drafting, and why. */
  returns: ({
    from: 'legal_review' | 'consensus' | 'partner';
    draftVersion: number;
    reason: string;
    at: string;
  } & Partial<Pick<ObjectionReturn, 'objections' | 'reservations'>>)[];
  signing: Signing | null;
  notification: { date: string; reference: string | null; recordedBy: string; at: string } | null;
  entryIntoForce: { mode: EntryIntoForceMode; date: string; recordedBy: string; at: string } | null;
  withdrawal: Withdrawal | null;
}

const officer = ['legal_officer'] as const;

export const memorandumAmendmentEvents = {
  COMPLETE_GAP_ANALYSIS: {
    description: 'Record the gap analysis and the provisions to amend, and start drafting',
    roles: officer,
    payload: gapAnalysisPayload,
  },
  CLOSE_NO_AMENDMENT: {
    description: 'Close the procedure: the gap analysis found nothing to amend',
    roles: ['legal_officer', 'manager'],
    payload: noAmendmentPayload,
  },
  SUBMIT_FOR_REVIEW: {
    description: 'Send a version of the draft protocol to internal legal review',
    roles: officer,
    payload: draftVersionPayload,
  },
  APPROVE_REVIEW: {
    description:
      'Approve the draft protocol in legal review (not by an officer who wrote or edited it) and circulate it to the member states (under the silence procedure where the rules apply it)',
    roles: officer,
    payload: approveAndCirculatePayload,
    readsDraft: true,
  },
  RETURN_TO_DRAFTING: {
    description: 'Return the draft protocol from legal review with a reason',
    roles: officer,
    payload: reasonPayload,
    readsDraft: true,
  },
  POSITION: {
    description: "Record your member state's position on the draft protocol version",
    roles: ['approver'],
    payload: positionPayload,
  },
  SEND_TO_PARTNER: {
    description: 'Send the version agreed by the member states to the partner',
    roles: officer,
    payload: sendToPartnerPayload,
  },
  PARTNER_ACCEPTED: {
    description: "Record the partner's acceptance of the version it was sent",
    roles: officer,
    payload: partnerAcceptedPayload,
  },
  PARTNER_COUNTER_PROPOSAL: {
    description: "Record the partner's counter-proposal; the draft returns to drafting",
    roles: officer,
    payload: counterProposalPayload,
  },
  SIGNED: {
    description:
      'Record the signing: version, date, place, and for each side who signed, in what capacity and on what full powers',
    roles: officer,
    payload: signedPayload,
  },
  NOTIFICATION_RECEIVED: {
    description: "Record the partner's notification that its internal procedures are completed",
    roles: officer,
    payload: notificationPayload,
  },
  ENTERED_INTO_FORCE: {
    description: 'Record the entry into force: on signature or after the partner’s notification, with the date',
    roles: officer,
    payload: entryIntoForcePayload,
  },
  ADD_BASIS: {
    description:
      'A further adopted Regulation or model Memorandum affects this memorandum: its basis is added to this open procedure (delivered by the cascade)',
    roles: ['system'],
    payload: addBasisPayload,
  },
  ...procedureEvents,
} as const satisfies EventCatalogue;

/** The events the machine receives, derived from its payload catalogue. */
export type MemorandumAmendmentEvent = EventsOf<typeof memorandumAmendmentEvents>;

type Args = StageArgs<MemorandumAmendmentContext, MemorandumAmendmentEvent>;

export interface MemorandumAmendmentInput {
  partner: string;
  memorandumId: string;
  basis?: AmendmentBasis | null;
  startedBy: string;
  startedAt: string;
}

export { latestDateAt };

/**
 * The signing date against the procedure's own dates: not before the adoption of the Regulation or
 * model the protocol implements, nor before the member states agreed the text.
 */
function refuseSigningDate(context: MemorandumAmendmentContext, date: string): string | null {
  if (context.basis && date < context.basis.date)
    return `The signing date ${date} is before the adoption of the ${context.basis.document === 'regulation' ? 'Regulation' : 'model Memorandum'} the protocol implements (decision ${context.basis.decisionNumber} of ${context.basis.date}).`;
  const agreed = lastConsensus(context.rounds)?.closedAt;
  if (agreed && date < earliestDateAt(agreed))
    return `The signing date ${date} is before the member states agreed the text (consensus reached ${agreed.slice(0, 10)}).`;
  return null;
}

/** Every basis of the procedure, in order (snapshots older than `bases` carry only `basis`). */
export function basesOf(c: MemorandumAmendmentContext): RecordedBasis[] {
  if (c.bases) return c.bases;
  return c.basis ? [{ ...c.basis, procedureId: null, addedAt: c.opened.at }] : [];
}

const sameBasis = (a: AmendmentBasis, b: AmendmentBasis) =>
  a.document === b.document && a.decisionNumber === b.decisionNumber && a.date === b.date;

const DOCUMENT_WORDS = { regulation: 'Regulation', model_memorandum: 'model Memorandum' } as const;

const lastExchange = (c: MemorandumAmendmentContext) => c.exchanges[c.exchanges.length - 1];

const RETURN_WORDS = {
  legal_review: 'returned by the legal review',
  consensus: 'objected to by a member state',
  partner: 'countered by the partner',
} as const;

const refusals = {
  withdrawable,
  draftReady,
  fourEyes,
  positionAllowed,
  earlyCloseAllowed,
  roundConsensus,
  roundObjected,
  gapDeadline: deadlineOf('gap_analysis'),
  reviewDeadline: deadlineOf('legal_review'),
  consensusDeadline: deadlineOf('consensus'),
  partnerDeadline: deadlineOf('with_partner'),
  entryDeadline: deadlineOf('entry_into_force'),
  /** After a return, only a newer version may go forward; the first version may be any saved one. */
  revisedDraft: revisedDraftOf(RETURN_WORDS, 'submit'),
  /** Four-eyes. */
  approvable: ({ context, event }: Args) => fourEyes({ context, event }),
  /** ADD_BASIS: a basis is recorded once. */
  basisNew: ({ context, event }: Args) => {
    const added = isEventOf(event, ['ADD_BASIS']) ? event.payload : undefined;
    if (!added) return `ADD_BASIS expected, not ${event.type}.`;
    const known = basesOf(context).find((b) => sameBasis(b, added));
    return known
      ? `The ${DOCUMENT_WORDS[added.document]} adopted by decision ${added.decisionNumber} of ${added.date} is already a basis of this procedure.`
      : null;
  },
  agreedVersion: ({ context, event }: Args) => {
    const r = lastRound(context.rounds);
    if (!r || r.outcome !== 'consensus') return 'The member states have not agreed a version yet.';
    const v = isEventOf(event, ['SEND_TO_PARTNER']) ? event.payload.draftVersion : undefined;
    if (v !== r.draftVersion)
      return `Only version ${r.draftVersion}, agreed by the member states, can be sent to the partner (not version ${String(v)}).`;
    return null;
  },
  sentVersion: ({ context, event }: Args) => {
    const x = lastExchange(context);
    if (!x || x.answer) return 'No text is awaiting the partner’s answer.';
    const v = isEventOf(event, ['PARTNER_ACCEPTED', 'PARTNER_COUNTER_PROPOSAL'])
      ? event.payload.draftVersion
      : undefined;
    if (v !== x.draftVersion)
      return `The partner was sent version ${x.draftVersion}; an answer on version ${String(v)} cannot be recorded.`;
    return null;
  },
  signable: ({ context, event }: Args) => {
    const x = lastExchange(context);
    const accepted = x?.answer?.kind === 'accepted' ? x.draftVersion : null;
    if (accepted === null) return 'The partner has not accepted a version.';
    const signed = isEventOf(event, ['SIGNED']) ? event.payload : undefined;
    if (signed?.draftVersion !== accepted)
      return `The partner accepted version ${accepted}; a signature of version ${String(signed?.draftVersion)} cannot be recorded.`;
    const today = latestDateAt(event.at);
    if (signed.date > today)
      return `The signing date ${signed.date} is in the future (today is ${today} at the latest).`;
    return refuseSigningDate(context, signed.date);
  },
  notificationRecordable: ({ context, event }: Args) => {
    if (context.notification)
      return `The partner's notification was already recorded (dated ${context.notification.date}).`;
    const date = isEventOf(event, ['NOTIFICATION_RECEIVED']) ? event.payload.date : undefined;
    if (date === undefined) return 'The notification must give its date.';
    if (context.signing && date < context.signing.date)
      return `The notification (${date}) cannot precede the signing of the protocol (${context.signing.date}).`;
    const today = latestDateAt(event.at);
    if (date > today) return `The notification date ${date} is in the future (today is ${today} at the latest).`;
    return null;
  },
  entryIntoForceConsistent: ({ context, event }: Args) => {
    const { mode, date } = (event.payload ?? {}) as { mode?: EntryIntoForceMode; date?: string };
    if (!context.signing || !date) return 'The protocol has not been signed.';
    const today = latestDateAt(event.at);
    if (date > today) return `Entry into force on ${date} has not happened yet (today is ${today} at the latest).`;
    if (mode === 'on_signature' && date !== context.signing.date)
      return `A protocol in force on signature enters into force on the signing date (${context.signing.date}), not on ${date}.`;
    if (mode === 'on_notification') {
      if (!context.notification)
        return "Record the partner's notification of completed internal procedures (NOTIFICATION_RECEIVED) first.";
      if (date < context.notification.date)
        return `Entry into force (${date}) cannot precede the partner's notification (${context.notification.date}).`;
    }
    return null;
  },
} as const;

const ID = 'memorandum-amendment';

const review = reviewStage<MemorandumAmendmentContext, 'reviewDeadline', MemorandumAmendmentEvent>({
  deadline: 'reviewDeadline',
  what: (c) => `Legal review of the draft protocol (version ${c.draftVersion}) with ${c.partner}`,
});

const consensus = consensusStage<MemorandumAmendmentContext, 'consensusDeadline', MemorandumAmendmentEvent>({
  stage: 'consensus',
  deadline: 'consensusDeadline',
  silence: {
    rule: 'A protocol implementing an adopted Regulation or model Memorandum (a basis is recorded) is agreed under the silence procedure; one started without a basis needs every state’s express position.',
    applies: (c) => c.basis !== null,
    subject: (c, silent) =>
      `Silence procedure on the draft protocol with ${c.partner} (version ${c.draftVersion}) ended; counted as agreeing by silence: ${silent.join(', ') || 'none'}`,
  },
  reminder: (c, days) =>
    `Your state's position on the draft protocol with ${c.partner} (version ${c.draftVersion}) is due in ${days} day(s)`,
  overdue: (c, pending) =>
    `Consensus on the draft protocol with ${c.partner} (version ${c.draftVersion}) is overdue; waiting for ${pending.join(', ')}`,
});

export const memorandumAmendmentMachine = setup({
  types: {
    context: {} as MemorandumAmendmentContext,
    events: {} as MemorandumAmendmentEvent,
    input: {} as MemorandumAmendmentInput,
    emitted: {} as WorkflowEffect,
  },
  guards: guardsFrom<MemorandumAmendmentContext, MemorandumAmendmentEvent, keyof typeof refusals>(refusals),
}).createMachine({
  id: ID,
  initial: 'gap_analysis',
  context: ({ input }) => ({
    partner: input.partner,
    memorandumId: input.memorandumId,
    basis: input.basis ?? null,
    bases: input.basis ? [{ ...input.basis, procedureId: null, addedAt: input.startedAt }] : [],
    opened: { by: input.startedBy, at: input.startedAt },
    gapAnalysis: null,
    draftVersion: null,
    drafter: null,
    reviews: [],
    rounds: [],
    exchanges: [],
    returns: [],
    signing: null,
    notification: null,
    entryIntoForce: null,
    withdrawal: null,
  }),
  on: {
    WITHDRAW: withdrawTransition<MemorandumAmendmentContext, MemorandumAmendmentEvent>(),
    // One open 1(e) per memorandum: a further adoption adds its basis here, in whatever stage.
    ADD_BASIS: {
      guard: 'basisNew',
      actions: [
        assign(({ context, event }) => {
          const { procedureId, ...basis } = event.payload;
          return {
            basis: context.basis ?? basis,
            bases: [...basesOf(context), { ...basis, procedureId, addedAt: event.at }],
          };
        }),
        emit(({ context, event }) =>
          notice(
            'info',
            { roles: ['legal_officer'] },
            `The ${DOCUMENT_WORDS[event.payload.document]} adopted by decision ${event.payload.decisionNumber} of ${event.payload.date} also affects the memorandum with ${context.partner}: it was added as a basis of the open amendment procedure; check the gap analysis and the draft protocol against it`,
            { partner: context.partner, memorandumId: context.memorandumId, procedureId: event.payload.procedureId },
          ),
        ),
      ],
    },
  },
  states: {
    gap_analysis: {
      meta: meta(
        {
          en: 'Gap analysis against the new Regulation / model Memorandum',
          ru: 'Анализ соответствия новому Положению / типовому меморандуму',
          zh: '对照新条例/备忘录范本进行差距分析',
        },
        'legal_officer',
        { days: 30, remindBefore: [7, 1], escalateTo: ['manager'] },
      ),
      on: {
        COMPLETE_GAP_ANALYSIS: {
          target: 'drafting',
          actions: assign(({ event }) => ({
            gapAnalysis: {
              findings: event.payload.findings,
              provisions: event.payload.provisions,
              amendmentNeeded: true,
              by: event.actor.id,
              at: event.at,
            },
          })),
        },
        CLOSE_NO_AMENDMENT: {
          target: 'no_amendment_needed',
          actions: assign(({ event }) => ({
            gapAnalysis: {
              findings: event.payload.findings,
              provisions: [],
              amendmentNeeded: false,
              by: event.actor.id,
              at: event.at,
            },
          })),
        },
        REMINDER: {
          guard: 'gapDeadline',
          actions: emit(({ context, event }) =>
            notice(
              'reminder',
              { roles: ['legal_officer'] },
              `Gap analysis of the memorandum with ${context.partner} is due in ${event.payload.daysBefore} day(s)`,
              { partner: context.partner },
            ),
          ),
        },
        DEADLINE_PASSED: {
          guard: 'gapDeadline',
          actions: emit(({ context }) =>
            notice(
              'escalation',
              { roles: ['manager'] },
              `Gap analysis of the memorandum with ${context.partner} is overdue`,
              { partner: context.partner },
            ),
          ),
        },
      },
    },
    drafting: {
      meta: meta(
        {
          en: 'Drafting the protocol of amendments',
          ru: 'Подготовка проекта протокола о внесении изменений',
          zh: '起草修改议定书',
        },
        'legal_officer',
      ),
      on: {
        SUBMIT_FOR_REVIEW: { guard: 'revisedDraft', target: 'legal_review', actions: review.submitted },
      },
    },
    legal_review: {
      meta: meta(
        { en: 'Internal legal review', ru: 'Внутренняя правовая экспертиза', zh: '内部法律审查' },
        'legal_officer',
        REVIEW_PERIOD,
      ),
      on: {
        APPROVE_REVIEW: { guard: 'approvable', target: 'consensus', actions: review.approved },
        RETURN_TO_DRAFTING: {
          guard: 'fourEyes',
          target: 'drafting',
          actions: assign(({ context, event }) => ({
            ...withReview(context, event, 'returned'),
            returns: [
              ...context.returns,
              {
                from: 'legal_review' as const,
                draftVersion: context.draftVersion as number,
                reason: event.payload.reason,
                at: event.at,
              },
            ],
          })),
        },
        ...review.deadlineEvents,
      },
    },
    consensus: {
      meta: meta(
        {
          en: 'Member-state consensus on the draft protocol',
          ru: 'Согласование проекта протокола государствами-членами (консенсус)',
          zh: '成员国协商一致审议议定书草案',
        },
        'approver',
        {
          days: 30,
          remindBefore: [7, 1],
          escalateTo: ['manager'],
        },
      ),
      entry: consensus.open,
      always: [
        {
          guard: 'roundObjected',
          target: 'drafting',
          actions: assign(({ context }) => ({
            returns: [...context.returns, { from: 'consensus' as const, ...objectionReturn(context) }],
          })),
        },
        { guard: 'roundConsensus', target: 'agreed' },
      ],
      on: consensus.on,
    },
    agreed: {
      meta: meta(
        {
          en: 'Agreed by the member states, to be sent to the partner',
          ru: 'Согласовано государствами-членами, подлежит направлению партнёру',
          zh: '成员国已协商一致，待送交对话伙伴',
        },
        'legal_officer',
      ),
      on: {
        SEND_TO_PARTNER: {
          guard: 'agreedVersion',
          target: 'with_partner',
          actions: assign(({ context, event }) => ({
            exchanges: [
              ...context.exchanges,
              {
                number: context.exchanges.length + 1,
                draftVersion: event.payload.draftVersion,
                sentBy: event.actor.id,
                sentAt: event.at,
                reference: event.payload.reference ?? null,
                answer: null,
              },
            ],
          })),
        },
      },
    },
    with_partner: {
      meta: meta(
        { en: 'Sent to the partner', ru: 'Направлено партнёру по диалогу', zh: '已送交对话伙伴' },
        'legal_officer',
        {
          days: 60,
          remindBefore: [14, 7],
          escalateTo: ['manager'],
        },
      ),
      on: {
        PARTNER_ACCEPTED: {
          guard: 'sentVersion',
          target: 'signing',
          actions: assign(({ context, event }) => ({
            exchanges: answer(context, {
              kind: 'accepted',
              text: null,
              reference: event.payload.reference ?? null,
              recordedBy: event.actor.id,
              at: event.at,
            }),
          })),
        },
        PARTNER_COUNTER_PROPOSAL: {
          guard: 'sentVersion',
          target: 'drafting',
          actions: assign(({ context, event }) => ({
            exchanges: answer(context, {
              kind: 'counter_proposal',
              text: event.payload.text,
              reference: null,
              recordedBy: event.actor.id,
              at: event.at,
            }),
            returns: [
              ...context.returns,
              {
                from: 'partner' as const,
                draftVersion: event.payload.draftVersion,
                reason: event.payload.text,
                at: event.at,
              },
            ],
          })),
        },
        REMINDER: {
          guard: 'partnerDeadline',
          actions: emit(({ context, event }) =>
            notice(
              'reminder',
              { roles: ['legal_officer'] },
              `${context.partner}'s answer on the draft protocol (version ${context.draftVersion}) is due in ${event.payload.daysBefore} day(s)`,
              {
                partner: context.partner,
              },
            ),
          ),
        },
        DEADLINE_PASSED: {
          guard: 'partnerDeadline',
          actions: emit(({ context }) =>
            notice(
              'escalation',
              { roles: ['manager'] },
              `${context.partner} has not answered on the draft protocol (version ${context.draftVersion}) within the period`,
              { partner: context.partner },
            ),
          ),
        },
      },
    },
    signing: {
      meta: meta({ en: 'Signing', ru: 'Подписание', zh: '签署' }, 'legal_officer'),
      on: {
        SIGNED: {
          guard: 'signable',
          target: 'entry_into_force',
          actions: assign(({ event }) => ({
            signing: {
              draftVersion: event.payload.draftVersion,
              date: event.payload.date,
              place: event.payload.place,
              signatories: {
                forSco: { ...event.payload.signatories.forSco },
                forPartner: { ...event.payload.signatories.forPartner },
              },
              recordedBy: event.actor.id,
              at: event.at,
            },
          })),
        },
      },
    },
    entry_into_force: {
      // entered on signature: the signature is announced
      meta: announced(
        meta({ en: 'Awaiting entry into force', ru: 'Ожидание вступления в силу', zh: '待生效' }, 'legal_officer', {
          days: 90,
          remindBefore: [14],
          escalateTo: ['manager'],
        }),
        EVERYONE_CONCERNED,
      ),
      on: {
        NOTIFICATION_RECEIVED: {
          guard: 'notificationRecordable',
          actions: assign(({ event }) => ({
            notification: {
              date: event.payload.date,
              reference: event.payload.reference ?? null,
              recordedBy: event.actor.id,
              at: event.at,
            },
          })),
        },
        ENTERED_INTO_FORCE: {
          guard: 'entryIntoForceConsistent',
          target: 'in_force',
          actions: assign(({ event }) => ({
            entryIntoForce: {
              mode: event.payload.mode,
              date: event.payload.date,
              recordedBy: event.actor.id,
              at: event.at,
            },
          })),
        },
        REMINDER: {
          guard: 'entryDeadline',
          actions: emit(({ context, event }) =>
            notice(
              'reminder',
              { roles: ['legal_officer'] },
              `Follow up the entry into force of the protocol with ${context.partner}: review due in ${event.payload.daysBefore} day(s)`,
              {
                partner: context.partner,
                notificationReceived: !!context.notification,
              },
            ),
          ),
        },
        DEADLINE_PASSED: {
          guard: 'entryDeadline',
          actions: emit(({ context }) =>
            notice(
              'escalation',
              { roles: ['manager'] },
              `The protocol with ${context.partner} signed on ${context.signing?.date} has not entered into force`,
              {
                partner: context.partner,
                notificationReceived: !!context.notification,
              },
            ),
          ),
        },
      },
    },
    in_force: {
      type: 'final',
      meta: announced(
        meta({ en: 'In force', ru: 'Вступил в силу', zh: '已生效' }, 'legal_officer'),
        EVERYONE_CONCERNED,
      ),
    },
    no_amendment_needed: {
      type: 'final',
      meta: meta(
        { en: 'Closed: no amendment needed', ru: 'Закрыто: внесение изменений не требуется', zh: '已结案：无需修改' },
        'legal_officer',
      ),
    },
    withdrawn: { type: 'final', meta: meta({ en: 'Withdrawn', ru: 'Отозвано', zh: '已撤回' }, 'legal_officer') },
  },
});

/** The partner has the agreed version (or answered on it). */
const sentToPartner: StagePrerequisite<MemorandumAmendmentContext> = (c) =>
  lastExchange(c)?.draftVersion === c.draftVersion
    ? null
    : `version ${c.draftVersion} has not been sent to the partner`;
const partnerAccepted: StagePrerequisite<MemorandumAmendmentContext> = (c) =>
  lastExchange(c)?.answer?.kind === 'accepted' ? null : 'the partner has not accepted a version';
const signed: StagePrerequisite<MemorandumAmendmentContext> = (c) =>
  c.signing ? null : 'the protocol has not been signed';

function answer(context: MemorandumAmendmentContext, a: NonNullable<PartnerExchange['answer']>): PartnerExchange[] {
  const x = lastExchange(context);
  return [...context.exchanges.slice(0, -1), { ...x, answer: a }];
}

/** The record with one part replaced; a correction is made only where the part is recorded. */
const withSigning = (c: MemorandumAmendmentContext, patch: Partial<Signing>): MemorandumAmendmentContext => ({
  ...c,
  signing: c.signing && { ...c.signing, ...patch },
});

/** The entry into force and the notification are checked again against the corrected record. */
function refuseForceDates(c: MemorandumAmendmentContext): string | null {
  const n = c.notification;
  const f = c.entryIntoForce;
  if (c.signing && n && n.date < c.signing.date)
    return `The notification (${n.date}) cannot precede the signing of the protocol (${c.signing.date}).`;
  if (f && c.signing && f.mode === 'on_signature' && f.date !== c.signing.date)
    return `A protocol in force on signature enters into force on the signing date (${c.signing.date}), not on ${f.date}.`;
  if (f && n && f.mode === 'on_notification' && f.date < n.date)
    return `Entry into force (${f.date}) cannot precede the partner's notification (${n.date}).`;
  return null;
}

/** The facts of the 1(e) record that may be corrected, under the rules of the events that recorded them. */
export const memorandumCorrections: CorrectableFields<MemorandumAmendmentContext> = {
  'basis.decisionNumber': {
    label: 'the number of the adopting decision the protocol implements',
    value: text(50),
    read: (c) => c.basis?.decisionNumber,
    write: (c, v) => ({ ...c, basis: c.basis && { ...c.basis, decisionNumber: String(v) } }),
  },
  'basis.date': {
    label: 'the date of the adopting decision the protocol implements',
    value: isoDate,
    read: (c) => c.basis?.date,
    write: (c, v) => ({ ...c, basis: c.basis && { ...c.basis, date: String(v) } }),
    refuse: (c, at) =>
      refuseFutureDate('The decision date', c.basis?.date ?? '', at) ??
      (c.signing ? refuseSigningDate(c, c.signing.date) : null),
  },
  'signing.date': {
    label: 'the signing date',
    value: calendarDate,
    read: (c) => c.signing?.date,
    // a protocol in force on signature entered into force on the (corrected) signing date
    write: (c, v) => ({
      ...withSigning(c, { date: String(v) }),
      entryIntoForce:
        c.entryIntoForce && c.entryIntoForce.mode === 'on_signature'
          ? { ...c.entryIntoForce, date: String(v) }
          : c.entryIntoForce,
    }),
    refuse: (c, at) =>
      refuseFutureDate('The signing date', c.signing?.date ?? '', at) ??
      refuseSigningDate(c, c.signing?.date ?? '') ??
      refuseForceDates(c),
  },
  'signing.place': {
    label: 'the place of signature',
    value: text(200),
    read: (c) => c.signing?.place,
    write: (c, v) => withSigning(c, { place: String(v) }),
  },
  'signing.signatories.forSco': {
    label: 'who signed for the SCO (name, capacity, full powers)',
    value: signatoryPayload,
    read: (c) => c.signing?.signatories.forSco,
    write: (c, v) =>
      withSigning(c, { signatories: { ...(c.signing as Signing).signatories, forSco: signatoryPayload.parse(v) } }),
  },
  'signing.signatories.forPartner': {
    label: 'who signed for the partner (name, capacity, full powers)',
    value: signatoryPayload,
    read: (c) => c.signing?.signatories.forPartner,
    write: (c, v) =>
      withSigning(c, { signatories: { ...(c.signing as Signing).signatories, forPartner: signatoryPayload.parse(v) } }),
  },
  'notification.date': {
    label: "the date of the partner's notification",
    value: calendarDate,
    read: (c) => c.notification?.date,
    write: (c, v) => ({ ...c, notification: c.notification && { ...c.notification, date: String(v) } }),
    refuse: (c, at) => refuseFutureDate('The notification date', c.notification?.date ?? '', at) ?? refuseForceDates(c),
  },
  'entryIntoForce.date': {
    label: 'the date of entry into force',
    value: calendarDate,
    read: (c) => c.entryIntoForce?.date,
    write: (c, v) => ({ ...c, entryIntoForce: c.entryIntoForce && { ...c.entryIntoForce, date: String(v) } }),
    refuse: (c, at) => refuseFutureDate('Entry into force', c.entryIntoForce?.date ?? '', at) ?? refuseForceDates(c),
  },
};

export const memorandumAmendment: WorkflowDefinition<
  MemorandumAmendmentContext,
  MemorandumAmendmentEvent,
  z.output<typeof memorandumAmendmentInput>,
  typeof memorandumAmendmentMachine
> = {
  id: ID,
  version: 1,
  measure: '1(e)',
  title: {
    en: 'Amending an existing memorandum on dialogue-partner status',
    ru: 'Изменения и дополнения в действующий меморандум о предоставлении статуса партнёра по диалогу ШОС',
    zh: '修改现行给予上合组织对话伙伴地位的备忘录',
  },
  description:
    'Gap analysis against the new Regulation or model Memorandum, draft protocol of amendments with four-eyes legal review, member-state consensus (under the silence procedure where a basis is recorded), the partner’s answer (acceptance or counter-proposal), signing, entry into force.',
  machine: memorandumAmendmentMachine,
  startRoles: officer,
  input: memorandumAmendmentInput,
  refusals,
  businessKeys: (input: { partner: string; memorandumId: string }) => ({
    partner: input.partner,
    memorandum: input.memorandumId,
    treaty: null,
    subject: `1e:${input.partner}`,
  }),
  stagePrerequisite: prerequisitesOf<MemorandumAmendmentContext>({
    legal_review: [versionSubmitted],
    consensus: [versionReviewed, versionNotObjected],
    agreed: [versionReviewed, consensusReached],
    with_partner: [versionReviewed, consensusReached, sentToPartner],
    signing: [versionReviewed, consensusReached, partnerAccepted],
    entry_into_force: [versionReviewed, consensusReached, partnerAccepted, signed],
  }),
  output: (context: MemorandumAmendmentContext, finalState: string) => ({
    finalState,
    partner: context.partner,
    memorandumId: context.memorandumId,
    bases: basesOf(context),
    signing: context.signing,
    entryIntoForce: context.entryIntoForce,
  }),
  events: memorandumAmendmentEvents,
  corrections: memorandumCorrections,
};
