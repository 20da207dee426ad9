/**
 * 1(a): comprehensive analysis of the implementation of the memoranda granting SCO dialogue-partner
 * status, and preparation of the final information.
 *
 * Stages (domain.md), with these refinements:
 * - `scoping`: the officer records the criteria and the memoranda to assess (every memorandum in
 *   force when none are named) and, for each memorandum, who assesses it and by when. Every
 *   memorandum in scope must have exactly one assignee, and every due date lies ahead.
 * - `assessments`: one assessment per memorandum, all running at once. Their number is only known
 *   at scoping, so they live in `context.assessments` (memorandumId → assignee, due date, status,
 *   findings) rather than as parallel state nodes. Only the assigned officer may submit. A manager may
 *   reassign one, with a new due date. Each open assessment carries its own deadline
 *   (`dynamicDeadlines`, key `assessment:<memorandumId>`): the assignee gets the reminders and the
 *   managers get the escalation, once per due date. When the last assessment is in, the analysis
 *   moves on by itself.
 * - `consolidation`: a legal officer writes the consolidated analysis (a document version).
 * - `internal_review`: four-eyes, as for normative drafts (the reviewer wrote or edited none of the
 *   versions since the last reviewed one). The reviewer may return the analysis with a reason.
 * - `comments`: the member states comment on one version within 30 days. When all have answered or
 *   the period ends, the analysis goes to `finalisation` and the managers are told who did not answer.
 * - `finalisation`: the officer turns the analysis and the comments into the final information. A
 *   new version can go back for comments, or a version goes to the member states for approval.
 *   This stage is needed because comments have to be worked into a version before anyone signs off.
 *   Every version sent on was approved by another officer (a new version by CONFIRM_CHANGES, a light
 *   review recorded in `reviews`); the version put for approval is one the states commented on, or
 *   is marked as the consolidation of their comments (`consolidation: true`).
 * - `approval`: the final information is approved by consensus (no silence procedure, because every
 *   state signs off). One objection returns it to finalisation with its reason, and that version cannot
 *   be submitted again unchanged.
 * - `completed`. Findings can name the measure they feed (1(c), 1(d), 1(e)). Linking a finding to the
 *   procedure opened for it is not a machine event: the normal order is final information approved,
 *   then 1(c)-(e) opened, so a link is made from either side at any time, `completed` included. The
 *   engine records it (WorkflowEngine.linkFinding, `$finding_linked` on both instances) from the
 *   findings this definition lists (`findings`). `links` holds the links an earlier version of this
 *   machine recorded in its context (copied to `finding_link` by migration 1700000054000).
 * - Withdrawal with a reason from any open stage.
 */
import { assign, emit, setup } from 'xstate';
import type { z } from 'zod';
import {
  allCommentsIn,
  closeComments,
  commentAllowedOf,
  commentRoundStage,
  type CommentRound,
} from '../kernel/comment-round';
import type { ConsensusRound } from '../kernel/consensus';
import {
  consensusStage,
  lastObjected,
  objectionsOf,
  withdrawTransition,
  withdrawable,
  type Withdrawal,
} from '../kernel/consensus-stage';
import {
  guardsFrom,
  type EventCatalogue,
  type EventsOf,
  type Refusal,
  type WorkflowDefinition,
} from '../kernel/definition';
import {
  commentsClosed,
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
  earlyCloseAllowed,
  draftReady,
  fourEyes,
  newerDraft,
  positionAllowed,
  roundConsensus,
  roundObjected,
} from '../kernel/rules';
import { isEventOf, meta, notice, textIn, type StageArgs } from '../kernel/stage';
import type { DynamicDeadline, WorkflowEffect } from '../kernel/types';
import {
  analysisStartInput,
  assessmentSubmittedPayload,
  dueInstant,
  emptyPayload,
  reassignPayload,
  scopePayload,
  type FINDING_SEVERITIES,
  type LINKABLE_MEASURES,
} from './analysis-payloads';
import {
  approvalSubmissionPayload,
  commentResponsePayload,
  draftVersionPayload,
  positionPayload,
  procedureEvents,
  reasonPayload,
} from './payloads';

export interface Finding {
  id: string;
  text: string;
  severity: (typeof FINDING_SEVERITIES)[number];
  suggestedMeasure: (typeof LINKABLE_MEASURES)[number] | null;
}

