/**
 * 1(c) and 1(d): amending a normative document of the Organisation — the Regulation on the status
 * of dialogue partner, or the model Memorandum granting that status.
 *
 * Stages (domain.md), with these refinements:
 * - `proposal`: the proposal is registered with who proposes it and why; drafting starts on a
 *   legal officer's decision, so a proposal can be withdrawn before any text exists.
 * - `legal_review`: four-eyes — the reviewing officer must not be the drafter of the version;
 *   the reviewer may return the draft with a reason.
 * - `circulation` collects each member state's comments (or "no comments") on one version within
 *   30 days, reminders 7 and 1 days before; when every state has answered, or the period ends, the
 *   draft goes to consolidation and the managers are told who did not answer. Every round is kept.
 * - `consolidation`: the officer either recirculates a new version (comments remain) or submits a
 *   version to the Council of National Coordinators.
 * - `cnc_approval`: consensus of the coordinators (no silence procedure: all must sign off); one
 *   objection returns the draft to consolidation with the reason; reservations are kept.
 * - `submitted_for_adoption` (body recorded) → `adopted` (decision number and date). Adoption opens
 *   a 1(e) procedure for each existing memorandum it affects (all, unless the officer names them).
 * - Withdrawal with a reason from any open stage.
 */
import { assign, emit, setup } from 'xstate';
import { z } from 'zod';
import { lastRound, openRound, pendingStates, recordPosition, supersede, type ConsensusRound } from '../kernel/consensus';
import { guardsFrom, type WorkflowDefinition } from '../kernel/definition';
import { deadlineOf, draftReady, fourEyes, newerDraft, positionAllowed, roundConsensus, roundObjected } from '../kernel/rules';
import type { Labels, StateMeta, WorkflowEffect, WorkflowEvent } from '../kernel/types';
import { adoptionPayload, commentResponsePayload, deadlinePayload, draftVersionPayload, positionPayload, reasonPayload, reminderPayload, submitAdoptionPayload } from './payloads';

export type NormativeDocument = 'regulation' | 'model_memorandum';

export interface CommentResponse {
  memberState: string;
  hasComments: boolean;
  comments: string | null;
  by: string;
  actingFor: string | null;
  at: string;
}

export interface CommentRound {
  number: number;
  draftVersion: number;
  electorate: string[];
  openedAt: string;
  responses: Record<string, CommentResponse>;
  closedAt: string | null;
  /** States that had not answered when the period ended. */
  unanswered: string[];
}

export interface NormativeContext {
  document: NormativeDocument;
  proposal: { proposedBy: string; rationale: string; registeredBy: string; at: string };
  draftVersion: number | null;
  drafter: string | null;
  reviews: { draftVersion: number; by: string; at: string; decision: 'approved' | 'returned'; reason: string | null }[];
  commentRounds: CommentRound[];
  rounds: ConsensusRound[];
  adoption: { body: string; submittedAt: string; decisionNumber: string | null; date: string | null } | null;
  affectedPartners: string[];
  withdrawal: { reason: string; by: string; at: string } | null;
}

type Ev = WorkflowEvent<string, any>;

const startInput = z.object({
  proposedBy: z.string().trim().min(1).max(200).describe('Who proposes the amendment (a member state, body or the Secretariat)'),
  rationale: z.string().trim().min(1).max(5000).describe('Why the amendment is proposed'),
});

function meta(label: Labels, responsible: StateMeta['responsible'], deadline?: StateMeta['deadline']): StateMeta {
  return deadline ? { label, responsible, deadline } : { label, responsible };
}

const lastComments = (c: NormativeContext) => c.commentRounds[c.commentRounds.length - 1];
const unansweredComments = (c: NormativeContext) => {
  const r = lastComments(c);
  return r && !r.closedAt ? r.electorate.filter((s) => !r.responses[s]) : [];
};

