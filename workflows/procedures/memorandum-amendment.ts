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
 *   implements; the reviewing officer must not be the drafter of the version and may return it.
 * - `consensus`: approving the review circulates the version to the member states for a consensus
 *   round (30 days, reminders 7 and 1 to the states that have not answered). One objection returns
 *   the draft to drafting with its reason; reservations are kept in the rounds. The silence
 *   procedure is an option chosen when circulating and recorded in the round: it is allowed only
 *   when the protocol implements an adopted Regulation or model (a `basis` is recorded), because
 *   the member states have then already agreed the substance by consensus in 1(c)/1(d); a protocol
 *   started by hand without a basis needs every state's express position. Under silence, states that
 *   have not answered by the deadline are recorded as `silence`; without it, the managers are told
 *   who is holding the round up and the round stays open.
 * - `agreed`: consensus reached; the legal officer sends exactly the agreed version to the partner
 *   (note verbale reference recorded), which starts the partner's period. This stage exists so the
 *   partner's period runs from the actual transmission, not from the last member state's answer.
 * - `with_partner`: 60 days, reminders 14 and 7 to the legal officers who chase the partner; the
 *   officer records PARTNER_ACCEPTED or PARTNER_COUNTER_PROPOSAL {text} (back to drafting: the
 *   changed text needs a new review and new member-state positions). Both name the version sent.
 * - `signing`: SIGNED records the signed version (the accepted one), date, place, the
 *   Secretary-General signing for the SCO and the partner's signatory with title. Dates of facts
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
 * - Output to the parent: final state, partner, memorandum, signing and entry-into-force data.
 */
import { assign, emit, setup } from 'xstate';
import type { z } from 'zod';
import { lastRound, type ConsensusRound } from '../kernel/consensus';
import {
  consensusStage,
  objectionReturn,
  silenceDueOf,
  withdrawTransition,
  type Withdrawal,
} from '../kernel/consensus-stage';
import { guardsFrom, type EventCatalogue, type EventsOf, type WorkflowDefinition } from '../kernel/definition';
import { reviewStage, withReview, type Review, REVIEW_PERIOD } from '../kernel/review';
import {
  deadlineOf,
  draftReady,
  fourEyes,
  positionAllowed,
  revisedDraftOf,
  roundConsensus,
  roundObjected,
} from '../kernel/rules';
import { announced, EVERYONE_CONCERNED, isEventOf, meta, notice, type StageArgs } from '../kernel/stage';
import type { WorkflowEffect } from '../kernel/types';
import {
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
  type EntryIntoForceMode,
} from './partner-payloads';
import { draftVersionPayload, positionPayload, procedureEvents, reasonPayload } from './payloads';

export interface AmendmentBasis {
  document: 'regulation' | 'model_memorandum';
  decisionNumber: string;
  date: string;
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

export interface Signing {
  draftVersion: number;
  date: string;
  place: string;
  signatories: { forSco: { name: string; title: string }; forPartner: { name: string; title: string } };
  recordedBy: string;
  at: string;
}

export interface MemorandumAmendmentContext {
  partner: string;
  memorandumId: string;
  basis: AmendmentBasis | null;
  opened: { by: string; at: string };
  gapAnalysis: { findings: string; provisions: string[]; amendmentNeeded: boolean; by: string; at: string } | null;
  draftVersion: number | null;
  drafter: string | null;
  reviews: Review[];
  rounds: ConsensusRound[];
  exchanges: PartnerExchange[];
  /** Every time the draft went back to drafting, and why. */
  returns: { from: 'legal_review' | 'consensus' | 'partner'; draftVersion: number; reason: string; at: string }[];
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
      'Approve the draft protocol in legal review (not by its drafter) and circulate it to the member states, optionally under the silence procedure',
    roles: officer,
    payload: approveAndCirculatePayload,
  },
  RETURN_TO_DRAFTING: {
    description: 'Return the draft protocol from legal review with a reason',
    roles: officer,
    payload: reasonPayload,
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
    description: 'Record the signing: version, date, place, the Secretary-General and the partner’s signatory',
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

/** The latest calendar date anywhere on Earth (UTC+14) at the event's time: a fact dated later has not happened yet. */
export function latestDateAt(at: string): string {
  return new Date(Date.parse(at) + 14 * 3600 * 1000).toISOString().slice(0, 10);
}

const lastExchange = (c: MemorandumAmendmentContext) => c.exchanges[c.exchanges.length - 1];

const RETURN_WORDS = {
  legal_review: 'returned by the legal review',
  consensus: 'objected to by a member state',
  partner: 'countered by the partner',
} as const;

const refusals = {
  draftReady,
  fourEyes,
  positionAllowed,
  roundConsensus,
  roundObjected,
  gapDeadline: deadlineOf('gap_analysis'),
  reviewDeadline: deadlineOf('legal_review'),
  consensusDeadline: deadlineOf('consensus'),
  partnerDeadline: deadlineOf('with_partner'),
  entryDeadline: deadlineOf('entry_into_force'),
  /** After a return, only a newer version may go forward; the first version may be any saved one. */
  revisedDraft: revisedDraftOf(RETURN_WORDS, 'submit'),
  /** Four-eyes, and the silence procedure only where the member states already agreed the substance. */
  approvable: ({ context, event }: Args) => {
    const fe = fourEyes({ context, event });
    if (fe) return fe;
    const silence = isEventOf(event, ['APPROVE_REVIEW']) ? event.payload.silenceProcedure : undefined;
    if (silence === true && !context.basis)
      return 'The silence procedure is available only for a protocol implementing an adopted Regulation or model Memorandum; this procedure has no such basis, so every member state must give its position.';
    return null;
  },
  /** DEADLINE_PASSED of the consensus stage when its round uses the silence procedure. */
  silenceDue: silenceDueOf('consensus'),
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
    return null;
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

const consensus = consensusStage<
  MemorandumAmendmentContext,
  'consensusDeadline',
  'silenceDue',
  MemorandumAmendmentEvent
>({
  stage: 'consensus',
  deadline: 'consensusDeadline',
  silence: {
    guard: 'silenceDue',
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
  on: { WITHDRAW: withdrawTransition<MemorandumAmendmentContext, MemorandumAmendmentEvent>() },
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
                forSco: { name: event.payload.signatories.forSco.name, title: 'Secretary-General of the SCO' },
                forPartner: {
                  name: event.payload.signatories.forPartner.name,
                  title: event.payload.signatories.forPartner.title,
                },
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

function answer(context: MemorandumAmendmentContext, a: NonNullable<PartnerExchange['answer']>): PartnerExchange[] {
  const x = lastExchange(context);
  return [...context.exchanges.slice(0, -1), { ...x, answer: a }];
}

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
    'Gap analysis against the new Regulation or model Memorandum, draft protocol of amendments with four-eyes legal review, member-state consensus (optionally under the silence procedure), the partner’s answer (acceptance or counter-proposal), signing, entry into force.',
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
  output: (context: MemorandumAmendmentContext, finalState: string) => ({
    finalState,
    partner: context.partner,
    memorandumId: context.memorandumId,
    signing: context.signing,
    entryIntoForce: context.entryIntoForce,
  }),
  events: memorandumAmendmentEvents,
};
