/**
 * 1(f): a separate plan of interaction with one dialogue partner, its activities drawn from
 * directions 2-4 of the roadmap (political dialogue; security, economic and humanitarian
 * cooperation; briefings by the Secretariat and the RATS Executive Committee).
 *
 * Stages (domain.md), with these refinements:
 * - `drafting`: a plan version is the document version (`draftVersion`) with its list of activities
 *   {id, direction 2|3|4, title, due?}; every version's list is kept in `plans`. After a return
 *   (from the consultation or an objection) only a newer version may go forward. The plan is a
 *   working document that creates no legal obligations, so it has no review stage; but the version
 *   that goes to the coordinators (the member states) was confirmed by a second officer
 *   (CONFIRM_CHANGES during the consultation: a light review, recorded in `reviews`, by an officer
 *   who wrote or edited none of the versions since the last confirmed one).
 * - `partner_consultation`: the version is sent to the partner (30 days, reminders 7 and 1 to the
 *   legal officers, escalation to the managers). The officer records the partner's answers as they
 *   come (PARTNER_COMMENTS, PARTNER_AGREED; several notes may arrive, all kept) and either returns
 *   the draft to drafting with a reason or, once the partner's latest answer on the version is its
 *   agreement, submits it to the coordinators — the coordinators decide on a text the partner has
 *   accepted.
 * - `coordinators_consensus`: a consensus round of the national coordinators (30 days, reminders
 *   7 and 1 to the states that have not answered). The rounds of this stage use the silence
 *   procedure (a rule of this definition, recorded in each round): an operational plan is what the
 *   coordinators commonly agree that way. At the deadline, states still silent are recorded as
 *   `silence`, except a state that objected to the previous version, which must answer; otherwise
 *   the managers are told who is holding the round up. Any objection returns the plan to drafting
 *   with every objection and reservation listed.
 * - `approved` → `in_implementation` on START_IMPLEMENTATION.
 * - `in_implementation`: periodic progress reviews. The state carries a 90-day deadline (reminders
 *   14 and 1 days before to the legal officers, escalation to the managers). PROGRESS_REVIEW (a
 *   status for every activity of the approved plan) is a self-transition with `reenter: true`: XState
 *   v5 then exits and re-enters the state, running its exit and entry actions, so the state's
 *   deadline ends and a new one starts. Without `reenter` a self-transition neither exits nor
 *   re-enters (the v5 default) and the period would not restart. The state value is the same before
 *   and after, so the re-entry shows in the transition taken (its `reenter` flag), not in a diff of
 *   state paths; the entry action also numbers the period in `context.period`, so each restart is
 *   visible in the snapshot. A missed review only escalates: the period restarts when the review is
 *   finally recorded.
 * - `completed` (COMPLETE with a closing summary; allowed once the latest review leaves no activity
 *   not started or in progress — postponed and cancelled ones close with the plan); `withdrawn`
 *   (from any open stage, with a reason; an open round is marked superseded).
 */
import { assign, emit, setup } from 'xstate';
import { z } from 'zod';
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
  deadlineOf,
  earlyCloseAllowed,
  draftReady,
  positionAllowed,
  revisedDraftOf,
  roundConsensus,
  roundObjected,
} from '../kernel/rules';
import {
  consensusReached,
  prerequisitesOf,
  versionNotObjected,
  versionReviewed,
  type StagePrerequisite,
} from '../kernel/migration';
import { withChangesConfirmed, type Review } from '../kernel/review';
import { changesConfirmable, reviewedDraft } from '../kernel/rules';
import { isEventOf, lastOf, meta, notice, type StageArgs } from '../kernel/stage';
import type { WorkflowEffect } from '../kernel/types';
import {
  CLOSED_STATUSES,
  completePayload,
  interactionPlanInput,
  partnerAgreedPayload,
  partnerCommentsPayload,
  planDraftPayload,
  progressReviewPayload,
  submitToCoordinatorsPayload,
  type Activity,
  type ActivityStatus,
} from './partner-payloads';
import { draftVersionPayload, positionPayload, procedureEvents, reasonPayload } from './payloads';

export interface PlanVersion {
  draftVersion: number;
  activities: Activity[];
  by: string;
  at: string;
}

export interface Consultation {
  number: number;
  draftVersion: number;
  sentBy: string;
  sentAt: string;
  /** The partner's answers in the order received; the latest one counts. */
  answers: { kind: 'agreed' | 'comments'; text: string | null; recordedBy: string; at: string }[];
}