const refusals = {
  draftReady,
  newerDraft,
  fourEyes,
  positionAllowed,
  roundConsensus,
  roundObjected,
  circulationDeadline: deadlineOf('circulation'),
  approvalDeadline: deadlineOf('cnc_approval'),
  reviewDeadline: deadlineOf('legal_review'),
  commentAllowed: ({ context, event }: { context: NormativeContext; event: Ev }) => {
    const r = lastComments(context);
    const state = event.actor.memberState;
    if (!r || r.closedAt) return 'No circulation round is open.';
    if (!state) return 'Only a member-state approver can answer a circulation.';
    if (!r.electorate.includes(state)) return `${state} is not among the member states of this circulation.`;
    if (event.payload.draftVersion !== r.draftVersion)
      return `This circulation is on draft version ${r.draftVersion}; an answer on version ${event.payload.draftVersion} cannot be recorded.`;
    if (r.responses[state]) return `${state} has already answered this circulation.`;
    return null;
  },
  adoptionSubmitted: ({ context, event }: { context: NormativeContext; event: Ev }) => {
    if (!context.adoption) return 'Record the body the draft was submitted to (SUBMIT_FOR_ADOPTION) first.';
    const named: string[] = event.payload.affectedPartners ?? [];
    const known = new Set(event.world.memoranda.map((m) => m.partner));
    const unknown = named.filter((p) => !known.has(p));
    if (unknown.length) return `No memorandum in force for ${unknown.join(', ')}: name partners that hold one (${[...known].join(', ')}), or none for all.`;
    return null;
  },
  /** A version objected to by the coordinators cannot go back to them unchanged. */
  submittable: ({ context, event }: { context: NormativeContext; event: Ev }) => {
    const objected = [...context.rounds].reverse().find((r) => r.outcome === 'objected');
    if (objected && event.payload.draftVersion <= objected.draftVersion)
      return `Version ${objected.draftVersion} was objected to by ${objected.objection?.memberState} ("${objected.objection?.reason}"): submit a new version.`;
    return draftReady({ context, event });
  },
  allCommentsIn: ({ context }: { context: NormativeContext }) =>
    lastComments(context) && unansweredComments(context).length === 0 ? null : 'Some member states have not answered yet.',
} as const;

