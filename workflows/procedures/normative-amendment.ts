/**
 * 1(c) and 1(d): amending a normative document of the Organisation — the Regulation on the status
 * of dialogue partner, or the model Memorandum granting that status.
 *
 * Stages (domain.md), with these refinements:
 * - `proposal`: the proposal is registered with who proposes it and why; drafting starts on a
 *   legal officer's decision, so a proposal can be withdrawn before any text exists.
 * - `drafting`: the version sent to review is a saved version of the procedure's draft document
 *   (no draft, no review: the text is what is reviewed and circulated).
 * - `legal_review`: four-eyes — the reviewing officer must not have written or edited any version
 *   since the last reviewed one (the draft's authorship, not who submitted it); the reviewer may
 *   return the draft with a reason.
 * - `circulation` collects each member state's comments (or "no comments") on one version within
 *   30 days, reminders 7 and 1 days before; when every state has answered, or the period ends, the
 *   draft goes to consolidation and the managers are told who did not answer. Every round is kept.
 * - `consolidation`: the officer either recirculates a new version (comments remain) or submits a
 *   version to the Council of National Coordinators. Every version sent on was approved by another
 *   officer: a consolidated version by a light review (CONFIRM_CHANGES, recorded in `reviews` with
 *   who and when). The version put to the coordinators is one the states saw in circulation, or is
 *   marked as the consolidation of their comments (`consolidation: true`).
 * - `cnc_approval`: consensus of the coordinators (no silence procedure: all must sign off). The
 *   round is full (kernel/consensus.ts): it settles when every state has answered or the deadline
 *   passes; any objection then returns the draft to consolidation with every objection and
 *   reservation; reservations are kept.
 * - `submitted_for_adoption` (body recorded once, with every reservation of the final round, state
 *   and text; a wrong body is corrected, never re-submitted) → `adopted` (decision number and
 *   date). The body must be one the reference data record as adopting this kind of document (the
 *   Council of National Coordinators adopts none); the decision date may be neither before the
 *   coordinators' consensus nor in the future. Adoption opens a 1(e) procedure for each existing
 *   memorandum it affects (all, unless the officer names them).
 * - Withdrawal with a reason from any open stage; while the member states are answering (circulation,
 *   the coordinators' round) only a manager may withdraw, and the states that owe an answer are told.
 * - Corrections of the adoption record (body, decision number, date): proposed by one officer,
 *   confirmed by another, checked by the same rules as the original.
 */
import { assign, emit, setup } from 'xstate';
import { z } from 'zod';
import {
  commentAllowedOf,
  allCommentsIn,
  closeComments,
  commentRoundStage,
  type CommentRound,
} from '../kernel/comment-round';
import {
  consensusStage,
  lastObjected,
  objectionsOf,
  withdrawTransition,
  withdrawable,
  type Withdrawal,
} from '../kernel/consensus-stage';
import { finalReservations, type ConsensusRound, type StatedView } from '../kernel/consensus';
import type { CorrectableFields } from '../kernel/corrections';
import { lastConsensus, refuseAdoptingBody, refuseDecisionDate } from '../kernel/records';
import { guardsFrom, type EventCatalogue, type EventsOf, type WorkflowDefinition } from '../kernel/definition';
import {
  commentsClosed,
  consensusReached,
  prerequisitesOf,
  versionNotObjected,
  versionReviewed,
  versionSubmitted,
} from '../kernel/migration';
import { reviewStage, withChangesConfirmed, type Review, REVIEW_PERIOD } from '../kernel/review';
import {
  changesConfirmable,
  circulatedOrConsolidated,
  deadlineOf,
  draftReady,
  fourEyes,
  newerDraft,
  earlyCloseAllowed,
  positionAllowed,
  roundConsensus,
  roundObjected,
} from '../kernel/rules';
import { announced, EVERYONE_CONCERNED, meta, type StageArgs } from '../kernel/stage';
import type { Labels, WorkflowEffect } from '../kernel/types';
import {
  adoptionPayload,
  approvalSubmissionPayload,
  bodyId,
  commentResponsePayload,
  draftVersionPayload,
  fromFindingInput,
  positionPayload,
  procedureEvents,
  reasonPayload,
  submitAdoptionPayload,
  text,
  isoDate,
} from './payloads';

