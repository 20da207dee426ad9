import { Inject, Injectable } from '@nestjs/common';
import { objectionsIn, roundOf, type ConsensusRound, type Position } from '../../workflows/kernel/consensus';
import type { CommentResponse, CommentRound } from '../../workflows/kernel/comment-round';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { RUNTIME, type Runtime } from '../infra/runtime';
import { ReferenceService } from '../reference/reference.service';
import {
  diffArticles as diffWithin,
  DiffBudgetExceeded,
  type ArticleChangeKind,
  type DiffBudget,
  type RedlineSegment,
} from './draft-diff';
import type { Actor } from '../../workflows/kernel/types';
import { readableVersions } from './draft-read-policy';
import { LANGUAGES, type DraftComment, type Lang } from './draft.types';
import { documentView, DraftsService, languageStatus, type InstanceRef, type LanguageStatus } from './drafts.service';

export interface MemberStateName {
  code: string;
  name: Record<Lang, string>;
}

export interface StatePosition {
  round: number;
  stage: string;
  draftVersion: number;
  kind: Position['kind'];
  text: string | null;
  by: string;
  actingFor: string | null;
  at: string;
}

export interface StateResponse {
  round: number;
  draftVersion: number;
  hasComments: boolean;
  comments: string | null;
  by: string;
  actingFor: string | null;
  at: string;
}

export interface ComparisonRow {
  articleId: string;
  kinds: ArticleChangeKind[];
  from: { position: number; number: string } | null;
  to: { position: number; number: string } | null;
  base: string | null;
  proposed: string | null;
  redline: RedlineSegment[];
  /** Status of the proposed text in the chosen language. */
  language: LanguageStatus | null;
  comments: DraftComment[];
}

export interface ComparisonStateColumn {
  memberState: string;
  name: Record<Lang, string>;
  /** The state's position on the proposed version (latest consensus round on it), null when none is recorded. */
  position: StatePosition | null;
  /** Reservations the state entered on this or earlier versions: kept and carried forward. */
  reservations: StatePosition[];
  /** The state's answers to the circulations of the two versions compared. */
  responses: StateResponse[];
}

export interface Comparison {
  document: ReturnType<typeof documentView>;
  procedure: { id: string; definitionId: string; state: string };
  lang: Lang;
  from: { number: number; createdAt: string; authorId: string; note: string };
  to: { number: number; createdAt: string; authorId: string; note: string };
  /** Whether a consensus round was opened on the proposed version, and how it stands. */
  round: {
    number: number;
    stage: string;
    outcome: string;
    objection: { memberState: string; reason: string } | null;
    /** Every objection standing (when settled: at settlement). */
    objections: { memberState: string; text: string }[];
    /** The consensus counts a state as agreeing by silence. */
    settledBySilence: boolean;
    closedEarly: { by: string; reason: string; at: string } | null;
  } | null;
  states: ComparisonStateColumn[];
  rows: ComparisonRow[];
  generalComments: DraftComment[];
  summary: ReturnType<typeof diffWithin>['summary'];
}

/** How the last round on the proposed version stands, for the comparison and its export. */
function comparisonRound(persisted: ConsensusRound): NonNullable<Comparison['round']> {
  const r = roundOf(persisted);
  return {
    number: r.number,
    stage: r.stage,
    outcome: r.outcome,
    objection: r.objection,
    objections: r.outcome === 'open' ? objectionsIn(r) : r.objections,
    settledBySilence: r.settledBySilence,
    closedEarly: r.closedEarly,
  };
}

/**
 * The comparison within the budget the settings give (DIFF_MAX_CHARS, DIFF_TIMEOUT_MS,
 * DIFF_MAX_EDIT_LENGTH); over it, a 413 (too much text) or 422 (too much change) with a sentence.
 */
function diffWithinBudget(
  env: Runtime['env'],
  from: Parameters<typeof diffWithin>[0],
  to: Parameters<typeof diffWithin>[1],
  langs: Parameters<typeof diffWithin>[2],
): ReturnType<typeof diffWithin> {
  const budget: DiffBudget = {
    timeoutMs: env.DIFF_TIMEOUT_MS,
    maxEditLength: env.DIFF_MAX_EDIT_LENGTH,
    maxChars: env.DIFF_MAX_CHARS,
  };
  try {
    return diffWithin(from, to, langs, budget);
  } catch (err) {
    if (err instanceof DiffBudgetExceeded)
      throw new DomainException(err.reason === 'size' ? ErrorCode.TOO_LARGE : ErrorCode.UNPROCESSABLE, err.message);
    throw err;
  }
}