export function normativeAmendmentMachine(document: NormativeDocument, id: string) {
  return setup({
    types: {
      context: {} as NormativeContext,
      events: {} as Ev,
      input: {} as { proposedBy: string; rationale: string; startedBy: string; startedAt: string },
      emitted: {} as WorkflowEffect,
    },
    guards: guardsFrom(refusals as any),
  }).createMachine({
    id,
    initial: 'proposal',
    context: ({ input }) => ({
      document,
      proposal: { proposedBy: input.proposedBy, rationale: input.rationale, registeredBy: input.startedBy, at: input.startedAt },
      draftVersion: null,
      drafter: null,
      reviews: [],
      commentRounds: [],
      rounds: [],
      adoption: null,
      affectedPartners: [],
      withdrawal: null,
    }),
    on: {
      WITHDRAW: {
        target: '.withdrawn',
        actions: assign(({ context, event }) => ({
          ...closeComments(context, event.at),
          withdrawal: { reason: event.payload.reason, by: event.actor.id, at: event.at },
          rounds: context.rounds.map((r) => supersede(r, event.at)),
        })),
      },
    },
    states: {
      proposal: {
        meta: meta({ en: 'Proposal registered', ru: 'Предложение зарегистрировано', zh: '提案已登记' }, 'legal_officer'),
        on: { START_DRAFTING: { target: 'drafting' } },
      },
      drafting: {
        meta: meta({ en: 'Drafting', ru: 'Подготовка проекта', zh: '起草' }, 'legal_officer'),
        on: {
          SUBMIT_FOR_REVIEW: {
            guard: 'draftReady',
            target: 'legal_review',
            actions: assign(({ event }) => ({ draftVersion: event.payload.draftVersion, drafter: event.actor.id })),
          },
        },
      },
      legal_review: {
        meta: meta({ en: 'Internal legal review', ru: 'Внутренняя правовая экспертиза', zh: '内部法律审查' }, 'legal_officer', {
          days: 10,
          unit: 'working',
          remindBefore: [2],
          escalateTo: ['manager'],
        }),
        on: {
          APPROVE_REVIEW: {
            guard: 'fourEyes',
            target: 'circulation',
            actions: assign(({ context, event }) => ({
              reviews: [...context.reviews, { draftVersion: context.draftVersion as number, by: event.actor.id, at: event.at, decision: 'approved' as const, reason: null }],
            })),
          },
          RETURN_TO_DRAFTING: {
            guard: 'fourEyes',
            target: 'drafting',
            actions: assign(({ context, event }) => ({
              reviews: [...context.reviews, { draftVersion: context.draftVersion as number, by: event.actor.id, at: event.at, decision: 'returned' as const, reason: event.payload.reason }],
            })),
          },
          REMINDER: {
            guard: 'reviewDeadline',
            actions: emit(({ context }) => ({ type: 'effect.notify' as const, kind: 'reminder' as const, audience: { roles: ['legal_officer' as const] }, subject: `Legal review of draft version ${context.draftVersion} is due soon` })),
          },
          DEADLINE_PASSED: {
            guard: 'reviewDeadline',
            actions: emit(({ context }) => ({ type: 'effect.notify' as const, kind: 'escalation' as const, audience: { roles: ['manager' as const] }, subject: `Legal review of draft version ${context.draftVersion} is overdue` })),
          },
        },
      },
      circulation: {
        meta: meta({ en: 'Circulated to member states for comments', ru: 'Рассылка государствам-членам для замечаний', zh: '分发成员国征求意见' }, 'approver', {
          days: 30,
          remindBefore: [7, 1],
          escalateTo: ['manager'],
        }),
        entry: assign(({ context, event }) => ({
          commentRounds: [
            ...context.commentRounds,
            {
              number: context.commentRounds.length + 1,
              draftVersion: context.draftVersion as number,
              electorate: [...new Set(event.world.memberStates)].sort(),
              openedAt: event.at,
              responses: {},
              closedAt: null,
              unanswered: [],
            },
          ],
        })),
        always: { guard: 'allCommentsIn', target: 'consolidation', actions: assign(({ context, event }) => closeComments(context, event.at)) },
        on: {
          RESPOND: {
            guard: 'commentAllowed',
            actions: assign(({ context, event }) => {
              const r = lastComments(context);
              const state = event.actor.memberState as string;
              const comments = (event.payload.comments ?? '').trim();
              const response: CommentResponse = { memberState: state, hasComments: comments.length > 0, comments: comments || null, by: event.actor.id, actingFor: event.actor.actingFor, at: event.at };
              return { commentRounds: [...context.commentRounds.slice(0, -1), { ...r, responses: { ...r.responses, [state]: response } }] };
            }),
          },
          REMINDER: {
            guard: 'circulationDeadline',
            actions: emit(({ context, event }) => ({
              type: 'effect.notify' as const,
              kind: 'reminder' as const,
              audience: { memberStates: unansweredComments(context) },
              subject: `Comments on draft version ${context.draftVersion} are due in ${event.payload.daysBefore} day(s)`,
            })),
          },
          DEADLINE_PASSED: {
            guard: 'circulationDeadline',
            target: 'consolidation',
            actions: [
              emit(({ context }) => ({
                type: 'effect.notify' as const,
                kind: 'escalation' as const,
                audience: { roles: ['manager' as const] },
                subject: `Circulation of draft version ${context.draftVersion} closed without answers from ${unansweredComments(context).join(', ') || 'nobody'}`,
                data: { unanswered: unansweredComments(context) },
              })),
              assign(({ context, event }) => closeComments(context, event.at)),
            ],
          },
        },
      },
      consolidation: {
        meta: meta({ en: 'Consolidation of comments', ru: 'Обобщение замечаний', zh: '汇总意见' }, 'legal_officer'),
        on: {
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
        meta: meta({ en: 'Approval by the Council of National Coordinators', ru: 'Одобрение Советом национальных координаторов', zh: '国家协调员理事会批准' }, 'approver', {
          days: 30,
          remindBefore: [7, 1],
          escalateTo: ['manager'],
        }),
        entry: assign(({ context, event }) => ({
          rounds: [
            ...context.rounds,
            openRound(context.rounds, { stage: 'cnc_approval', draftVersion: context.draftVersion as number, electorate: event.world.memberStates, silenceProcedure: false, at: event.at }),
          ],
        })),
        always: [
          { guard: 'roundObjected', target: 'consolidation' },
          { guard: 'roundConsensus', target: 'submitted_for_adoption' },
        ],
        on: {
          POSITION: {
            guard: 'positionAllowed',
            actions: assign(({ context, event }) => ({
              rounds: [
                ...context.rounds.slice(0, -1),
                recordPosition(lastRound(context.rounds) as ConsensusRound, { id: event.actor.id, memberState: event.actor.memberState, actingFor: event.actor.actingFor }, event.payload, event.at),
              ],
            })),
          },
          REMINDER: {
            guard: 'approvalDeadline',
            actions: emit(({ context, event }) => ({
              type: 'effect.notify' as const,
              kind: 'reminder' as const,
              audience: { memberStates: pendingStates(lastRound(context.rounds)) },
              subject: `Your state's position on draft version ${context.draftVersion} is due in ${event.payload.daysBefore} day(s)`,
            })),
          },
          DEADLINE_PASSED: {
            guard: 'approvalDeadline',
            actions: emit(({ context }) => ({
              type: 'effect.notify' as const,
              kind: 'escalation' as const,
              audience: { roles: ['manager' as const] },
              subject: `Approval of draft version ${context.draftVersion} is overdue; waiting for ${pendingStates(lastRound(context.rounds)).join(', ')}`,
              data: { pending: pendingStates(lastRound(context.rounds)) },
            })),
          },
        },
      },
      submitted_for_adoption: {
        meta: meta({ en: 'Submitted for adoption', ru: 'Внесено на утверждение', zh: '提交通过' }, 'legal_officer'),
        on: {
          SUBMIT_FOR_ADOPTION: {
            actions: assign(({ event }) => ({ adoption: { body: event.payload.body, submittedAt: event.at, decisionNumber: null, date: null } })),
          },
          RECORD_ADOPTION: {
            guard: 'adoptionSubmitted',
            target: 'adopted',
            actions: [
              assign(({ context, event }) => {
                const known = event.world.memoranda.map((m) => m.partner);
                const named: string[] | undefined = event.payload.affectedPartners;
                return {
                  adoption: { ...(context.adoption as NonNullable<NormativeContext['adoption']>), decisionNumber: event.payload.decisionNumber, date: event.payload.date },
                  affectedPartners: named && named.length ? known.filter((p) => named.includes(p)) : known,
                };
              }),
              emit(({ context, event }) => {
                const known = event.world.memoranda;
                const named: string[] | undefined = event.payload.affectedPartners;
                const affected = named && named.length ? known.filter((m) => named.includes(m.partner)) : known;
                return {
                  type: 'effect.openChildren' as const,
                  children: affected.map((m) => ({
                    definitionId: 'memorandum-amendment',
                    key: m.partner,
                    input: { partner: m.partner, memorandumId: m.memorandumId, basis: { document: context.document, decisionNumber: event.payload.decisionNumber, date: event.payload.date } },
                  })),
                };
              }),
            ],
          },
        },
      },
      adopted: { type: 'final', meta: meta({ en: 'Adopted', ru: 'Утверждено', zh: '已通过' }, 'legal_officer') },
      withdrawn: { type: 'final', meta: meta({ en: 'Withdrawn', ru: 'Отозвано', zh: '已撤回' }, 'legal_officer') },
    },
  });
}

function closeComments(context: NormativeContext, at: string): Partial<NormativeContext> {
  const r = lastComments(context);
  if (!r || r.closedAt) return {};
  return { commentRounds: [...context.commentRounds.slice(0, -1), { ...r, closedAt: at, unanswered: r.electorate.filter((s) => !r.responses[s]) }] };
}

const officer = ['legal_officer'] as const;

export function normativeAmendmentDefinition(opts: { id: string; measure: string; document: NormativeDocument; title: Labels; description: string }): WorkflowDefinition {
  return {
    id: opts.id,
    version: 1,
    measure: opts.measure,
    title: opts.title,
    description: opts.description,
    machine: normativeAmendmentMachine(opts.document, opts.id),
    startRoles: officer,
    input: startInput,
    refusals: refusals as unknown as WorkflowDefinition['refusals'],
    businessKeys: () => ({ partner: null, memorandum: null, treaty: null, subject: opts.document }),
    output: (context: NormativeContext, finalState: string) => ({ finalState, adoption: context.adoption, affectedPartners: context.affectedPartners }),
    events: {
      START_DRAFTING: { description: 'Begin drafting the amendment text', roles: officer, payload: z.object({}).strict() },
      SUBMIT_FOR_REVIEW: { description: 'Send a draft version to internal legal review', roles: officer, payload: draftVersionPayload },
      APPROVE_REVIEW: { description: 'Approve the draft in legal review (not by its drafter) and circulate it', roles: officer, payload: z.object({}).strict() },
      RETURN_TO_DRAFTING: { description: 'Return the draft from legal review with a reason', roles: officer, payload: reasonPayload },
      RESPOND: { description: "Answer a circulation for your member state, with comments or none", roles: ['approver'], payload: commentResponsePayload },
      RECIRCULATE: { description: 'Circulate a new consolidated version for another round of comments', roles: officer, payload: draftVersionPayload },
      SUBMIT_TO_COORDINATORS: { description: 'Submit a version to the Council of National Coordinators for approval', roles: officer, payload: draftVersionPayload },
      POSITION: { description: "Record your member state's position on the draft version", roles: ['approver'], payload: positionPayload },
      SUBMIT_FOR_ADOPTION: { description: 'Record the body the approved draft is submitted to', roles: officer, payload: submitAdoptionPayload },
      RECORD_ADOPTION: { description: 'Record the adopting decision (number and date)', roles: officer, payload: adoptionPayload },
      WITHDRAW: { description: 'Withdraw the procedure with a reason', roles: ['legal_officer', 'manager'], payload: reasonPayload },
      REMINDER: { description: 'A deadline reminder (delivered by the scheduler)', roles: ['system'], payload: reminderPayload },
      DEADLINE_PASSED: { description: 'A deadline has passed (delivered by the scheduler)', roles: ['system'], payload: deadlinePayload },
    },
  };
}