export interface Assessment {
  memorandumId: string;
  partner: string;
  assignee: string;
  /** ISO timestamp. */
  dueAt: string;
  /** `overdue` once its deadline has passed and the managers were told; a reassignment makes it `assigned` again. */
  status: 'assigned' | 'overdue' | 'submitted';
  findings: Finding[];
  submittedAt: string | null;
  submittedBy: string | null;
  /** Every assignment in order, the first one made at scoping. */
  assignments: { assignee: string; dueAt: string; by: string; at: string }[];
}

export interface FindingLink {
  findingId: string;
  instanceId: string;
  by: string;
  at: string;
}

export interface AnalysisContext {
  title: string;
  startedBy: string;
  startedAt: string;
  scope: { criteria: string[]; memoranda: string[]; by: string; at: string } | null;
  assessments: Record<string, Assessment>;
  draftVersion: number | null;
  drafter: string | null;
  reviews: Review[];
  commentRounds: CommentRound[];
  rounds: ConsensusRound[];
  /** Links recorded in the context by an earlier version of this machine (see the header). */
  links?: FindingLink[];
  completedAt: string | null;
  withdrawal: Withdrawal | null;
}

const officer = ['legal_officer'] as const;

export const analysisEvents = {
  SCOPE: {
    description: 'Record the criteria, the memoranda to assess and who assesses each by when',
    roles: officer,
    payload: scopePayload,
  },
  ASSESSMENT_SUBMITTED: {
    description: 'Submit the assessment of a memorandum assigned to you, with its findings',
    roles: officer,
    payload: assessmentSubmittedPayload,
  },
  REASSIGN_ASSESSMENT: {
    description: 'Give an assessment to another officer or a new due date',
    roles: ['manager'],
    payload: reassignPayload,
  },
  SUBMIT_FOR_REVIEW: {
    description: 'Send a version of the consolidated analysis to internal review',
    roles: officer,
    payload: draftVersionPayload,
  },
  APPROVE_REVIEW: {
    description:
      'Approve the analysis in internal review (not by an officer who wrote or edited it) and send it for comments',
    roles: officer,
    payload: emptyPayload,
    readsDraft: true,
  },
  RETURN_TO_CONSOLIDATION: {
    description: 'Return the analysis from internal review with a reason',
    roles: officer,
    payload: reasonPayload,
    readsDraft: true,
  },
  RESPOND: {
    description: 'Comment on the analysis for your member state, or answer that you have no comments',
    roles: ['approver'],
    payload: commentResponsePayload,
  },
  CONFIRM_CHANGES: {
    description:
      'Confirm the changes of a new version as a second officer (a light review, recorded), so it can be sent to the member states',
    roles: officer,
    payload: draftVersionPayload,
  },
  RECIRCULATE: {
    description: 'Send a new version, reviewed by another officer, for another round of comments',
    roles: officer,
    payload: draftVersionPayload,
  },
  SUBMIT_FOR_APPROVAL: {
    description:
      'Submit a reviewed version of the final information to the member states for approval: one they commented on, or one marked as the consolidation of their comments',
    roles: officer,
    payload: approvalSubmissionPayload,
  },
  POSITION: {
    description: "Record your member state's position on the final information",
    roles: ['approver'],
    payload: positionPayload,
  },
  ...procedureEvents,
} as const satisfies EventCatalogue;

/** The events the machine receives, derived from its payload catalogue. */
export type AnalysisEvent = EventsOf<typeof analysisEvents>;

type Args = StageArgs<AnalysisContext, AnalysisEvent>;

export const ASSESSMENT_REMINDERS = [7, 1];
export const assessmentKey = (memorandumId: string) => `assessment:${memorandumId}`;

const openAssessments = (c: AnalysisContext) => Object.values(c.assessments).filter((a) => a.status !== 'submitted');
const allFindings = (c: AnalysisContext) =>
  Object.values(c.assessments).flatMap((a) =>
    a.findings.map((f) => ({ ...f, memorandumId: a.memorandumId, partner: a.partner })),
  );
const assessmentOfKey = (c: AnalysisContext, key: unknown) =>
  typeof key === 'string' && key.startsWith('assessment:') ? c.assessments[key.slice('assessment:'.length)] : undefined;