export type { CommentResponse, CommentRound } from '../kernel/comment-round';

export type NormativeDocument = 'regulation' | 'model_memorandum';

/** The adoption record: the body the text was submitted to, then its decision (number and date). */
export interface Adoption {
  body: string;
  submittedAt: string;
  /** Who recorded the submission (absent in records made before it was kept). */
  submittedBy?: string;
  decisionNumber: string | null;
  date: string | null;
  /** Every reservation of the final round, with its state and text (Charter art. 16: such views are recorded); absent in records made before it was kept. */
  reservations?: StatedView[];
}

/** The document in a sentence. */
export const DOCUMENT_NAME: Readonly<Record<NormativeDocument, string>> = {
  regulation: 'the Regulation on the status of dialogue partner',
  model_memorandum: 'the model Memorandum',
};

export interface NormativeContext {
  document: NormativeDocument;
  proposal: { proposedBy: string; rationale: string; registeredBy: string; at: string };
  draftVersion: number | null;
  drafter: string | null;
  reviews: Review[];
  commentRounds: CommentRound[];
  rounds: ConsensusRound[];
  adoption: Adoption | null;
  affectedPartners: string[];
  withdrawal: Withdrawal | null;
}

const officer = ['legal_officer'] as const;

export const normativeEvents = {
  START_DRAFTING: {
    description: 'Begin drafting the amendment text',
    roles: officer,
    payload: z.object({}).strict(),
  },
  SUBMIT_FOR_REVIEW: {
    description: 'Send a draft version to internal legal review',
    roles: officer,
    payload: draftVersionPayload,
  },
  APPROVE_REVIEW: {
    description: 'Approve the draft in legal review (not by an officer who wrote or edited it) and circulate it',
    roles: officer,
    payload: z.object({}).strict(),
    readsDraft: true,
  },
  RETURN_TO_DRAFTING: {
    description: 'Return the draft from legal review with a reason',
    roles: officer,
    payload: reasonPayload,
    readsDraft: true,
  },
  RESPOND: {
    description: 'Answer a circulation for your member state, with comments or none',
    roles: ['approver'],
    payload: commentResponsePayload,
  },
  CONFIRM_CHANGES: {
    description:
      'Confirm the changes of a consolidated version as a second officer (a light review, recorded), so it can be sent to the member states',
    roles: officer,
    payload: draftVersionPayload,
  },
  RECIRCULATE: {
    description: 'Circulate a new consolidated version, reviewed by another officer, for another round of comments',
    roles: officer,
    payload: draftVersionPayload,
  },
  SUBMIT_TO_COORDINATORS: {
    description:
      'Submit a reviewed version to the Council of National Coordinators: one circulated to the member states, or one marked as the consolidation of their comments',
    roles: officer,
    payload: approvalSubmissionPayload,
  },
  POSITION: {
    description: "Record your member state's position on the draft version",
    roles: ['approver'],
    payload: positionPayload,
  },
  SUBMIT_FOR_ADOPTION: {
    description: 'Record the body the approved draft is submitted to',
    roles: officer,
    payload: submitAdoptionPayload,
  },
  RECORD_ADOPTION: {
    description: 'Record the adopting decision (number and date)',
    roles: officer,
    payload: adoptionPayload,
  },
  ...procedureEvents,
} as const satisfies EventCatalogue;

/** The events a normative amendment receives, derived from its payload catalogue. */
export type NormativeEvent = EventsOf<typeof normativeEvents>;

type Args = StageArgs<NormativeContext, NormativeEvent>;

const startInput = z.object({
  proposedBy: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .describe('Who proposes the amendment (a member state, body or the Secretariat)'),
  rationale: z.string().trim().min(1).max(5000).describe('Why the amendment is proposed'),
  fromFinding: fromFindingInput.optional(),
});