export interface ProgressReview {
  number: number;
  /** The implementation period the review closes. */
  period: number;
  statuses: Record<string, { status: ActivityStatus; note: string | null }>;
  summary: string | null;
  by: string;
  at: string;
}

export interface InteractionPlanContext {
  partner: string;
  title: string | null;
  opened: { by: string; at: string };
  draftVersion: number | null;
  /** Second officers' confirmations of the versions put to the coordinators. */
  reviews: Review[];
  plans: PlanVersion[];
  consultations: Consultation[];
  rounds: ConsensusRound[];
  returns: ({ from: 'consultation' | 'consensus'; draftVersion: number; reason: string; at: string } & Partial<
    Pick<ObjectionReturn, 'objections' | 'reservations'>
  >)[];
  approval: { draftVersion: number; at: string } | null;
  /** The current implementation period: numbered from 1, restarted by each progress review. */
  period: { number: number; startedAt: string } | null;
  progressReviews: ProgressReview[];
  completion: { summary: string; by: string; at: string } | null;
  withdrawal: Withdrawal | null;
}

const officer = ['legal_officer'] as const;

export const interactionPlanEvents = {
  SEND_TO_PARTNER: {
    description: 'Send a plan version (with its activities) to the partner for consultation',
    roles: officer,
    payload: planDraftPayload,
  },
  PARTNER_AGREED: {
    description: "Record the partner's agreement to the version it was consulted on",
    roles: officer,
    payload: partnerAgreedPayload,
  },
  PARTNER_COMMENTS: {
    description: "Record the partner's comments on the version it was consulted on",
    roles: officer,
    payload: partnerCommentsPayload,
  },
  RETURN_TO_DRAFTING: {
    description: 'Return the plan to drafting with a reason (e.g. to take up the partner’s comments)',
    roles: officer,
    payload: reasonPayload,
  },
  CONFIRM_CHANGES: {
    description:
      'Confirm, as a second officer who wrote none of it, the plan version consulted with the partner (a light review, recorded) so it can go to the coordinators',
    roles: officer,
    payload: draftVersionPayload,
  },
  SUBMIT_TO_COORDINATORS: {
    description:
      'Submit the version the partner agreed, confirmed by a second officer, to the national coordinators (their round uses the silence procedure)',
    roles: officer,
    payload: submitToCoordinatorsPayload,
  },
  POSITION: {
    description: "Record your member state's position on the plan version",
    roles: ['approver'],
    payload: positionPayload,
  },
  START_IMPLEMENTATION: {
    description: 'Start implementing the approved plan',
    roles: officer,
    payload: z.object({}).strict(),
  },
  PROGRESS_REVIEW: {
    description: 'Record a periodic progress review with the status of every activity',
    roles: officer,
    payload: progressReviewPayload,
  },
  COMPLETE: {
    description: 'Complete the plan with a closing summary',
    roles: ['legal_officer', 'manager'],
    payload: completePayload,
  },
  ...procedureEvents,
} as const satisfies EventCatalogue;

/** The events the machine receives, derived from its payload catalogue. */
export type InteractionPlanEvent = EventsOf<typeof interactionPlanEvents>;

type Args = StageArgs<InteractionPlanContext, InteractionPlanEvent>;

export interface InteractionPlanInput {
  partner: string;
  title?: string;
  startedBy: string;
  startedAt: string;
}

const currentPlan = (c: InteractionPlanContext) => lastOf(c.plans);
const partnerAnswer = (c: InteractionPlanContext) => {
  const x = lastOf(c.consultations);
  return x ? lastOf(x.answers) : undefined;
};
/** Activities the latest progress review leaves open (not started or in progress), or all of them before any review. */
const openActivities = (c: InteractionPlanContext): string[] => {
  const activities = currentPlan(c)?.activities ?? [];
  const review = lastOf(c.progressReviews);
  return activities.filter((a) => !review || !CLOSED_STATUSES.includes(review.statuses[a.id]?.status)).map((a) => a.id);
};

const RETURN_WORDS = {
  consultation: 'returned after the consultation with the partner',
  consensus: 'objected to by a member state',
} as const;

