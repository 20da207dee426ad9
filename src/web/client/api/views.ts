// The answers this application reads from operations whose success schema the OpenAPI document
// does not declare yet. Each is what the page reads, no more; once the document declares an
// operation's schema, client.ts types the call from the document instead and these give way.
import type { components } from './schema';

/** A text in the SCO's languages ({ en, ru, zh }), or a plain string. */
export type Labels = Partial<Record<'en' | 'ru' | 'zh', string | null>> | string;
export type Role = 'legal_officer' | 'approver' | 'manager' | 'admin';
export type DraftLanguage = 'ru' | 'zh' | 'en';
export type LanguageStatus = 'current' | 'possibly_stale' | 'out_of_date';
export type ChangeKind = string;

/** A JSON Schema as the API publishes it (inputSchema, payloadSchema). */
export interface JsonSchema {
  type?: string;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  description?: string;
  maxLength?: number;
  minimum?: number;
  exclusiveMinimum?: number;
}

export interface DefinitionView {
  id: string;
  measure: string;
  title: Labels;
  description?: string | null;
  startRoles: Role[];
  inputSchema: JsonSchema;
  states: { path: string; type: string; label: Labels | null; transitions?: { event: string; targets: string[] }[] }[];
}

export interface InstanceListItem {
  id: string;
  definitionId: string;
  measure: string | null;
  state: string;
  stateLabel: Labels | null;
  subject: string | null;
  nextDue: string | null;
  overdue: boolean;
  updatedAt: string;
}

export interface InstanceList {
  total: number;
  items: InstanceListItem[];
}

export interface DeadlineView {
  key: string;
  label: Labels | null;
  dueAt: string;
  overdue: boolean;
  daysLeft: number;
}

export interface InstanceView {
  id: string;
  definition: { id: string; measure: string; title: Labels };
  state: string;
  stages: { path: string; label: Labels | null }[];
  status: 'active' | 'done';
  outcome: string | null;
  subject: string | null;
  memorandum: string | null;
  parentId: string | null;
  allowedEvents: { type: string; description?: string; payloadSchema: JsonSchema }[];
  deadlines: DeadlineView[];
  children: {
    id: string;
    definitionId: string;
    key: string | null;
    state: string;
    status: string;
    outcome: string | null;
  }[];
}

export interface HistoryEntry {
  at: string;
  type: string;
  actor: { id: string; role: string; memberState: string | null; actingFor: string | null };
  stateBefore: string | null;
  stateAfter: string;
  payload: Record<string, unknown> | null;
}

export interface ApprovalMatrix {
  approvalRounds: {
    round: number;
    draftVersion: number;
    outcome: string | null;
    openedAt: string;
    closedAt: string | null;
    states: { memberState: string; position: string; text: string | null; at: string | null }[];
  }[];
  commentRounds: {
    round: number;
    draftVersion: number;
    states: { memberState: string; answer: string; text: string | null; at: string | null }[];
  }[];
}

export interface InboxItem {
  instanceId: string;
  definitionId: string;
  measure: string;
  title: Labels;
  stage: string;
  stageLabel: Labels | null;
  draftVersion: number;
  answers: components['schemas']['AnswerDto']['kind'][];
  dueAt: string | null;
  daysLeft: number;
}

export interface AnswerHistoryRow {
  at: string;
  instanceId: string;
  definitionId: string;
  stage: string;
  type: string;
  payload: { kind?: string; draftVersion?: number; text?: string; comments?: string | null } | null;
}

export interface DashboardItem {
  instanceId: string;
  definitionId: string;
  subject: string | null;
  state: string;
  deadlineKey: string;
  label: Labels | null;
  dueAt: string;
  daysOverdue?: number;
  daysLeft?: number;
}

export interface Dashboard {
  generatedAt: string;
  totals: { active: number; done: number; overdue: number; dueThisWeek: number };
  byProcedure: {
    definitionId: string;
    measure: string;
    stages: { state: string; status: string; label: Labels | null; count: number; overdue: number }[];
  }[];
  holdingUp: { memberState: string; items: number; oldestSince: string; days: number; instanceIds: string[] | null }[];
  stageDurations: { definitionId: string; state: string; label: Labels | null; averageDays: number; samples: number }[];
  overdueItems: DashboardItem[];
  dueThisWeekItems: DashboardItem[];
}

