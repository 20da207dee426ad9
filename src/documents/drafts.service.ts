import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { Actor, DraftFacts } from '../../workflows/kernel/types';
import { DomainException, ErrorCode, ErrorReason } from '../common/domain.exception';
import { isUuid } from '../common/ids';
import { PgErrorCode, pgErrorCode } from '../common/pg-errors';
import type { DraftFactsProvider } from '../engine/world.service';
import { savedContentHash } from '../record/bundle';
import type { StoredSignature } from '../evidence/signed-statement';
import { CLOCK, type Clock } from '../infra/clock';
import { execute, queryOne, queryRows } from '../infra/sql';
import { ReferenceService } from '../reference/reference.service';
import { checkText, DRAFT_LIMITS } from './draft-limits';
import { assertReadable, readableVersions, visibleComments } from './draft-read-policy';
import type { InstanceRef } from './instance-ref';
export type { InstanceRef } from './instance-ref';
import { sourceNotice, sourceText, type SourceText } from './draft-sources';
import {
  LANGUAGES,
  type ArticleInput,
  type DraftArticle,
  type DraftComment,
  type DraftDocumentRow,
  type DraftVersion,
  type DraftVersionHeader,
  type Lang,
  type SourceKind,
} from './draft.types';
import { carryFreshness, driftedArticleIds, staleEnglishIds } from './language-drift';

export interface CreateDraftCommand {
  source: SourceKind;
  memorandumId?: string;
  title?: Record<Lang, string>;
}

export interface SaveVersionCommand {
  note: string;
  basedOn?: number;
  articles: ArticleInput[];
}

/** What an article's languages look like to a reader: current, out of date (authentic) or possibly stale (English). */
export type LanguageStatus = 'current' | 'out_of_date' | 'possibly_stale';

/**
 * Drafts kept per procedure instance. Saving never changes what exists: every save is a new
 * numbered version (the database refuses UPDATE and DELETE on versions, articles and comments).
 * Also the engine's DraftFactsProvider: the latest version and its drifted articles, read inside
 * the event's transaction.
 */