const refusals = {
  withdrawable,
  draftReady,
  positionAllowed,
  earlyCloseAllowed,
  roundConsensus,
  roundObjected,
  consultationDeadline: deadlineOf('partner_consultation'),
  consensusDeadline: deadlineOf('coordinators_consensus'),
  reviewDeadline: deadlineOf('in_implementation'),
  /** After a return, only a newer version may go forward. */
  revisedDraft: revisedDraftOf(RETURN_WORDS, 'send'),
  consultedVersion: ({ context, event }: Args) => {
    const x = lastOf(context.consultations);
    if (!x) return 'The partner has not been consulted.';
    const v = isEventOf(event, ['PARTNER_AGREED', 'PARTNER_COMMENTS']) ? event.payload.draftVersion : undefined;
    if (v !== x.draftVersion)
      return `The partner was consulted on version ${x.draftVersion}; an answer on version ${String(v)} cannot be recorded.`;
    return null;
  },
  /** A second officer confirms the version consulted with the partner. */
  planConfirmable: ({ context, event }: Args) => {
    const v = isEventOf(event, ['CONFIRM_CHANGES']) ? event.payload.draftVersion : undefined;
    if (v !== context.draftVersion)
      return `Version ${context.draftVersion} is the one consulted with the partner; version ${String(v)} cannot be confirmed here.`;
    return changesConfirmable({ context: { drafter: null, reviews: context.reviews }, event });
  },
  /** The coordinators decide on a text the partner has agreed to and a second officer confirmed. */
  partnerAgreed: ({ context, event }: Args) => {
    const x = lastOf(context.consultations);
    if (!x) return 'The partner has not been consulted.';
    const v = isEventOf(event, ['SUBMIT_TO_COORDINATORS']) ? event.payload.draftVersion : undefined;
    if (v !== x.draftVersion)
      return `Version ${x.draftVersion} is the one consulted with the partner; version ${String(v)} cannot be submitted.`;
    const a = lastOf(x.answers);
    if (!a)
      return `${context.partner} has not answered on version ${x.draftVersion}: record its agreement (PARTNER_AGREED) or return the draft to drafting.`;
    if (a.kind !== 'agreed')
      return `${context.partner}'s latest answer on version ${x.draftVersion} is comments ("${a.text}"): return the draft to drafting, or record the partner's agreement.`;
    return reviewedDraft({ context, event });
  },
  /** A progress review gives one status for every activity of the approved plan, and for nothing else. */
  reviewCoversPlan: ({ context, event }: Args) => {
    const ids = (currentPlan(context)?.activities ?? []).map((a) => a.id);
    const given = (isEventOf(event, ['PROGRESS_REVIEW']) ? event.payload.statuses : []).map((s) => s.activityId);
    const unknown = given.filter((id) => !ids.includes(id));
    if (unknown.length) return `Not activities of the approved plan: ${unknown.join(', ')}.`;
    const missing = ids.filter((id) => !given.includes(id));
    if (missing.length) return `The review must give the status of every activity; missing: ${missing.join(', ')}.`;
    return null;
  },
  completable: ({ context }: Args) => {
    if (!context.progressReviews.length) return 'Record at least one progress review before completing the plan.';
    const open = openActivities(context);
    if (open.length)
      return `Activities still open in the latest progress review: ${open.join(', ')}. Record a review that closes them (done, postponed or cancelled) first.`;
    return null;
  },
} as const;

const ID = 'interaction-plan';

const consensus = consensusStage<InteractionPlanContext, 'consensusDeadline', InteractionPlanEvent>({
  stage: 'coordinators_consensus',
  deadline: 'consensusDeadline',
  silence: {
    rule: 'The coordinators agree an interaction plan under the silence procedure.',
    applies: () => true,
    subject: (c, silent) =>
      `Silence procedure on the interaction plan with ${c.partner} (version ${c.draftVersion}) ended; counted as agreeing by silence: ${silent.join(', ') || 'none'}`,
  },
  reminder: (c, days) =>
    `Your state's position on the interaction plan with ${c.partner} (version ${c.draftVersion}) is due in ${days} day(s)`,
  overdue: (c, pending) =>
    `Consensus on the interaction plan with ${c.partner} (version ${c.draftVersion}) is overdue; waiting for ${pending.join(', ')}`,
});