/**
 * What legal officers work from between versions: the article-by-article diff, the
 * consolidation of member states' comments and positions (from the procedure's own record:
 * `context.commentRounds` and `context.rounds`), and the comparison table they circulate.
 */
@Injectable()
export class DraftReviewService {
  constructor(
    private readonly drafts: DraftsService,
    private readonly reference: ReferenceService,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  private diffArticles(...args: Parameters<typeof diffWithin>) {
    return diffWithinBudget(this.runtime.env, args[0], args[1], args[2]);
  }

  async diff(instanceId: string, from: number, to: number, lang?: Lang) {
    const doc = await this.drafts.documentRow(instanceId);
    const [a, b] = await Promise.all([this.drafts.loadVersion(doc.id, from), this.drafts.loadVersion(doc.id, to)]);
    const { articles, summary } = this.diffArticles(a.articles, b.articles, lang ? [lang] : LANGUAGES);
    return {
      from: { number: a.number, createdAt: a.createdAt, authorId: a.authorId, note: a.note },
      to: { number: b.number, createdAt: b.createdAt, authorId: b.authorId, note: b.note },
      languages: lang ? [lang] : [...LANGUAGES],
      summary,
      articles,
    };
  }

  /**
   * With `reader`, what the reader may read (draft-read-policy): for an approver, the member
   * states' comments only, and the next version only once it has been circulated too.
   */
  async consolidation(instanceId: string, versionNumber: number, reader?: Actor) {
    const instance = await this.drafts.instance(instanceId);
    const doc = await this.drafts.documentRow(instanceId);
    const version = await this.drafts.loadVersion(doc.id, versionNumber);
    const latest = await this.drafts.latestNumber(doc.id);
    const readable = reader ? readableVersions(reader, instance) : null;
    const nextReadable = !readable || readable.has(versionNumber + 1);
    const next =
      versionNumber < latest && nextReadable ? await this.drafts.loadVersion(doc.id, versionNumber + 1) : null;
    const changes = next
      ? new Map(this.diffArticles(version.articles, next.articles, []).articles.map((r) => [r.articleId, r.kinds]))
      : null;
    const comments = await this.drafts.commentsOf(doc.id, [versionNumber], reader);
    const record = procedureRecord(instance);
    const circulation = record.commentRounds.filter((r) => r.draftVersion === versionNumber);
    const consensus = record.rounds.filter((r) => r.draftVersion === versionNumber);
    const states = await this.statesFor([
      ...circulation.map((r) => r.electorate),
      ...consensus.map((r) => r.electorate),
    ]);
    const lastPosition = (state: string) => positionOf(consensus, state);
    const lastResponse = (state: string) => responsesOf(circulation, state).at(-1) ?? null;

    return {
      document: documentView(doc),
      procedure: { id: instance.id, definitionId: instance.definitionId, state: instance.state },
      version: versionNumber,
      nextVersion: next?.number ?? null,
      circulation: circulation.map((r) => ({
        round: r.number,
        openedAt: r.openedAt,
        closedAt: r.closedAt,
        unanswered: r.closedAt ? r.unanswered : r.electorate.filter((s) => !r.responses[s]),
        responses: Object.values(r.responses),
      })),
      consensus: consensus.map((r) => ({
        round: r.number,
        stage: r.stage,
        outcome: r.outcome,
        objection: r.objection,
        positions: Object.values(r.positions),
      })),
      generalComments: comments.filter((c) => !c.articleId),
      articles: version.articles.map((a) => {
        const kinds = changes?.get(a.articleId) ?? null;
        const mine = comments.filter((c) => c.articleId === a.articleId);
        return {
          articleId: a.articleId,
          number: a.number,
          position: a.position,
          languages: languageStatus(a),
          /** Whether the next version changed this article (null while there is no next version). */
          addressed: kinds ? !kinds.includes('unchanged') : null,
          nextVersionChange: kinds,
          secretariat: mine.filter((c) => !c.memberState),
          states: states.map((s) => ({
            memberState: s.code,
            name: s.name,
            comments: mine.filter((c) => c.memberState === s.code),
            response: lastResponse(s.code),
            position: lastPosition(s.code),
          })),
        };
      }),
    };
  }

  /** With `reader`, the comments the reader may read (draft-read-policy). */
  async comparison(instanceId: string, from: number, to: number, lang: Lang, reader?: Actor): Promise<Comparison> {
    const instance = await this.drafts.instance(instanceId);
    const doc = await this.drafts.documentRow(instanceId);
    const [a, b] = await Promise.all([this.drafts.loadVersion(doc.id, from), this.drafts.loadVersion(doc.id, to)]);
    const { articles, summary } = this.diffArticles(a.articles, b.articles, [lang]);
    const lo = Math.min(from, to);
    const hi = Math.max(from, to);
    const comments = await this.drafts.commentsOf(
      doc.id,
      Array.from({ length: hi - lo + 1 }, (_, i) => lo + i),
      reader,
    );
    const record = procedureRecord(instance);
    const consensus = record.rounds.filter((r) => r.draftVersion === to);
    const circulation = record.commentRounds.filter((r) => r.draftVersion === from || r.draftVersion === to);
    const states = await this.statesFor([
      ...consensus.map((r) => r.electorate),
      ...circulation.map((r) => r.electorate),
    ]);
    const round = consensus.at(-1) ?? null;
    const before = new Map(a.articles.map((x) => [x.articleId, x]));
    const after = new Map(b.articles.map((x) => [x.articleId, x]));

    return {
      document: documentView(doc),
      procedure: { id: instance.id, definitionId: instance.definitionId, state: instance.state },
      lang,
      from: { number: a.number, createdAt: a.createdAt, authorId: a.authorId, note: a.note },
      to: { number: b.number, createdAt: b.createdAt, authorId: b.authorId, note: b.note },
      round: round ? comparisonRound(round) : null,
      states: states.map((s) => ({
        memberState: s.code,
        name: s.name,
        position: positionOf(consensus, s.code),
        reservations: record.rounds
          .filter((r) => r.draftVersion <= to)
          .flatMap((r) =>
            r.positions[s.code]?.kind === 'agree_with_reservation' ? [toStatePosition(r, r.positions[s.code])] : [],
          ),
        responses: responsesOf(circulation, s.code),
      })),
      rows: articles.map((r) => {
        const old = before.get(r.articleId);
        const cur = after.get(r.articleId);
        return {
          articleId: r.articleId,
          kinds: r.kinds,
          from: r.from,
          to: r.to,
          base: old ? old.text[lang] : null,
          proposed: cur ? cur.text[lang] : null,
          redline: r.redlines[lang] ?? [],
          language: cur ? languageStatus(cur)[lang] : null,
          comments: comments.filter((c) => c.articleId === r.articleId),
        };
      }),
      generalComments: comments.filter((c) => !c.articleId),
      summary,
    };
  }

  /** The member states concerned: the electorate of the procedure's rounds, else those of the reference data today. */
  async statesFor(electorates: string[][]): Promise<MemberStateName[]> {
    const all = await this.reference.memberStates();
    const codes = new Set(electorates.flat());
    const names = new Map(all.map((s) => [s.code, s.name]));
    const list = codes.size ? [...codes].sort() : all.map((s) => s.code);
    return list.map((code) => {
      const n = names.get(code);
      return { code, name: { en: n?.en ?? code, ru: n?.ru ?? code, zh: n?.zh ?? code } };
    });
  }
}

/** The comment rounds and consensus rounds a procedure keeps in its context (empty for procedures without them). */
export function procedureRecord(instance: InstanceRef): { commentRounds: CommentRound[]; rounds: ConsensusRound[] } {
  const c = instance.context as { commentRounds?: unknown; rounds?: unknown };
  return {
    commentRounds: Array.isArray(c.commentRounds) ? (c.commentRounds as CommentRound[]) : [],
    rounds: Array.isArray(c.rounds) ? (c.rounds as ConsensusRound[]) : [],
  };
}

function toStatePosition(r: ConsensusRound, p: Position): StatePosition {
  return {
    round: r.number,
    stage: r.stage,
    draftVersion: r.draftVersion,
    kind: p.kind,
    text: p.text,
    by: p.by,
    actingFor: p.actingFor,
    at: p.at,
  };
}

/** The state's position in the latest round (of those given) where it answered. */
function positionOf(rounds: ConsensusRound[], state: string): StatePosition | null {
  for (let i = rounds.length - 1; i >= 0; i--) {
    const p = rounds[i].positions[state];
    if (p) return toStatePosition(rounds[i], p);
  }
  return null;
}

function responsesOf(rounds: CommentRound[], state: string): StateResponse[] {
  return rounds.flatMap((r) => {
    const x: CommentResponse | undefined = r.responses[state];
    return x
      ? [
          {
            round: r.number,
            draftVersion: r.draftVersion,
            hasComments: x.hasComments,
            comments: x.comments,
            by: x.by,
            actingFor: x.actingFor,
            at: x.at,
          },
        ]
      : [];
  });
}