const refusals = {
  withdrawable,
  draftReady,
  newerDraft,
  fourEyes,
  changesConfirmable,
  positionAllowed,
  earlyCloseAllowed,
  roundConsensus,
  roundObjected,
  circulationDeadline: deadlineOf('circulation'),
  approvalDeadline: deadlineOf('cnc_approval'),
  reviewDeadline: deadlineOf('legal_review'),
  commentAllowed: commentAllowedOf({
    noneOpen: 'No circulation round is open.',
    notApprover: 'Only a member-state approver can answer a circulation.',
    round: 'this circulation',
    version: 'draft version',
  }),
  /** Submitted once, to a body the reference data record as adopting this kind of document. */
  adoptionSubmittable: ({ context, event }: Args) => {
    if (context.adoption)
      return `The draft was already submitted to ${context.adoption.body} on ${context.adoption.submittedAt.slice(0, 10)}; a wrongly recorded body is corrected (a correction reviewed by a second officer), not submitted again.`;
    if (event.type !== 'SUBMIT_FOR_ADOPTION') return null;
    return refuseAdoptingBody(
      event.world.bodies,
      event.payload.body,
      context.document,
      DOCUMENT_NAME[context.document],
    );
  },
  adoptionSubmitted: ({ context, event }: Args) => {
    if (!context.adoption) return 'Record the body the draft was submitted to (SUBMIT_FOR_ADOPTION) first.';
    if (event.type === 'RECORD_ADOPTION') {
      const late = refuseDecisionDate(event.payload.date, lastConsensus(context.rounds)?.closedAt ?? null, event.at);
      if (late) return late;
    }
    const named = event.type === 'RECORD_ADOPTION' ? (event.payload.affectedPartners ?? []) : [];
    const known = new Set(event.world.memoranda.map((m) => m.partner));
    const unknown = named.filter((p) => !known.has(p));
    if (unknown.length)
      return `No memorandum in force for ${unknown.join(', ')}: name partners that hold one (${[...known].join(', ')}), or none for all.`;
    return null;
  },
  /** A version objected to by the coordinators cannot go back to them unchanged. */
  submittable: ({ context, event }: Args) => {
    const objected = lastObjected(context.rounds);
    if (objected && event.type === 'SUBMIT_TO_COORDINATORS' && event.payload.draftVersion <= objected.draftVersion)
      return `Version ${objected.draftVersion} was objected to by ${objectionsOf(objected)}: submit a new version.`;
    return circulatedOrConsolidated({ context, event });
  },
  allCommentsIn,
} as const;

const review = reviewStage<NormativeContext, 'reviewDeadline', NormativeEvent>({
  deadline: 'reviewDeadline',
  what: (c) => `Legal review of draft version ${c.draftVersion}`,
});

const circulation = commentRoundStage<NormativeContext, 'circulationDeadline', 'consolidation', NormativeEvent>({
  deadline: 'circulationDeadline',
  next: 'consolidation',
  reminder: (c, days) => `Comments on draft version ${c.draftVersion} are due in ${days} day(s)`,
  closed: (c, unanswered) =>
    `Circulation of draft version ${c.draftVersion} closed without answers from ${unanswered.join(', ') || 'nobody'}`,
});

const approval = consensusStage<NormativeContext, 'approvalDeadline', NormativeEvent>({
  stage: 'cnc_approval',
  deadline: 'approvalDeadline',
  reminder: (c, days) => `Your state's position on draft version ${c.draftVersion} is due in ${days} day(s)`,
  overdue: (c, pending) => `Approval of draft version ${c.draftVersion} is overdue; waiting for ${pending.join(', ')}`,
});

/** The partners an adoption affects: those named, else every partner holding a memorandum. */
const affectedMemoranda = (event: Extract<NormativeEvent, { type: 'RECORD_ADOPTION' }>) => {
  const known = event.world.memoranda;
  const named = event.payload.affectedPartners;
  return named && named.length ? known.filter((m) => named.includes(m.partner)) : known;
};

/** What the machine is started with: the start input and who started it, when. */
type NormativeInput = z.output<typeof startInput> & { startedBy: string; startedAt: string };
type NormativeStart = z.output<typeof startInput>;
type NormativeMachine = ReturnType<typeof normativeAmendmentMachine>;