export const interactionPlanMachine = setup({
  types: {
    context: {} as InteractionPlanContext,
    events: {} as InteractionPlanEvent,
    input: {} as InteractionPlanInput,
    emitted: {} as WorkflowEffect,
  },
  guards: guardsFrom<InteractionPlanContext, InteractionPlanEvent, keyof typeof refusals>(refusals),
}).createMachine({
  id: ID,
  initial: 'drafting',
  context: ({ input }) => ({
    partner: input.partner,
    title: input.title ?? null,
    opened: { by: input.startedBy, at: input.startedAt },
    draftVersion: null,
    reviews: [],
    plans: [],
    consultations: [],
    rounds: [],
    returns: [],
    approval: null,
    period: null,
    progressReviews: [],
    completion: null,
    withdrawal: null,
  }),
  on: { WITHDRAW: withdrawTransition<InteractionPlanContext, InteractionPlanEvent>() },
  states: {
    drafting: {
      meta: meta({ en: 'Drafting the plan', ru: 'Подготовка проекта плана', zh: '起草计划' }, 'legal_officer'),
      on: {
        SEND_TO_PARTNER: {
          guard: 'revisedDraft',
          target: 'partner_consultation',
          actions: assign(({ context, event }) => ({
            draftVersion: event.payload.draftVersion,
            plans: [
              ...context.plans,
              {
                draftVersion: event.payload.draftVersion,
                activities: event.payload.activities,
                by: event.actor.id,
                at: event.at,
              },
            ],
            consultations: [
              ...context.consultations,
              {
                number: context.consultations.length + 1,
                draftVersion: event.payload.draftVersion,
                sentBy: event.actor.id,
                sentAt: event.at,
                answers: [],
              },
            ],
          })),
        },
      },
    },
    partner_consultation: {
      meta: meta(
        { en: 'Consultation with the partner', ru: 'Консультации с партнёром по диалогу', zh: '与对话伙伴磋商' },
        'legal_officer',
        {
          days: 30,
          remindBefore: [7, 1],
          escalateTo: ['manager'],
        },
      ),
      on: {
        PARTNER_AGREED: {
          guard: 'consultedVersion',
          actions: assign(({ context, event }) => ({
            consultations: withAnswer(context, {
              kind: 'agreed',
              text: event.payload.remarks ?? null,
              recordedBy: event.actor.id,
              at: event.at,
            }),
          })),
        },
        PARTNER_COMMENTS: {
          guard: 'consultedVersion',
          actions: assign(({ context, event }) => ({
            consultations: withAnswer(context, {
              kind: 'comments',
              text: event.payload.comments,
              recordedBy: event.actor.id,
              at: event.at,
            }),
          })),
        },
        RETURN_TO_DRAFTING: {
          target: 'drafting',
          actions: assign(({ context, event }) => ({
            returns: [
              ...context.returns,
              {
                from: 'consultation' as const,
                draftVersion: context.draftVersion as number,
                reason: event.payload.reason,
                at: event.at,
              },
            ],
          })),
        },
        CONFIRM_CHANGES: {
          guard: 'planConfirmable',
          actions: assign(({ context, event }) => withChangesConfirmed(context, event)),
        },
        SUBMIT_TO_COORDINATORS: { guard: 'partnerAgreed', target: 'coordinators_consensus' },
        REMINDER: {
          guard: 'consultationDeadline',
          actions: emit(({ context, event }) =>
            notice(
              'reminder',
              { roles: ['legal_officer'] },
              partnerAnswer(context)?.kind === 'agreed'
                ? `${context.partner} agreed to the interaction plan (version ${context.draftVersion}): submit it to the coordinators; the consultation ends in ${event.payload.daysBefore} day(s)`
                : `The consultation with ${context.partner} on the interaction plan (version ${context.draftVersion}) ends in ${event.payload.daysBefore} day(s)`,
              { partner: context.partner },
            ),
          ),
        },
        DEADLINE_PASSED: {
          guard: 'consultationDeadline',
          actions: emit(({ context }) =>
            notice(
              'escalation',
              { roles: ['manager'] },
              `The consultation with ${context.partner} on the interaction plan (version ${context.draftVersion}) is overdue`,
              {
                partner: context.partner,
                partnerAnswer: partnerAnswer(context)?.kind ?? null,
              },
            ),
          ),
        },
      },
    },
    coordinators_consensus: {
      meta: meta(
        {
          en: 'Consensus of the national coordinators',
          ru: 'Согласование национальными координаторами (консенсус)',
          zh: '国家协调员协商一致',
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
        {
          guard: 'roundConsensus',
          target: 'approved',
          actions: assign(({ context }) => {
            const r = lastRound(context.rounds) as ConsensusRound;
            return { approval: { draftVersion: r.draftVersion, at: r.closedAt as string } };
          }),
        },
      ],
      on: consensus.on,
    },
    approved: {
      meta: meta({ en: 'Approved', ru: 'Утверждён', zh: '已批准' }, 'legal_officer'),
      on: { START_IMPLEMENTATION: { target: 'in_implementation' } },
    },
    in_implementation: {
      meta: meta(
        {
          en: 'In implementation (periodic progress reviews)',
          ru: 'Реализация (периодический обзор хода выполнения)',
          zh: '执行中（定期进展审议）',
        },
        'legal_officer',
        {
          days: 90,
          remindBefore: [14, 1],
          escalateTo: ['manager'],
        },
      ),
      entry: assign(({ context, event }) => ({
        period: { number: (context.period?.number ?? 0) + 1, startedAt: event.at },
      })),
      on: {
        PROGRESS_REVIEW: {
          guard: 'reviewCoversPlan',
          target: 'in_implementation',
          reenter: true,
          actions: assign(({ context, event }) => {
            const statuses: ProgressReview['statuses'] = {};
            for (const s of event.payload.statuses as {
              activityId: string;
              status: ActivityStatus;
              note?: string | null;
            }[])
              statuses[s.activityId] = { status: s.status, note: s.note ?? null };
            const review: ProgressReview = {
              number: context.progressReviews.length + 1,
              period: context.period?.number ?? 1,
              statuses,
              summary: event.payload.summary ?? null,
              by: event.actor.id,
              at: event.at,
            };
            return { progressReviews: [...context.progressReviews, review] };
          }),
        },
        COMPLETE: {
          guard: 'completable',
          target: 'completed',
          actions: assign(({ event }) => ({
            completion: { summary: event.payload.summary, by: event.actor.id, at: event.at },
          })),
        },
        REMINDER: {
          guard: 'reviewDeadline',
          actions: emit(({ context, event }) =>
            notice(
              'reminder',
              { roles: ['legal_officer'] },
              `Progress review no. ${context.period?.number} of the interaction plan with ${context.partner} is due in ${event.payload.daysBefore} day(s)`,
              { partner: context.partner, period: context.period?.number ?? null, open: openActivities(context) },
            ),
          ),
        },
        DEADLINE_PASSED: {
          guard: 'reviewDeadline',
          actions: emit(({ context }) =>
            notice(
              'escalation',
              { roles: ['manager'] },
              `Progress review no. ${context.period?.number} of the interaction plan with ${context.partner} is overdue`,
              {
                partner: context.partner,
                period: context.period?.number ?? null,
                periodStartedAt: context.period?.startedAt ?? null,
              },
            ),
          ),
        },
      },
    },
    completed: { type: 'final', meta: meta({ en: 'Completed', ru: 'Выполнен', zh: '已完成' }, 'legal_officer') },
    withdrawn: { type: 'final', meta: meta({ en: 'Withdrawn', ru: 'Отозван', zh: '已撤回' }, 'legal_officer') },
  },
});

function withAnswer(context: InteractionPlanContext, a: Consultation['answers'][number]): Consultation[] {
  const x = lastOf(context.consultations) as Consultation;
  return [...context.consultations.slice(0, -1), { ...x, answers: [...x.answers, a] }];
}

/** The partner's latest answer on the current version is its agreement. */
const partnerAgreedOnCurrent: StagePrerequisite<InteractionPlanContext> = (c) => {
  const x = lastOf(c.consultations);
  return x && x.draftVersion === c.draftVersion && lastOf(x.answers)?.kind === 'agreed'
    ? null
    : `the partner has not agreed to version ${c.draftVersion}`;
};

export const interactionPlan: WorkflowDefinition<
  InteractionPlanContext,
  InteractionPlanEvent,
  z.output<typeof interactionPlanInput>,
  typeof interactionPlanMachine
> = {
  id: ID,
  version: 1,
  measure: '1(f)',
  title: {
    en: 'Interaction plan with a dialogue partner',
    ru: 'План взаимодействия с партнёром по диалогу ШОС',
    zh: '与上合组织对话伙伴的互动计划',
  },
  description:
    'Drafting the plan (activities from directions 2-4), consultation with the partner, consensus of the national coordinators (under the silence procedure), approval, implementation with periodic progress reviews, completion.',
  machine: interactionPlanMachine,
  startRoles: officer,
  input: interactionPlanInput,
  refusals,
  businessKeys: (input: { partner: string }) => ({
    partner: input.partner,
    memorandum: null,
    treaty: null,
    subject: `1f:${input.partner}`,
  }),
  stagePrerequisite: prerequisitesOf<InteractionPlanContext>({
    coordinators_consensus: [partnerAgreedOnCurrent, versionReviewed, versionNotObjected],
    approved: [consensusReached],
    in_implementation: [consensusReached],
  }),
  output: (context: InteractionPlanContext, finalState: string) => ({
    finalState,
    partner: context.partner,
    approval: context.approval,
    progressReviews: context.progressReviews.length,
    completion: context.completion,
  }),
  events: interactionPlanEvents,
};