/** The memoranda a SCOPE event puts in scope: those named, else every memorandum in force. */
const scopedMemoranda = (event: Extract<AnalysisEvent, { type: 'SCOPE' }>): string[] =>
  event.payload.memoranda ?? event.world.memoranda.map((m) => m.memorandumId);

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
  reviewDeadline: deadlineOf('internal_review'),
  commentsDeadline: deadlineOf('comments'),
  approvalDeadline: deadlineOf('approval'),
  scopeValid: ({ event }: Args) => {
    if (!isEventOf(event, ['SCOPE'])) return `SCOPE expected, not ${event.type}.`;
    const known = new Map(event.world.memoranda.map((m) => [m.memorandumId, m.partner]));
    const scope = scopedMemoranda(event);
    if (scope.length === 0) return 'There is no memorandum to assess.';
    const unknown = scope.filter((m) => !known.has(m));
    if (unknown.length)
      return `${unknown.join(', ')}: not among the memoranda in force (${[...known.keys()].join(', ') || 'none'}).`;
    const assignments = event.payload.assignments ?? [];
    const outside = assignments.filter((a) => !scope.includes(a.memorandumId)).map((a) => a.memorandumId);
    if (outside.length) return `${outside.join(', ')}: assigned but not in the scope of this analysis.`;
    const unassigned = scope.filter((m) => !assignments.some((a) => a.memorandumId === m));
    if (unassigned.length)
      return `No assessor is assigned to ${unassigned.map((m) => `${m} (${known.get(m)})`).join(', ')}.`;
    const past = assignments.filter((a) => Date.parse(dueInstant(a.dueAt)) <= Date.parse(event.at));
    if (past.length)
      return `The assessment of ${past.map((a) => a.memorandumId).join(', ')} would be due before now: give a due date ahead.`;
    return null;
  },
  assessmentSubmittable: ({ context, event }: Args) => {
    if (!isEventOf(event, ['ASSESSMENT_SUBMITTED'])) return `ASSESSMENT_SUBMITTED expected, not ${event.type}.`;
    const a = context.assessments[event.payload.memorandumId];
    if (!a) return `${event.payload.memorandumId} is not assessed in this analysis.`;
    if (a.status === 'submitted')
      return `The assessment of ${a.memorandumId} was already submitted by ${a.submittedBy} on ${a.submittedAt}.`;
    if (a.assignee !== event.actor.id)
      return `Only the assigned officer (${a.assignee}) can submit the assessment of ${a.memorandumId}.`;
    const used = new Map(allFindings(context).map((f) => [f.id, f.memorandumId]));
    const clash = event.payload.findings.find((f) => used.has(f.id));
    if (clash)
      return `Finding id ${clash.id} is already used in the assessment of ${used.get(clash.id)}: give it another id.`;
    return null;
  },
  reassignable: ({ context, event }: Args) => {
    if (!isEventOf(event, ['REASSIGN_ASSESSMENT'])) return `REASSIGN_ASSESSMENT expected, not ${event.type}.`;
    const a = context.assessments[event.payload.memorandumId];
    if (!a) return `${event.payload.memorandumId} is not assessed in this analysis.`;
    if (a.status === 'submitted')
      return `The assessment of ${a.memorandumId} is already submitted; it cannot be reassigned.`;
    const due = dueInstant(event.payload.dueAt);
    if (Date.parse(due) <= Date.parse(event.at)) return `The new due date of ${a.memorandumId} must lie ahead.`;
    if (a.assignee === event.payload.assignee && a.dueAt === due)
      return `${a.memorandumId} is already assigned to ${a.assignee}, due ${a.dueAt}.`;
    return null;
  },
  /** A REMINDER or DEADLINE_PASSED for the deadline of an assessment still awaited (once per due date). */
  assessmentDeadline: ({ context, event }: Args) => {
    const key = textIn(event, 'deadlineKey');
    const a = assessmentOfKey(context, key);
    if (!a) return `This deadline (${key ?? 'undefined'}) does not belong to an assessment of this analysis.`;
    if (a.status === 'submitted') return `The assessment of ${a.memorandumId} is already submitted.`;
    if (a.status === 'overdue')
      return `The assessment of ${a.memorandumId} is already overdue and the managers were told; reassign it to set a new due date.`;
    return null;
  },
  allAssessmentsIn: ({ context }: Args) =>
    context.scope && openAssessments(context).length === 0
      ? null
      : `Assessments still awaited: ${openAssessments(context)
          .map((a) => a.memorandumId)
          .join(', ')}.`,
  commentAllowed: commentAllowedOf({
    noneOpen: 'No round of comments is open.',
    notApprover: 'Only a member-state approver can comment for a member state.',
    round: 'this round of comments',
    version: 'version',
  }),
  allCommentsIn,
  /** A version objected to by a member state cannot go back for approval unchanged. */
  submittable: ({ context, event }: Args) => {
    const objected = lastObjected(context.rounds);
    if (objected && isEventOf(event, ['SUBMIT_FOR_APPROVAL']) && event.payload.draftVersion <= objected.draftVersion)
      return `Version ${objected.draftVersion} was objected to by ${objectionsOf(objected)}: submit a new version.`;
    return circulatedOrConsolidated({ context, event });
  },
} satisfies Record<string, Refusal<AnalysisContext, AnalysisEvent>>;