export interface NotificationList {
  items: {
    id: string;
    kind: string;
    subject: string;
    readAt: string | null;
    createdAt: string;
    instanceId: string | null;
  }[];
}

export interface DraftArticleView {
  articleId: string;
  number: string;
  drifted: boolean;
  languages: Record<DraftLanguage, LanguageStatus>;
  text: Record<DraftLanguage, string>;
}

export interface DraftVersionView {
  number: number;
  note: string;
  latest?: boolean;
  articles: DraftArticleView[];
  driftedArticles: unknown[];
  englishPossiblyStale: unknown[];
}

export interface DraftDocument {
  title: Labels;
  source: { notice?: Labels | null } | null;
  latest: DraftVersionView | null;
  versions: {
    number: number;
    note: string;
    authorRole: string;
    authorId: string;
    createdAt: string;
    articleCount: number;
    driftedArticleCount: number;
    englishPossiblyStaleCount: number;
  }[];
}

export interface DraftComment {
  articleId: string | null;
  memberState: string | null;
  createdAt: string;
  text: string;
}

export interface RedlineSegment {
  op: 'equal' | 'insert' | 'delete';
  text: string;
}

type ArticleEnds = { from?: { number: string } | null; to?: { number: string } | null };

export interface DraftDiff {
  from: { number: number };
  to: { number: number };
  summary: Record<string, number>;
  languages: DraftLanguage[];
  articles: (ArticleEnds & {
    articleId: string;
    kinds: ChangeKind[];
    redlines: Partial<Record<DraftLanguage, RedlineSegment[]>>;
  })[];
}

export interface Comparison {
  from: { number: number };
  to: { number: number };
  rows: (ArticleEnds & {
    articleId: string;
    kinds: ChangeKind[];
    base: string | null;
    redline: RedlineSegment[];
    language: LanguageStatus | null;
    comments: { memberState: string | null; text: string }[];
  })[];
  generalComments: { memberState: string | null; text: string }[];
  states: {
    memberState: string;
    name: Labels | null;
    position: { kind: string; text: string | null } | null;
    reservations: { draftVersion: number; text: string | null }[];
    responses: { draftVersion: number; hasComments: boolean; comments: string | null }[];
  }[];
}

export interface Consolidation {
  version: number;
  nextVersion: number | null;
  circulation: { round: number; openedAt: string; closedAt: string | null; unanswered: string[] }[];
  articles: {
    articleId: string;
    number: string;
    languages: Record<DraftLanguage, LanguageStatus>;
    addressed: boolean | null;
    nextVersionChange: ChangeKind[];
    secretariat: { text: string }[];
    states: {
      memberState: string;
      comments: { text: string }[];
      position: { kind: string; text: string | null } | null;
      response: { hasComments: boolean } | null;
    }[];
  }[];
}

/** Operation ("METHOD path") -> what this application reads from its answer. */
export interface Undocumented {
  'GET /definitions': DefinitionView[];
  'GET /instances': InstanceList;
  'POST /instances': { instance: { id: string } };
  'GET /instances/{id}': InstanceView;
  'GET /instances/{id}/history': HistoryEntry[];
  'GET /instances/{id}/approvals': ApprovalMatrix;
  'GET /approvals/inbox': { memberState: string; items: InboxItem[] };
  'GET /approvals/history': AnswerHistoryRow[];
  'GET /monitoring/dashboard': Dashboard;
  'GET /notifications': NotificationList;
  'GET /notifications/unread-count': { unread: number };
  'GET /instances/{id}/draft': DraftDocument;
  'GET /instances/{id}/draft/versions/{n}': DraftVersionView;
  'GET /instances/{id}/draft/versions/{n}/comments': DraftComment[];
  'GET /instances/{id}/draft/diff': DraftDiff;
  'GET /instances/{id}/draft/comparison': Comparison;
  'GET /instances/{id}/draft/consolidation': Consolidation;
}