export function normativeAmendmentMachine(document: NormativeDocument, id: string) {
  return setup({
    types: {
      context: {} as NormativeContext,
      events: {} as NormativeEvent,
      input: {} as NormativeInput,
      emitted: {} as WorkflowEffect,
    },
    guards: guardsFrom<NormativeContext, NormativeEvent, keyof typeof refusals>(refusals),
  }).createMachine({
    id,
    initial: 'proposal',
    context: ({ input }) => ({
      document,
      proposal: {
        proposedBy: input.proposedBy,
        rationale: input.rationale,
        registeredBy: input.startedBy,
        at: input.startedAt,
      },
      draftVersion: null,
      drafter: null,
      reviews: [],
      commentRounds: [],
      rounds: [],
      adoption: null,
      affectedPartners: [],
      withdrawal: null,
    }),
    on: { WITHDRAW: withdrawTransition<NormativeContext, NormativeEvent>(closeComments) },
    states: {
      proposal: {
        meta: meta(
          { en: 'Proposal registered', ru: 'Предложение зарегистрировано', zh: '提案已登记' },
          'legal_officer',
        ),
        on: { START_DRAFTING: { target: 'drafting' } },
      },
      drafting: {
        meta: meta({ en: 'Drafting', ru: 'Подготовка проекта', zh: '起草' }, 'legal_officer'),
        on: { SUBMIT_FOR_REVIEW: { guard: 'draftReady', target: 'legal_review', actions: review.submitted } },
      },
      legal_review: {
        meta: meta(
          { en: 'Internal legal review', ru: 'Внутренняя правовая экспертиза', zh: '内部法律审查' },
          'legal_officer',
          REVIEW_PERIOD,
        ),
        on: {
          APPROVE_REVIEW: { guard: 'fourEyes', target: 'circulation', actions: review.approved },
          RETURN_TO_DRAFTING: { guard: 'fourEyes', target: 'drafting', actions: review.returned },
          ...review.deadlineEvents,
        },
      },
      circulation: {
        meta: meta(
          {
            en: 'Circulated to member states for comments',
            ru: 'Рассылка государствам-членам для замечаний',
            zh: '分发成员国征求意见',
          },
          'approver',
          {
            days: 30,
            remindBefore: [7, 1],
            escalateTo: ['manager'],
          },
        ),
        entry: circulation.open,
        always: circulation.allIn,
        on: circulation.on,
      },
      consolidation: {
        meta: meta({ en: 'Consolidation of comments', ru: 'Обобщение замечаний', zh: '汇总意见' }, 'legal_officer'),
        on: {
          CONFIRM_CHANGES: {
            guard: 'changesConfirmable',
            actions: assign(({ context, event }) => withChangesConfirmed(context, event)),
          },
          RECIRCULATE: {
            guard: 'newerDraft',
            target: 'circulation',
            actions: assign(({ event }) => ({ draftVersion: event.payload.draftVersion })),
          },
          SUBMIT_TO_COORDINATORS: {
            guard: 'submittable',
            target: 'cnc_approval',
            actions: assign(({ event }) => ({ draftVersion: event.payload.draftVersion })),
          },
        },
      },
      cnc_approval: {
        meta: meta(
          {
            en: 'Approval by the Council of National Coordinators',
            ru: 'Одобрение Советом национальных координаторов',
            zh: '国家协调员理事会批准',
          },
          'approver',
          {
            days: 30,
            remindBefore: [7, 1],
            escalateTo: ['manager'],
          },
        ),
        entry: approval.open,
        always: [
          { guard: 'roundObjected', target: 'consolidation' },
          { guard: 'roundConsensus', target: 'submitted_for_adoption' },
        ],
        on: approval.on,
      },
      submitted_for_adoption: {
        meta: meta({ en: 'Submitted for adoption', ru: 'Внесено на утверждение', zh: '提交通过' }, 'legal_officer'),
        on: {
          SUBMIT_FOR_ADOPTION: {
            guard: 'adoptionSubmittable',
            actions: assign(({ context, event }) => ({
              adoption: {
                body: event.payload.body,
                submittedAt: event.at,
                submittedBy: event.actor.id,
                decisionNumber: null,
                date: null,
                reservations: finalReservations(context.rounds),
              },
            })),
          },
          RECORD_ADOPTION: {
            guard: 'adoptionSubmitted',
            target: 'adopted',
            actions: [
              assign(({ context, event }) => ({
                adoption: context.adoption && {
                  ...context.adoption,
                  decisionNumber: event.payload.decisionNumber,
                  date: event.payload.date,
                },
                affectedPartners: affectedMemoranda(event).map((m) => m.partner),
              })),
              emit(({ context, event }) => ({
                type: 'effect.openChildren' as const,
                children: affectedMemoranda(event).map((m) => ({
                  definitionId: 'memorandum-amendment',
                  key: m.partner,
                  input: {
                    partner: m.partner,
                    memorandumId: m.memorandumId,
                    basis: {
                      document: context.document,
                      decisionNumber: event.payload.decisionNumber,
                      date: event.payload.date,
                    },
                  },
                })),
              })),
            ],
          },
        },
      },
      adopted: {
        type: 'final',
        meta: announced(meta({ en: 'Adopted', ru: 'Утверждено', zh: '已通过' }, 'legal_officer'), EVERYONE_CONCERNED),
      },
      withdrawn: { type: 'final', meta: meta({ en: 'Withdrawn', ru: 'Отозвано', zh: '已撤回' }, 'legal_officer') },
    },
  });
}