function withAssessment(context: AnalysisContext, id: string, change: Partial<Assessment>): Partial<AnalysisContext> {
  return { assessments: { ...context.assessments, [id]: { ...context.assessments[id], ...change } } };
}

const review = reviewStage<AnalysisContext, 'reviewDeadline', AnalysisEvent>({
  deadline: 'reviewDeadline',
  what: (c) => `Internal review of the consolidated analysis, version ${c.draftVersion},`,
});

const comments = commentRoundStage<AnalysisContext, 'commentsDeadline', 'finalisation', AnalysisEvent>({
  deadline: 'commentsDeadline',
  next: 'finalisation',
  reminder: (c, days) => `Comments on the analysis, version ${c.draftVersion}, are due in ${days} day(s)`,
  closed: (c, unanswered) =>
    `Comments on the analysis, version ${c.draftVersion}, closed without answers from ${unanswered.join(', ') || 'nobody'}`,
});

const approval = consensusStage<AnalysisContext, 'approvalDeadline', AnalysisEvent>({
  stage: 'approval',
  deadline: 'approvalDeadline',
  reminder: (c, days) =>
    `Your state's position on the final information, version ${c.draftVersion}, is due in ${days} day(s)`,
  overdue: (c, pending) =>
    `Approval of the final information, version ${c.draftVersion}, is overdue; waiting for ${pending.join(', ')}`,
});

