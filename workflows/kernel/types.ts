/**
 * Shared vocabulary of the pure workflow layer. Nothing here may import Nest, TypeORM or Redis:
 * machines describe what should happen; the engine (src/engine) makes it happen.
 */

/** A label in the SCO's two official languages and the English working language. */
export interface Labels {
  en: string;
  ru: string;
  zh: string;
}

export const ROLES = ['legal_officer', 'approver', 'manager', 'admin', 'system'] as const;
export type Role = (typeof ROLES)[number];

/** Who sent an event. `memberState` is set for approvers and always comes from their identity, never from a payload. */
export interface Actor {
  id: string;
  role: Role;
  memberState: string | null;
  /** When an acting approver answers, the id of the approver they stand in for. */
  actingFor: string | null;
}

/** The draft as the documents module sees it at the moment the event is applied. */
export interface DraftFacts {
  /** Latest saved version number (1-based). */
  latestVersion: number;
  /** Article ids whose authentic-language texts (ru/zh) disagree in freshness in the latest version. */
  driftedArticles: string[];
  /**
   * Every saved version with the officer who saved it (wrote or edited its text), oldest first:
   * the four-eyes rule reads who may not review a version from here, not from who submitted it.
   */
  versions: { number: number; author: string }[];
}

/**
 * Who consents to a non-member's accession to a treaty, from the treaty's reference data at this
 * moment: its Parties (those that had become party by this day), or the member states where its
 * final clause names them. `electorate` is null when the data do not know the Parties.
 */
export interface TreatyConsentFacts {
  treatyId: string;
  consentGivenBy: 'parties' | 'member_states';
  electorate: string[] | null;
  /** Parties recorded so far when the list is not known to be complete (for the refusal's sentence). */
  knownParties: string[];
}

/**
 * A body of the Organisation as the reference data record it at this moment: what it may adopt.
 * `adopts` lists the kinds of document (`regulation`, `model_memorandum`, ...) the data confirm the
 * body adopts; an empty list means it adopts none of them; null means the data do not say.
 */
export interface BodyFacts {
  id: string;
  name: string | null;
  adopts: string[] | null;
}

/**
 * Facts about the world the engine reads in the event's transaction and hands to the machine,
 * so the machine stays pure: the member states at this moment (data, not code), the draft.
 */
export interface World {
  memberStates: string[];
  /** Partners holding a memorandum at this moment: what an adopted Regulation/model can affect. */
  memoranda: { partner: string; memorandumId: string }[];
  /** The Organisation's bodies and what each may adopt (reference data valid at this moment). */
  bodies: BodyFacts[];
  draft: DraftFacts | null;
  /** For a procedure filed under a treaty (1(b)): who consents to accession, from the treaty's data. */
  treaty?: TreatyConsentFacts | null;
}

/** Every event a machine receives: the type, a validated payload, who sent it and when. */
export interface WorkflowEvent<T extends string = string, P = Record<string, unknown>> {
  type: T;
  payload: P;
  actor: Actor;
  /** ISO timestamp from the engine's clock. */
  at: string;
  world: World;
}

/** A deadline rule a state carries in its `meta`. */
export interface DeadlineRule {
  /** Length of the period. */
  days: number;
  /** Calendar days (default) or working days (weekends skipped). */
  unit?: 'calendar' | 'working';
  /** Days before the due time at which REMINDER events are delivered. */
  remindBefore: number[];
  /** Who is told when the deadline passes. */
  escalateTo: Role[];
}

/** What every state node carries in `meta`, read by the engine, the API and the web pages. */
export interface StateMeta {
  label: Labels;
  responsible: Role;
  deadline?: DeadlineRule;
  /** Who is told when the state is entered (adoption, signature, entry into force). */
  announce?: Announcement;
}

/** The audience a state announces its entry to: roles, every member state's approvers, the procedure's officers. */
export interface Announcement {
  roles?: Role[];
  memberStates?: 'all';
  procedureOfficers?: boolean;
}

/** What a notification is about: the readers' preferences and the mail templates are per topic. */
export const NOTICE_TOPICS = [
  'round_opened',
  'version_circulated',
  'position_recorded',
  'objection',
  'round_settled',
  'review_requested',
  'stage_reached',
  'procedure_opened',
  'deadline_extended',
  'withdrawn',
  'correction_proposed',
  'correction_recorded',
  'reminder',
  'escalation',
  'info',
] as const;
export type NoticeTopic = (typeof NOTICE_TOPICS)[number];

/** A deadline that is not tied to one state, e.g. one per memorandum assessment in 1(a). */
export interface DynamicDeadline {
  key: string;
  label: Labels;
  dueAt: string;
  remindBefore: number[];
  escalateTo: Role[];
  responsible: Role;
  assignee: string | null;
}

/** Side effects a machine asks for by `emit`-ting one of these; the engine writes them to the outbox. */
export interface OpenChildrenEffect {
  type: 'effect.openChildren';
  children: { definitionId: string; key: string; input: Record<string, unknown> }[];
}

export interface NotifyEffect {
  type: 'effect.notify';
  kind: 'reminder' | 'escalation' | 'info';
  /** What it is about; when absent, the kind (`reminder`, `escalation`, `info`). */
  topic?: NoticeTopic;
  /**
   * Who is told: every user of the roles, the approvers of the member states (acting approvers
   * included), the users named, the procedure's own legal officers; never the users excepted.
   */
  audience: {
    roles?: Role[];
    memberStates?: string[];
    userIds?: string[];
    procedureOfficers?: boolean;
    exceptUserIds?: string[];
  };
  subject: string;
  data?: Record<string, unknown>;
}

/**
 * A deadline given at least its full period again from now (never shortened): e.g. a state that
 * joins an open consensus round gets the whole answer period. The engine moves the open deadline
 * of the state `deadlineKey` later when its period from now ends after the current due time.
 */
export interface FullPeriodEffect {
  type: 'effect.fullPeriod';
  deadlineKey: string;
  reason: string;
}

export type WorkflowEffect = OpenChildrenEffect | NotifyEffect | FullPeriodEffect;

/** Payloads of the events the engine and the deadline processor deliver. */
export interface DeadlinePayload {
  deadlineKey: string;
}
export interface ReminderPayload extends DeadlinePayload {
  daysBefore: number;
}
export interface ChildDonePayload {
  childId: string;
  definitionId: string;
  key: string;
  finalState: string;
  output: Record<string, unknown> | null;
}

export const SYSTEM_EVENTS = ['REMINDER', 'DEADLINE_PASSED', 'CHILD_DONE'] as const;