@Injectable()
export class DraftsService implements DraftFactsProvider {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly reference: ReferenceService,
  ) {}

  // ------------------------------------------------------------------------------------ engine

  async factsFor(manager: EntityManager, instanceId: string): Promise<DraftFacts | null> {
    const doc = await queryOne<{ id: string }>(manager, `SELECT id FROM draft_document WHERE instance_id = $1`, [
      instanceId,
    ]);
    if (!doc) return null;
    // Every version with its author (the four-eyes rule reads who wrote what); the last one is the latest.
    const versions = await queryRows<{ id: string; number: number; author_id: string }>(
      manager,
      `SELECT id, number, author_id FROM draft_version WHERE document_id = $1 ORDER BY number`,
      [doc.id],
    );
    const latest = versions[versions.length - 1];
    if (!latest) return { latestVersion: 0, driftedArticles: [], versions: [] };
    const drifted = await queryRows<{ article_id: string }>(
      manager,
      `SELECT article_id FROM draft_article WHERE version_id = $1 AND out_of_date && ARRAY['ru', 'zh'] ORDER BY position`,
      [latest.id],
    );
    return {
      latestVersion: latest.number,
      driftedArticles: drifted.map((r) => r.article_id),
      versions: versions.map((v) => ({ number: v.number, author: v.author_id })),
    };
  }

  /**
   * The facts above as one SQL expression over `instanceId` (a column of the engine's lock
   * statement): `{versions: [{number, author}], drifted: [article ids]}`, or null without a draft.
   */
  factsColumn(instanceId: string): string {
    return `(SELECT json_build_object(
        'versions', coalesce((SELECT json_agg(json_build_object('number', v.number, 'author', v.author_id) ORDER BY v.number)
                                FROM draft_version v WHERE v.document_id = d.id), '[]'::json),
        'drifted', coalesce((SELECT json_agg(a.article_id ORDER BY a.position) FROM draft_article a
                              WHERE a.version_id = (SELECT lv.id FROM draft_version lv WHERE lv.document_id = d.id ORDER BY lv.number DESC LIMIT 1)
                                AND a.out_of_date && ARRAY['ru', 'zh']), '[]'::json))
      FROM draft_document d WHERE d.instance_id = ${instanceId})`;
  }

  factsFrom(value: unknown): DraftFacts | null {
    if (value === null || value === undefined) return null;
    const raw = value as { versions: { number: number; author: string }[]; drifted: string[] };
    const latest = raw.versions[raw.versions.length - 1];
    if (!latest) return { latestVersion: 0, driftedArticles: [], versions: [] };
    return {
      latestVersion: latest.number,
      driftedArticles: raw.drifted,
      versions: raw.versions.map((v) => ({ number: v.number, author: v.author })),
    };
  }

  // ------------------------------------------------------------------------------------ writes

  async create(instanceId: string, cmd: CreateDraftCommand, actor: Actor) {
    const instance = await this.instance(instanceId);
    if (instance.status !== 'active') throw closed(instance);
    const now = this.clock.now();
    let text: SourceText | null = null;
    let sourceRef: string | null = null;
    if (cmd.source === 'memorandum') {
      const memorandumId = cmd.memorandumId ?? instance.memorandum;
      if (!memorandumId)
        throw new DomainException(
          ErrorCode.INVALID_PAYLOAD,
          'Name the memorandum to start from (memorandumId, e.g. mem-TR); this procedure is not about one memorandum.',
        );
      const held = (await this.reference.memoranda(now)).find((m) => m.memorandumId === memorandumId);
      if (!held)
        throw new DomainException(
          ErrorCode.NOT_FOUND,
          `There is no memorandum "${memorandumId}" in force in the reference data.`,
          { memorandumId },
        );
      const partner = (await this.reference.partners(now)).find((p) => p.code === held.partner);
      const names = partner?.name ?? { en: null, ru: null, zh: null };
      text = sourceText('memorandum', {
        en: names.en ?? held.partner,
        ru: names.ru ?? held.partner,
        zh: names.zh ?? held.partner,
      });
      sourceRef = memorandumId;
    } else if (cmd.source !== 'blank') {
      if (cmd.memorandumId)
        throw new DomainException(
          ErrorCode.INVALID_PAYLOAD,
          `memorandumId only goes with the source "memorandum", not "${cmd.source}".`,
        );
      text = sourceText(cmd.source);
    }
    const title = cmd.title ?? text?.title;
    if (!title)
      throw new DomainException(
        ErrorCode.INVALID_PAYLOAD,
        'A blank draft needs a title in the three languages (title.en, title.ru, title.zh).',
      );
    for (const l of LANGUAGES) checkText(`title.${l}`, title[l], DRAFT_LIMITS.title);

    const documentId = randomUUID();
    try {
      await this.ds.transaction(async (m) => {
        await this.lockInstance(m, instanceId);
        await execute(
          m,
          `INSERT INTO draft_document (id, instance_id, title, source_kind, source_ref, created_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
          [documentId, instanceId, title, cmd.source, sourceRef, actor.id, now],
        );
        if (text && text.articles.length) {
          const articles = text.articles.map((a) => ({ number: a.number, ru: a.ru, zh: a.zh, en: a.en }));
          await this.insertVersion(
            m,
            documentId,
            1,
            null,
            articles,
            new Map(),
            `Created from ${describeSource(cmd.source, sourceRef)}`,
            actor,
            now,
          );
        }
      });
    } catch (err) {
      if (pgErrorCode(err) === PgErrorCode.UNIQUE_VIOLATION)
        throw new DomainException(
          ErrorCode.CONFLICT,
          'This procedure already has a draft; save a new version of it instead.',
        );
      throw err;
    }
    return this.document(instanceId);
  }

  async saveVersion(instanceId: string, cmd: SaveVersionCommand, actor: Actor) {
    if (cmd.articles.length > DRAFT_LIMITS.articlesPerVersion)
      throw new DomainException(
        ErrorCode.TOO_LARGE,
        `A version holds at most ${DRAFT_LIMITS.articlesPerVersion} articles; this one has ${cmd.articles.length}.`,
        {
          limit: DRAFT_LIMITS.articlesPerVersion,
        },
      );
    checkText('note', cmd.note, DRAFT_LIMITS.note);
    cmd.articles.forEach((a, i) => {
      for (const l of LANGUAGES) checkText(`articles[${i}].${l}`, a[l], DRAFT_LIMITS.articleText);
    });
    const numbers = new Map<string, number>();
    cmd.articles.forEach((a, i) => {
      const seen = numbers.get(a.number);
      if (seen !== undefined)
        throw new DomainException(
          ErrorCode.INVALID_PAYLOAD,
          `Article number "${a.number}" is used twice (articles[${seen}] and articles[${i}]).`,
        );
      numbers.set(a.number, i);
    });

    const number = await this.ds.transaction(async (m) => {
      const instance = await this.lockInstance(m, instanceId);
      if (instance.status !== 'active') throw closed(instance);
      const doc = await queryOne<{ id: string }>(m, `SELECT id FROM draft_document WHERE instance_id = $1`, [
        instanceId,
      ]);
      if (!doc) throw noDraft();
      // One save of a document at a time. A transaction lock rather than FOR UPDATE on the document
      // row: row locks need UPDATE privilege, and the service's role has none on evidence tables.
      await m.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`draft_document:${doc.id}`]);
      const latest = await queryOne<Pick<StoredVersion, 'number' | 'author_id' | 'created_at' | 'content_hash'>>(
        m,
        `SELECT number, author_id, created_at, content_hash FROM draft_version WHERE document_id = $1 ORDER BY number DESC LIMIT 1`,
        [doc.id],
      );
      const latestNumber: number = latest?.number ?? 0;
      if (cmd.basedOn !== undefined && cmd.basedOn !== latestNumber)
        throw new DomainException(
          ErrorCode.CONFLICT,
          latest
            ? `Version ${latestNumber} was saved by ${latest.author_id} at ${new Date(latest.created_at).toISOString()} after the version ${cmd.basedOn} you edited; reload it and apply your changes to it.`
            : `This draft has no version yet; basedOn must be left out.`,
          { reason: ErrorReason.STALE_VERSION, latestVersion: latestNumber },
        );
      const known = await this.lastStateOfEveryArticle(m, doc.id);
      const seenIds = new Set<string>();
      cmd.articles.forEach((a, i) => {
        if (!a.articleId) return;
        if (seenIds.has(a.articleId))
          throw new DomainException(
            ErrorCode.INVALID_PAYLOAD,
            `articles[${i}]: article ${a.articleId} appears twice in this version.`,
          );
        seenIds.add(a.articleId);
        if (!known.has(a.articleId))
          throw new DomainException(
            ErrorCode.INVALID_PAYLOAD,
            `articles[${i}]: article ${a.articleId} is not an article of this draft; leave articleId out for a new article.`,
          );
      });
      const written = await this.insertVersion(
        m,
        doc.id,
        latestNumber + 1,
        latest ? latestNumber : null,
        cmd.articles,
        known,
        cmd.note,
        actor,
        this.clock.now(),
      );
      if (latest && written.contentHash === latest.content_hash) {
        const previous = await this.articlesOf(m, doc.id, latestNumber);
        const same =
          previous.length === written.articles.length &&
          previous.every((p, i) => sameLanguages(p.outOfDate, written.articles[i].outOfDate));
        if (same)
          throw new DomainException(
            ErrorCode.CONFLICT,
            `Nothing changed since version ${latestNumber}: a new version needs a change in its text, order, numbering or language status.`,
          );
      }
      return written.number;
    });
    return this.version(instanceId, number);
  }

  async addComment(
    instanceId: string,
    versionNumber: number,
    cmd: { articleId?: string | null; text: string },
    actor: Actor,
    /** A member state's signed statement of this comment (signed-comments.service.ts), stored with it. */
    signature: StoredSignature | null = null,
  ): Promise<DraftComment> {
    checkText('text', cmd.text, DRAFT_LIMITS.comment);
    if (!cmd.text.trim()) throw new DomainException(ErrorCode.INVALID_PAYLOAD, 'A comment needs some text.');
    let memberState: string | null = null;
    if (actor.role === 'approver') {
      if (!actor.memberState)
        throw new DomainException(
          ErrorCode.FORBIDDEN,
          'Your account is not attached to a member state, so you cannot comment for one.',
        );
      memberState = actor.memberState;
    } else if (actor.role !== 'legal_officer') {
      throw new DomainException(
        ErrorCode.FORBIDDEN,
        `Comments are made by member-state approvers and by legal officers (for the Secretariat); you are ${actor.role}.`,
      );
    }
    const instance = await this.instance(instanceId);
    if (instance.status !== 'active') throw closed(instance);
    const doc = await this.documentRow(instanceId);
    const version = await this.versionHeader(this.ds.manager, doc.id, versionNumber);
    if (cmd.articleId) {
      const article = await queryOne<{ found: number }>(
        this.ds,
        `SELECT 1 AS found FROM draft_article a JOIN draft_version v ON v.id = a.version_id WHERE v.document_id = $1 AND v.number = $2 AND a.article_id = $3`,
        [doc.id, version.number, cmd.articleId],
      );
      if (!article)
        throw new DomainException(ErrorCode.NOT_FOUND, `Version ${version.number} has no article ${cmd.articleId}.`, {
          articleId: cmd.articleId,
        });
    }
    const id = randomUUID();
    const now = this.clock.now();
    try {
      await execute(
        this.ds,
        `INSERT INTO draft_comment (id, document_id, version_number, article_id, author_id, author_role, member_state, acting_for, text, created_at, signature)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)`,
        [
          id,
          doc.id,
          version.number,
          cmd.articleId ?? null,
          actor.id,
          actor.role,
          memberState,
          actor.actingFor,
          cmd.text,
          now,
          signature ? JSON.stringify(signature) : null,
        ],
      );
    } catch (err) {
      if (signature && pgErrorCode(err) === PgErrorCode.UNIQUE_VIOLATION)
        throw new DomainException(
          ErrorCode.CONFLICT,
          'This signed statement was already recorded; a statement is used once. Ask for a new statement.',
        );
      throw err;
    }
    return {
      id,
      version: version.number,
      articleId: cmd.articleId ?? null,
      authorId: actor.id,
      authorRole: actor.role,
      memberState,
      actingFor: actor.actingFor,
      text: cmd.text,
      createdAt: now.toISOString(),
    };
  }

  // ------------------------------------------------------------------------------------ reads

  /** Throws 404 unless `actor` may read every one of `versions` (draft-read-policy.ts). */
  async assertReadable(actor: Actor, instanceId: string, versions: readonly number[]): Promise<void> {
    assertReadable(actor, await this.instance(instanceId), versions);
  }

  /** The draft as `actor` may read it: an approver sees only circulated versions (latest: the last of them). */
  async document(instanceId: string, actor?: Actor) {
    const readable = actor ? readableVersions(actor, await this.instance(instanceId)) : null;
    const doc = await this.documentRow(instanceId);
    const all = await queryRows<VersionHeaderRow & { articles: number; drifted: number; english_stale: number }>(
      this.ds,
      `SELECT v.number, v.author_id, v.author_role, v.note, v.created_at, v.based_on, v.content_hash,
              count(a.article_id)::int AS articles,
              count(a.article_id) FILTER (WHERE a.out_of_date && ARRAY['ru', 'zh'])::int AS drifted,
              count(a.article_id) FILTER (WHERE 'en' = ANY(a.out_of_date))::int AS english_stale
         FROM draft_version v LEFT JOIN draft_article a ON a.version_id = v.id
        WHERE v.document_id = $1 GROUP BY v.id ORDER BY v.number`,
      [doc.id],
    );
    const versions = readable ? all.filter((v) => readable.has(v.number)) : all;
    const latestNumber = versions.length ? versions[versions.length - 1].number : null;
    return {
      ...documentView(doc),
      latest: latestNumber === null ? null : await this.version(instanceId, latestNumber),
      versions: versions.map((v) => ({
        ...headerOf(v),
        articleCount: v.articles,
        driftedArticleCount: v.drifted,
        englishPossiblyStaleCount: v.english_stale,
      })),
    };
  }

  async version(instanceId: string, number: number) {
    const doc = await this.documentRow(instanceId);
    const v = await this.loadVersion(doc.id, number);
    const [latest] = await queryRows<{ n: number | null }>(
      this.ds,
      `SELECT max(number)::int AS n FROM draft_version WHERE document_id = $1`,
      [doc.id],
    );
    return versionView(v, latest.n === v.number);
  }

  async comments(instanceId: string, versionNumber: number, reader?: Actor): Promise<DraftComment[]> {
    const doc = await this.documentRow(instanceId);
    const version = await this.versionHeader(this.ds.manager, doc.id, versionNumber);
    return this.commentsOf(doc.id, [version.number], reader);
  }

  /**
   * Hides a comment from the views (`hide`) or shows it again (`show`): a moderation record, never
   * a change of the comment, which stays as it was for the record.
   */
  async moderateComment(
    instanceId: string,
    versionNumber: number,
    commentId: string,
    action: 'hide' | 'show',
    reason: string,
    actor: Actor,
  ): Promise<{ commentId: string; hidden: boolean; reason: string; at: string }> {
    const doc = await this.documentRow(instanceId);
    const [comment] = await this.ds.query<{ id: string }[]>(
      `SELECT id FROM draft_comment WHERE document_id = $1 AND version_number = $2 AND id::text = $3`,
      [doc.id, versionNumber, commentId],
    );
    if (!comment)
      throw new DomainException(
        ErrorCode.NOT_FOUND,
        `Version ${versionNumber} of this draft has no comment with id "${commentId.slice(0, 60)}".`,
      );
    const at = this.clock.now();
    await this.ds.query(
      `INSERT INTO draft_comment_moderation (comment_id, action, reason, actor_id, at) VALUES ($1, $2, $3, $4, $5)`,
      [comment.id, action, reason, actor.id, at],
    );
    return { commentId: comment.id, hidden: action === 'hide', reason, at: at.toISOString() };
  }

  /** Comments on the given versions, oldest first; with `reader`, only those the reader may read (draft-read-policy). */
  async commentsOf(documentId: string, versions: number[], reader?: Actor): Promise<DraftComment[]> {
    // A comment a legal officer hid (its latest moderation record is 'hide') is left out of every view.
    const rows = await queryRows<StoredComment>(
      this.ds,
      `SELECT c.* FROM draft_comment c
        WHERE c.document_id = $1 AND c.version_number = ANY($2::int[])
          AND coalesce((SELECT m.action FROM draft_comment_moderation m WHERE m.comment_id = c.id ORDER BY m.seq DESC LIMIT 1), 'show') <> 'hide'
        ORDER BY c.seq`,
      [documentId, versions],
    );
    return visibleComments(
      reader,
      rows.map((r) => ({
        id: r.id,
        version: r.version_number,
        articleId: r.article_id,
        authorId: r.author_id,
        authorRole: r.author_role,
        memberState: r.member_state,
        actingFor: r.acting_for,
        text: r.text,
        createdAt: new Date(r.created_at).toISOString(),
      })),
    );
  }

  /** One version with its articles, or 404. */
  async loadVersion(documentId: string, number: number): Promise<DraftVersion> {
    const header = await this.versionHeader(this.ds.manager, documentId, number);
    return { ...header, articles: await this.articlesOf(this.ds.manager, documentId, number) };
  }

  async documentRow(instanceId: string): Promise<DraftDocumentRow> {
    await this.instance(instanceId);
    const row = await queryOne<StoredDocument>(this.ds, `SELECT * FROM draft_document WHERE instance_id = $1`, [
      instanceId,
    ]);
    if (!row) throw noDraft();
    return {
      id: row.id,
      instanceId: row.instance_id,
      title: row.title,
      sourceKind: row.source_kind,
      sourceRef: row.source_ref,
      createdBy: row.created_by,
      createdAt: new Date(row.created_at).toISOString(),
    };
  }

  /** The procedure instance, or 404. */
  async instance(instanceId: string): Promise<InstanceRef> {
    if (!isUuid(instanceId)) throw noInstance(instanceId);
    const row = await queryOne<InstanceRefRow>(
      this.ds,
      `SELECT id, definition_id, status, state_path, memorandum, partner, snapshot FROM workflow_instance WHERE id = $1`,
      [instanceId],
    );
    if (!row) throw noInstance(instanceId);
    return instanceRef(row);
  }

  /** The latest version number of a document (0 when it has none). */
  async latestNumber(documentId: string): Promise<number> {
    const [row] = await queryRows<{ n: number }>(
      this.ds,
      `SELECT coalesce(max(number), 0)::int AS n FROM draft_version WHERE document_id = $1`,
      [documentId],
    );
    return row.n;
  }

  // ------------------------------------------------------------------------------------ internals

  private async lockInstance(m: EntityManager, instanceId: string): Promise<InstanceRef> {
    if (!isUuid(instanceId)) throw noInstance(instanceId);
    // FOR SHARE: a version save waits for an event being applied to the procedure (which locks
    // the row FOR UPDATE), so the engine never judges a draft that is half saved.
    const row = await queryOne<InstanceRefRow>(
      m,
      `SELECT id, definition_id, status, state_path, memorandum, partner, snapshot FROM workflow_instance WHERE id = $1 FOR SHARE`,
      [instanceId],
    );
    if (!row) throw noInstance(instanceId);
    return instanceRef(row);
  }

  private async versionHeader(
    m: EntityManager,
    documentId: string,
    number: number,
  ): Promise<DraftVersionHeader & { id: string }> {
    const row = await queryOne<StoredVersion>(m, `SELECT * FROM draft_version WHERE document_id = $1 AND number = $2`, [
      documentId,
      number,
    ]);
    if (!row) {
      const [latest] = await queryRows<{ n: number }>(
        m,
        `SELECT coalesce(max(number), 0)::int AS n FROM draft_version WHERE document_id = $1`,
        [documentId],
      );
      throw new DomainException(
        ErrorCode.NOT_FOUND,
        latest.n
          ? `There is no version ${number}; the versions are 1 to ${latest.n}.`
          : 'This draft has no version yet.',
        {
          latestVersion: latest.n,
        },
      );
    }
    return { id: row.id, ...headerOf(row) };
  }

  private async articlesOf(m: EntityManager, documentId: string, number: number): Promise<DraftArticle[]> {
    const rows = await queryRows<StoredArticle>(
      m,
      `SELECT a.* FROM draft_article a JOIN draft_version v ON v.id = a.version_id WHERE v.document_id = $1 AND v.number = $2 ORDER BY a.position`,
      [documentId, number],
    );
    return rows.map(articleOf);
  }

  /** Each article ever in the document, as it stood in the last version that held it. */
  private async lastStateOfEveryArticle(m: EntityManager, documentId: string): Promise<Map<string, DraftArticle>> {
    const rows = await queryRows<StoredArticle>(
      m,
      `SELECT DISTINCT ON (a.article_id) a.* FROM draft_article a JOIN draft_version v ON v.id = a.version_id
        WHERE v.document_id = $1 ORDER BY a.article_id, v.number DESC`,
      [documentId],
    );
    return new Map(rows.map((r) => [r.article_id, articleOf(r)]));
  }

  private async insertVersion(
    m: EntityManager,
    documentId: string,
    number: number,
    basedOn: number | null,
    input: ArticleInput[],
    known: Map<string, DraftArticle>,
    note: string,
    actor: Actor,
    now: Date,
  ): Promise<{ number: number; contentHash: string; articles: DraftArticle[] }> {
    const articles: DraftArticle[] = input.map((a, i) => {
      const articleId = a.articleId ?? randomUUID();
      const text = { ru: a.ru, zh: a.zh, en: a.en };
      const confirm = a.confirm ?? [];
      const freshness = carryFreshness(known.get(articleId), text, number, confirm);
      return {
        articleId,
        position: i + 1,
        number: a.number,
        text,
        ...freshness,
        confirmed: LANGUAGES.filter((l) => confirm.includes(l)),
      };
    });
    // The evidence verifier recomputes the same hash from the texts (a text changed after saving shows).
    const contentHash = savedContentHash(articles);
    const versionId = randomUUID();
    await execute(
      m,
      `INSERT INTO draft_version (id, document_id, number, author_id, author_role, note, created_at, based_on, content_hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)`,
      [versionId, documentId, number, actor.id, actor.role, note, now, basedOn, contentHash],
    );
    if (articles.length) {
      await execute(
        m,
        `INSERT INTO draft_article (version_id, article_id, position, number, text_ru, text_zh, text_en,
           updated_ru_at_version, updated_zh_at_version, updated_en_at_version, out_of_date, confirmed)
         SELECT $1, x.article_id, x.position, x.number, x.text_ru, x.text_zh, x.text_en, x.ru_v, x.zh_v, x.en_v,
                string_to_array(x.out_of_date, ',')::text[], string_to_array(x.confirmed, ',')::text[]
           FROM jsonb_to_recordset($2::jsonb) AS x(article_id uuid, position int, number text, text_ru text, text_zh text, text_en text,
                                                   ru_v int, zh_v int, en_v int, out_of_date text, confirmed text)`,
        [
          versionId,
          JSON.stringify(
            articles.map((a) => ({
              article_id: a.articleId,
              position: a.position,
              number: a.number,
              text_ru: a.text.ru,
              text_zh: a.text.zh,
              text_en: a.text.en,
              ru_v: a.updatedAtVersion.ru,
              zh_v: a.updatedAtVersion.zh,
              en_v: a.updatedAtVersion.en,
              out_of_date: a.outOfDate.join(','),
              confirmed: a.confirmed.join(','),
            })),
          ),
        ],
      );
    }
    return { number, contentHash, articles };
  }
}

// ---------------------------------------------------------------------------------------------
// Rows as PostgreSQL gives them (see the Documents and Engine migrations).

/** A draft_document row. */
interface StoredDocument {
  id: string;
  instance_id: string;
  title: Record<Lang, string>;
  source_kind: SourceKind;
  source_ref: string | null;
  created_by: string;
  created_at: Date;
}

/** A draft_version row. */
interface StoredVersion {
  id: string;
  document_id: string;
  number: number;
  author_id: string;
  author_role: string;
  note: string;
  created_at: Date;
  based_on: number | null;
  content_hash: string;
}

type VersionHeaderRow = Pick<
  StoredVersion,
  'number' | 'author_id' | 'author_role' | 'note' | 'created_at' | 'based_on' | 'content_hash'
>;

/** A draft_article row. */
interface StoredArticle {
  version_id: string;
  article_id: string;
  position: number;
  number: string;
  text_ru: string;
  text_zh: string;
  text_en: string;
  updated_ru_at_version: number;
  updated_zh_at_version: number;
  updated_en_at_version: number;
  out_of_date: string[];
  confirmed: string[];
}

/** A draft_comment row. */
interface StoredComment {
  id: string;
  /** bigint: pg gives it as a string */
  seq: string;
  document_id: string;
  version_number: number;
  article_id: string | null;
  author_id: string;
  author_role: string;
  member_state: string | null;
  acting_for: string | null;
  text: string;
  created_at: Date;
}

/** The workflow_instance columns a draft needs. */
interface InstanceRefRow {
  id: string;
  definition_id: string;
  status: InstanceRef['status'];
  state_path: string;
  memorandum: string | null;
  partner: string | null;
  snapshot: { context?: Record<string, unknown> };
}

function instanceRef(row: InstanceRefRow): InstanceRef {
  return {
    id: row.id,
    definitionId: row.definition_id,
    status: row.status,
    state: row.state_path,
    memorandum: row.memorandum,
    partner: row.partner,
    context: row.snapshot?.context ?? {},
  };
}

function headerOf(row: VersionHeaderRow): DraftVersionHeader {
  return {
    number: row.number,
    authorId: row.author_id,
    authorRole: row.author_role,
    note: row.note,
    createdAt: new Date(row.created_at).toISOString(),
    basedOn: row.based_on,
    contentHash: row.content_hash,
  };
}

function articleOf(r: StoredArticle): DraftArticle {
  return {
    articleId: r.article_id,
    position: r.position,
    number: r.number,
    text: { ru: r.text_ru, zh: r.text_zh, en: r.text_en },
    updatedAtVersion: { ru: r.updated_ru_at_version, zh: r.updated_zh_at_version, en: r.updated_en_at_version },
    outOfDate: LANGUAGES.filter((l) => r.out_of_date.includes(l)),
    confirmed: LANGUAGES.filter((l) => r.confirmed.includes(l)),
  };
}

export function languageStatus(a: DraftArticle): Record<Lang, LanguageStatus> {
  return {
    ru: a.outOfDate.includes('ru') ? 'out_of_date' : 'current',
    zh: a.outOfDate.includes('zh') ? 'out_of_date' : 'current',
    en: a.outOfDate.includes('en') ? 'possibly_stale' : 'current',
  };
}

export function versionView(v: DraftVersion, latest: boolean) {
  const drifted = new Set(driftedArticleIds(v.articles));
  return {
    number: v.number,
    latest,
    authorId: v.authorId,
    authorRole: v.authorRole,
    note: v.note,
    createdAt: v.createdAt,
    basedOn: v.basedOn,
    contentHash: v.contentHash,
    /** Articles whose Russian and Chinese texts disagree: the version cannot be sent on until they are updated. */
    driftedArticles: [...drifted],
    /** Articles whose English working text may be stale (never blocks). */
    englishPossiblyStale: staleEnglishIds(v.articles),
    articles: v.articles.map((a) => ({
      articleId: a.articleId,
      position: a.position,
      number: a.number,
      text: a.text,
      updatedAtVersion: a.updatedAtVersion,
      languages: languageStatus(a),
      drifted: drifted.has(a.articleId),
      confirmed: a.confirmed,
    })),
  };
}

export function documentView(doc: DraftDocumentRow) {
  return {
    id: doc.id,
    instanceId: doc.instanceId,
    title: doc.title,
    source: { kind: doc.sourceKind, ref: doc.sourceRef, notice: sourceNotice(doc.sourceKind) },
    createdBy: doc.createdBy,
    createdAt: doc.createdAt,
  };
}

function sameLanguages(a: readonly Lang[], b: readonly Lang[]): boolean {
  return a.length === b.length && a.every((l) => b.includes(l));
}

function describeSource(kind: SourceKind, ref: string | null): string {
  if (kind === 'regulation') return 'the current text of the Regulation';
  if (kind === 'model_memorandum') return 'the model Memorandum';
  return `the memorandum ${ref}`;
}

function closed(instance: InstanceRef): DomainException {
  return new DomainException(
    ErrorCode.CONFLICT,
    `This procedure is closed (${instance.state}); its draft is kept as it stands and takes no new versions or drafts.`,
    {
      state: instance.state,
    },
  );
}

function noDraft(): DomainException {
  return new DomainException(
    ErrorCode.NOT_FOUND,
    'This procedure has no draft yet: create it with POST /instances/:id/draft.',
  );
}

function noInstance(id: string): DomainException {
  return new DomainException(ErrorCode.NOT_FOUND, `There is no procedure with id "${id}".`);
}