export const implementationAnalysisMachine = setup({
  types: {
    context: {} as AnalysisContext,
    events: {} as AnalysisEvent,
    input: {} as { title: string; startedBy: string; startedAt: string },
    emitted: {} as WorkflowEffect,
  },
  guards: guardsFrom<AnalysisContext, AnalysisEvent, keyof typeof refusals>(refusals),
}).createMachine({
  id: 'implementation-analysis',
  initial: 'scoping',
  context: ({ input }) => ({
    title: input.title,
    startedBy: input.startedBy,
    startedAt: input.startedAt,
    scope: null,
    assessments: {},
    draftVersion: null,
    drafter: null,
    reviews: [],
    commentRounds: [],
    rounds: [],
    completedAt: null,
    withdrawal: null,
  }),
  on: { WITHDRAW: withdrawTransition<AnalysisContext, AnalysisEvent>(closeComments) },
  states: {
    scoping: {
      meta: meta({ en: 'Scoping', ru: 'Определение рамок анализа', zh: '确定分析范围' }, 'legal_officer'),
      on: {
        SCOPE: {
          guard: 'scopeValid',
          target: 'assessments',
          actions: assign(({ event }) => {
            const partners = new Map(event.world.memoranda.map((m) => [m.memorandumId, m.partner]));
            const memoranda = scopedMemoranda(event);
            const assessments: Record<string, Assessment> = {};
            for (const id of memoranda) {
              const a = (event.payload.assignments as { memorandumId: string; assignee: string; dueAt: string }[]).find(
                (x) => x.memorandumId === id,
              )!;
              const due = dueInstant(a.dueAt);
              assessments[id] = {
                memorandumId: id,
                partner: partners.get(id) as string,
                assignee: a.assignee,
                dueAt: due,
                status: 'assigned',
                findings: [],
                submittedAt: null,
                submittedBy: null,
                assignments: [{ assignee: a.assignee, dueAt: due, by: event.actor.id, at: event.at }],
              };
            }
            return {
              scope: { criteria: event.payload.criteria, memoranda, by: event.actor.id, at: event.at },
              assessments,
            };
          }),
        },
      },
    },
    assessments: {
      meta: meta(
        {
          en: 'Assessment of each memorandum',
          ru: 'Оценка выполнения каждого меморандума',
          zh: '逐份评估备忘录执行情况',
        },
        'legal_officer',
      ),
      always: { guard: 'allAssessmentsIn', target: 'consolidation' },
      on: {
        ASSESSMENT_SUBMITTED: {
          guard: 'assessmentSubmittable',
          actions: assign(({ context, event }) =>
            withAssessment(context, event.payload.memorandumId, {
              status: 'submitted',
              findings: (event.payload.findings as Finding[]).map((f) => ({
                id: f.id,
                text: f.text,
                severity: f.severity,
                suggestedMeasure: f.suggestedMeasure,
              })),
              submittedAt: event.at,
              submittedBy: event.actor.id,
            }),
          ),
        },
        REASSIGN_ASSESSMENT: {
          guard: 'reassignable',
          actions: assign(({ context, event }) => {
            const a = context.assessments[event.payload.memorandumId];
            const due = dueInstant(event.payload.dueAt);
            return withAssessment(context, a.memorandumId, {
              assignee: event.payload.assignee,
              dueAt: due,
              status: 'assigned',
              assignments: [
                ...a.assignments,
                { assignee: event.payload.assignee, dueAt: due, by: event.actor.id, at: event.at },
              ],
            });
          }),
        },
        REMINDER: {
          guard: 'assessmentDeadline',
          actions: emit(({ context, event }) => {
            const a = assessmentOfKey(context, event.payload.deadlineKey) as Assessment;
            return notice(
              'reminder',
              { userIds: [a.assignee] },
              `Your assessment of the memorandum with ${a.partner} (${a.memorandumId}) is due in ${event.payload.daysBefore} day(s)`,
              { memorandumId: a.memorandumId, dueAt: a.dueAt },
            );
          }),
        },
        DEADLINE_PASSED: {
          guard: 'assessmentDeadline',
          actions: [
            emit(({ context, event }) => {
              const a = assessmentOfKey(context, event.payload.deadlineKey) as Assessment;
              return notice(
                'escalation',
                { roles: ['manager'] },
                `The assessment of the memorandum with ${a.partner} (${a.memorandumId}) by ${a.assignee} is overdue`,
                { memorandumId: a.memorandumId, assignee: a.assignee, dueAt: a.dueAt },
              );
            }),
            assign(({ context, event }) =>
              withAssessment(
                context,
                (assessmentOfKey(context, event.payload.deadlineKey) as Assessment).memorandumId,
                { status: 'overdue' },
              ),
            ),
          ],
        },
      },
    },
    consolidation: {
      meta: meta(
        { en: 'Consolidated analysis', ru: 'Подготовка сводного анализа', zh: '编写综合分析' },
        'legal_officer',
      ),
      on: {
        SUBMIT_FOR_REVIEW: { guard: 'draftReady', target: 'internal_review', actions: review.submitted },
      },
    },
    internal_review: {
      meta: meta(
        { en: 'Internal review', ru: 'Внутренняя экспертиза', zh: '内部审查' },
        'legal_officer',
        REVIEW_PERIOD,
      ),
      on: {
        APPROVE_REVIEW: { guard: 'fourEyes', target: 'comments', actions: review.approved },
        RETURN_TO_CONSOLIDATION: { guard: 'fourEyes', target: 'consolidation', actions: review.returned },
        ...review.deadlineEvents,
      },
    },
    comments: {
      meta: meta(
        { en: 'Comments of the member states', ru: 'Замечания государств-членов', zh: '成员国意见' },
        'approver',
        {
          days: 30,
          remindBefore: [7, 1],
          escalateTo: ['manager'],
        },
      ),
      entry: comments.open,
      always: comments.allIn,
      on: comments.on,
    },
    finalisation: {
      meta: meta(
        { en: 'Preparation of the final information', ru: 'Подготовка итоговой информации', zh: '编写最终信息' },
        'legal_officer',
      ),
      on: {
        CONFIRM_CHANGES: {
          guard: 'changesConfirmable',
          actions: assign(({ context, event }) => withChangesConfirmed(context, event)),
        },
        RECIRCULATE: {
          guard: 'newerDraft',
          target: 'comments',
          actions: assign(({ event }) => ({ draftVersion: event.payload.draftVersion })),
        },
        SUBMIT_FOR_APPROVAL: {
          guard: 'submittable',
          target: 'approval',
          actions: assign(({ event }) => ({ draftVersion: event.payload.draftVersion })),
        },
      },
    },
    approval: {
      meta: meta(
        {
          en: 'Approval of the final information by consensus',
          ru: 'Одобрение итоговой информации консенсусом',
          zh: '以协商一致方式批准最终信息',
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
        { guard: 'roundObjected', target: 'finalisation' },
        { guard: 'roundConsensus', target: 'completed', actions: assign(({ event }) => ({ completedAt: event.at })) },
      ],
      on: approval.on,
    },
    completed: { type: 'final', meta: meta({ en: 'Completed', ru: 'Завершено', zh: '已完成' }, 'legal_officer') },
    withdrawn: { type: 'final', meta: meta({ en: 'Withdrawn', ru: 'Отозвано', zh: '已撤回' }, 'legal_officer') },
  },
});

/** One deadline per assessment still awaited (overdue ones stay listed with their passed due date). */
export function assessmentDeadlines(context: AnalysisContext): DynamicDeadline[] {
  return openAssessments(context).map((a) => ({
    key: assessmentKey(a.memorandumId),
    label: {
      en: `Assessment of the memorandum with ${a.partner}`,
      ru: `Оценка выполнения меморандума с партнёром ${a.partner}`,
      zh: `评估与${a.partner}签署的备忘录的执行情况`,
    },
    dueAt: a.dueAt,
    remindBefore: ASSESSMENT_REMINDERS,
    escalateTo: ['manager'],
    responsible: 'legal_officer',
    assignee: a.assignee,
  }));
}

/** Every finding with the memorandum it came from (the links are the engine's: `finding_link`). */
export function analysisFindings(context: AnalysisContext) {
  return allFindings(context);
}

export const implementationAnalysis: WorkflowDefinition<
  AnalysisContext,
  AnalysisEvent,
  z.output<typeof analysisStartInput>,
  typeof implementationAnalysisMachine
> = {
  id: 'implementation-analysis',
  version: 1,
  measure: '1(a)',
  title: {
    en: 'Analysis of the implementation of the dialogue-partner memoranda',
    ru: 'Комплексный анализ выполнения меморандумов о предоставлении статуса партнёра по диалогу ШОС',
    zh: '全面分析给予上合组织对话伙伴地位的备忘录的执行情况',
  },
  description:
    'Scoping, one assessment per memorandum in parallel (each with its assignee and deadline), consolidated analysis, four-eyes internal review, comments of the member states, final information approved by consensus; findings are linked (from either side, at any time) to the 1(c)-(e) procedures they feed.',
  machine: implementationAnalysisMachine,
  findings: (context: AnalysisContext) =>
    allFindings(context).map((f) => ({
      id: f.id,
      text: f.text,
      memorandumId: f.memorandumId,
      suggestedMeasure: f.suggestedMeasure,
    })),
  startRoles: officer,
  input: analysisStartInput,
  refusals,
  businessKeys: () => ({ partner: null, memorandum: null, treaty: null, subject: '1a' }),
  stagePrerequisite: prerequisitesOf<AnalysisContext>({
    internal_review: [versionSubmitted],
    comments: [versionReviewed],
    finalisation: [commentsClosed],
    approval: [versionReviewed, versionNotObjected],
  }),
  dynamicDeadlines: (context: AnalysisContext) => assessmentDeadlines(context),
  output: (context: AnalysisContext, finalState: string) => ({
    finalState,
    title: context.title,
    criteria: context.scope?.criteria ?? [],
    memoranda: context.scope?.memoranda ?? [],
    finalVersion: finalState === 'completed' ? context.draftVersion : null,
    findings: analysisFindings(context),
  }),
  events: analysisEvents,
};