export function normativeAmendmentDefinition(opts: {
  id: string;
  measure: string;
  document: NormativeDocument;
  title: Labels;
  description: string;
}): WorkflowDefinition<NormativeContext, NormativeEvent, NormativeStart, NormativeMachine> {
  return {
    id: opts.id,
    version: 1,
    measure: opts.measure,
    title: opts.title,
    description: opts.description,
    machine: normativeAmendmentMachine(opts.document, opts.id),
    startRoles: officer,
    input: startInput,
    refusals,
    businessKeys: () => ({ partner: null, memorandum: null, treaty: null, subject: opts.document }),
    stagePrerequisite: prerequisitesOf<NormativeContext>({
      legal_review: [versionSubmitted],
      circulation: [versionReviewed],
      consolidation: [commentsClosed],
      cnc_approval: [versionReviewed, versionNotObjected],
      submitted_for_adoption: [versionReviewed, consensusReached],
    }),
    output: (context, finalState) => ({
      finalState,
      adoption: context.adoption,
      affectedPartners: context.affectedPartners,
    }),
    events: normativeEvents,
    corrections: adoptionCorrections,
  };
}

/** The adoption record with one field replaced (the record exists: a correction needs a recorded value). */
const withAdoption = (c: NormativeContext, patch: Partial<Adoption>): NormativeContext => ({
  ...c,
  adoption: c.adoption && { ...c.adoption, ...patch },
});

/** The facts of the adoption record that may be corrected, under the rules of the events that recorded them. */
export const adoptionCorrections: CorrectableFields<NormativeContext> = {
  'adoption.body': {
    label: 'the body the draft was submitted to',
    value: bodyId,
    read: (c) => c.adoption?.body,
    write: (c, v) => withAdoption(c, { body: String(v) }),
    refuse: (c, _at, world) =>
      refuseAdoptingBody(world.bodies, c.adoption?.body ?? '', c.document, DOCUMENT_NAME[c.document]),
  },
  'adoption.decisionNumber': {
    label: 'the decision number',
    value: text(50),
    read: (c) => c.adoption?.decisionNumber,
    write: (c, v) => withAdoption(c, { decisionNumber: String(v) }),
  },
  'adoption.date': {
    label: 'the decision date',
    value: isoDate,
    read: (c) => c.adoption?.date,
    write: (c, v) => withAdoption(c, { date: String(v) }),
    refuse: (c, at) => refuseDecisionDate(c.adoption?.date ?? '', lastConsensus(c.rounds)?.closedAt ?? null, at),
  },
};
