import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { World } from '../../workflows/kernel/types';
import type { DefinitionRegistry } from '../../workflows/registry';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { isUuid } from '../common/ids';
import { DEFINITIONS } from '../engine/engine.types';
import { OutboxRelay } from '../engine/outbox.relay';
import { WorldService } from '../engine/world.service';
import { CLOCK, type Clock } from '../infra/clock';
import { RUNTIME, type Runtime } from '../infra/runtime';
import { queryOne, queryRows } from '../infra/sql';
import { BUNDLE_FORMAT, BUNDLE_VERSION, type EvidenceBundle } from './bundle';
import { signCheckpoint, type ServiceKey } from './checkpoint';
import { SERVICE_KEY } from './service-key';
import { draftContentHash } from '../evidence/signed-statement';
import { verifyBundle, type VerificationReport } from './verify-bundle';

interface InstanceRow {
  id: string;
  definition_id: string;
  definition_version: number;
  subject: string;
  state_path: string;
  status: 'active' | 'done';
  seq: number;
  last_hash: string;
  snapshot: Record<string, unknown>;
}

interface EventRow {
  seq: number;
  type: string;
  payload: unknown;
  actor_id: string;
  actor_role: string;
  actor_member_state: string | null;
  acting_for: string | null;
  definition_version: number;
  state_before: string | null;
  state_after: string;
  at: Date;
  prev_hash: string;
  hash: string;
  signature: unknown;
  /** The facts the machine was handed with the event; null for events recorded before they were kept. */
  world: World | null;
}

interface CheckpointRow {
  instance_id: string;
  seq: number;
  head_hash: string;
  at: Date;
  reason: 'periodic' | 'closed';
  key_id: string;
  public_key: string;
  signature: string;
}

interface KeyRecordRow {
  id: string;
  key_id: string;
  user_id: string;
  action: 'register' | 'rotate' | 'revoke' | 'confirm';
  label: string | null;
  key: unknown;
  replaces: string | null;
  reason: string | null;
  by_id: string;
  by_role: string;
  at: Date;
  statement: unknown;
  endorsement: unknown;
  confirms: string | null;
}

const CHECKPOINT_BATCH = 500;

/**
 * The evidence of a procedure: the bundle (`GET /instances/:id/evidence`), the server's verify
 * (the same checks as the offline verifier, on a bundle built from the database), and the
 * service's signed checkpoints of chain heads (periodic job, and when a procedure closes).
 */
@Injectable()
export class EvidenceService implements OnModuleInit, OnApplicationBootstrap {
  private readonly log = new Logger('Evidence');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(DEFINITIONS) private readonly registry: DefinitionRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SERVICE_KEY) private readonly key: ServiceKey,
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly world: WorldService,
    private readonly outbox: OutboxRelay,
  ) {}

  onModuleInit(): void {
    this.outbox.register('evidence.checkpoint', async (message) => {
      const written = await this.checkpoint(message.payload.instanceId, message.payload.seq, 'closed');
      return written ? undefined : 'already checkpointed';
    });
  }

  /**
   * Says so when the service's connection could rewrite evidence (a superuser, or the schema's
   * owner): the triggers still refuse, but production connects as amendflow_app (docs/evidence.md).
   */
  async onApplicationBootstrap(): Promise<void> {
    if (this.runtime.env.NODE_ENV === 'test') return;
    try {
      const [r] = await queryRows<{ who: string; rewrite: boolean }>(
        this.ds,
        `SELECT current_user AS who,
                has_table_privilege('workflow_event', 'UPDATE') OR has_table_privilege('workflow_event', 'DELETE') AS rewrite`,
      );
      if (r?.rewrite)
        this.log.warn(
          `The service connects to PostgreSQL as ${r.who}, which may update or delete evidence rows: for development only; connect as amendflow_app in production (docs/evidence.md)`,
        );
    } catch {
      // the database is out of reach at start: health reports it
    }
  }

  /** The service's public key, as published with the checkpoints. */
  serviceKey() {
    return { algorithm: 'Ed25519' as const, keyId: this.key.keyId, publicKey: this.key.publicKey };
  }

  /** The evidence bundle of one procedure (docs/evidence.md). `texts`: include every draft version's full text. */
  async bundle(id: string, options: { texts: boolean }): Promise<EvidenceBundle> {
    const row = await this.instance(id);
    const events = await queryRows<EventRow>(
      this.ds,
      // the shared facts an event names, with its own (the draft) put back: the facts as the machine saw them
      `SELECT e.seq, e.type, e.payload, e.actor_id, e.actor_role, e.actor_member_state, e.acting_for, e.definition_version,
              e.state_before, e.state_after, e.at, e.prev_hash, e.hash, e.signature,
              CASE WHEN e.world_facts IS NULL THEN e.world
                   ELSE f.facts || jsonb_build_object('draft', coalesce(e.world -> 'draft', 'null'::jsonb)) END AS world
         FROM workflow_event e LEFT JOIN world_facts f ON f.hash = e.world_facts
        WHERE e.instance_id = $1 ORDER BY e.seq`,
      [id],
    );
    const worlds = new Map<number, World>();
    const worldAt = async (at: Date): Promise<World> => {
      const known = worlds.get(at.getTime());
      if (known) return known;
      const w = await this.world.for(this.ds.manager, null, at);
      worlds.set(at.getTime(), w);
      return w;
    };
    const bundleEvents: EvidenceBundle['events'] = [];
    for (const e of events) {
      // the facts stored with the event; for events recorded before they were kept, the versioned
      // reference data of that moment
      const w = e.world ?? (await worldAt(new Date(e.at)));
      bundleEvents.push({
        seq: e.seq,
        type: e.type,
        payload: e.payload,
        actor: { id: e.actor_id, role: e.actor_role, memberState: e.actor_member_state, actingFor: e.acting_for },
        definitionVersion: e.definition_version,
        stateBefore: e.state_before,
        stateAfter: e.state_after,
        at: new Date(e.at).toISOString(),
        prevHash: e.prev_hash,
        hash: e.hash,
        signature: e.signature ?? null,
        world: e.world
          ? { ...e.world }
          : { memberStates: w.memberStates, memoranda: w.memoranda, bodies: w.bodies, draft: null },
      });
    }
    const awaiting = await queryRows<{ member_state: string; question: string; round: number; draft_version: number }>(
      this.ds,
      `SELECT member_state, question, round, draft_version FROM awaiting_answer WHERE instance_id = $1 ORDER BY member_state`,
      [id],
    );
    const comments = await queryRows<{
      id: string;
      version_number: number;
      article_id: string | null;
      author_id: string;
      member_state: string | null;
      acting_for: string | null;
      text: string;
      created_at: Date;
      signature: unknown;
    }>(
      this.ds,
      `SELECT c.id, c.version_number, c.article_id, c.author_id, c.member_state, c.acting_for, c.text, c.created_at, c.signature
         FROM draft_comment c JOIN draft_document d ON d.id = c.document_id
        WHERE d.instance_id = $1 AND c.signature IS NOT NULL ORDER BY c.seq`,
      [id],
    );
    const signers = [
      ...new Set(
        [
          ...events.filter((e) => e.signature !== null && e.signature !== undefined).map((e) => e.actor_id),
          ...comments.map((c) => c.author_id),
        ].filter((u) => isUuid(u)),
      ),
    ];
    const keyRecords = signers.length
      ? await queryRows<KeyRecordRow>(
          this.ds,
          `SELECT id, key_id, user_id, action, key, label, replaces, reason, by_id, by_role, at, statement, endorsement, confirms
             FROM signing_key_record WHERE user_id = ANY($1::uuid[]) ORDER BY seq`,
          [signers],
        )
      : [];
    const checkpoints = await queryRows<CheckpointRow>(
      this.ds,
      `SELECT instance_id, seq, head_hash, at, reason, key_id, public_key, signature
         FROM evidence_checkpoint WHERE instance_id = $1 ORDER BY seq, id`,
      [id],
    );
    return {
      format: BUNDLE_FORMAT,
      version: BUNDLE_VERSION,
      generatedAt: this.clock.now().toISOString(),
      instance: {
        id: row.id,
        definitionId: row.definition_id,
        definitionVersion: row.definition_version,
        subject: row.subject,
        state: row.state_path,
        status: row.status,
        seq: row.seq,
        lastHash: row.last_hash,
        snapshot: row.snapshot,
      },
      awaitingAnswers: awaiting.map((a) => ({
        memberState: a.member_state,
        question: a.question,
        round: a.round,
        draftVersion: a.draft_version,
      })),
      events: bundleEvents,
      statements: bundleEvents
        .filter((e) => e.signature !== null && e.signature !== undefined)
        .map((e) => ({ seq: e.seq, signed: e.signature })),
      comments: comments.map((c) => ({
        id: c.id,
        versionNumber: c.version_number,
        articleId: c.article_id,
        authorId: c.author_id,
        memberState: c.member_state,
        actingFor: c.acting_for,
        text: c.text,
        createdAt: new Date(c.created_at).toISOString(),
        signed: c.signature,
      })),
      keyRecords: keyRecords.map((r) => ({
        id: r.id,
        keyId: r.key_id,
        userId: r.user_id,
        action: r.action,
        key: r.key,
        label: r.label,
        replaces: r.replaces,
        reason: r.reason,
        by: r.by_id,
        byRole: r.by_role,
        at: new Date(r.at).toISOString(),
        statement: r.statement,
        endorsement: r.endorsement ?? null,
        confirms: r.confirms,
      })),
      drafts: await this.drafts(id, options.texts),
      checkpoints: checkpoints.map((c) => ({
        instanceId: c.instance_id,
        seq: c.seq,
        headHash: c.head_hash,
        at: new Date(c.at).toISOString(),
        reason: c.reason,
        keyId: c.key_id,
        publicKey: c.public_key,
        signature: c.signature,
      })),
    };
  }

  /** The server's verify: the offline verifier's checks on a bundle built from the database now. */
  async verify(id: string): Promise<VerificationReport> {
    return verifyBundle(await this.bundle(id, { texts: true }), this.registry);
  }

  /** The answer of `GET /instances/:id/verify`: the first broken link of the chain, then every other check. */
  async verifySummary(id: string) {
    const r = await this.verify(id);
    const answerProblems = r.answers.flatMap((a) => a.problems.map((p) => `answer at event ${a.seq}: ${p}`));
    return {
      valid: r.ok,
      checked: r.chain.intact ? r.events : (r.chain.brokenAt ?? 1) - 1,
      firstBrokenSeq: r.chain.brokenAt,
      reason: r.chain.reason ?? r.problems[0] ?? null,
      replay: { ok: r.replay.matches, problems: r.replay.problems },
      checkpoints: { ok: r.checkpoints.ok, problems: r.checkpoints.problems },
      answers: { ok: answerProblems.length === 0, problems: answerProblems },
      problems: r.problems,
    };
  }

  /**
   * Signs the chain head of every procedure changed since its last checkpoint (the periodic job).
   * Returns how many checkpoints were written.
   */
  async checkpointChanged(): Promise<number> {
    let written = 0;
    for (;;) {
      const heads = await queryRows<{ instance_id: string; seq: number; hash: string }>(
        this.ds,
        `SELECT i.id AS instance_id, e.seq, e.hash
           FROM workflow_instance i
           JOIN workflow_event e ON e.instance_id = i.id AND e.seq = i.seq
          WHERE NOT EXISTS (SELECT 1 FROM evidence_checkpoint c WHERE c.instance_id = i.id AND c.seq >= i.seq)
          ORDER BY i.updated_at, i.id
          LIMIT ${CHECKPOINT_BATCH}`,
      );
      for (const h of heads) if (await this.insert(h.instance_id, h.seq, h.hash, 'periodic')) written++;
      if (heads.length < CHECKPOINT_BATCH) break;
    }
    if (written) this.log.log(`Signed ${written} checkpoint(s) with key ${this.key.keyId}`);
    return written;
  }

  /** Signs one procedure's chain head at `seq` (when it closes). False when that head was signed already. */
  async checkpoint(instanceId: string, seq: number, reason: 'periodic' | 'closed'): Promise<boolean> {
    const event = await queryOne<{ hash: string }>(
      this.ds,
      `SELECT hash FROM workflow_event WHERE instance_id = $1 AND seq = $2`,
      [instanceId, seq],
    );
    if (!event) return false;
    return this.insert(instanceId, seq, event.hash, reason);
  }

  /** Checkpoints published for one procedure, or all of them, in the order they were signed. */
  async checkpoints(q: { instanceId?: string; after?: number; limit: number }) {
    const params: unknown[] = [q.after ?? 0];
    let where = 'id > $1';
    if (q.instanceId) {
      params.push(q.instanceId);
      where += ` AND instance_id = $2`;
    }
    const rows = await queryRows<CheckpointRow & { id: string }>(
      this.ds,
      `SELECT id, instance_id, seq, head_hash, at, reason, key_id, public_key, signature
         FROM evidence_checkpoint WHERE ${where} ORDER BY id LIMIT ${q.limit + 1}`,
      params,
    );
    const more = rows.length > q.limit;
    if (more) rows.pop();
    return {
      serviceKey: this.serviceKey(),
      items: rows.map((c) => ({
        id: Number(c.id),
        instanceId: c.instance_id,
        seq: c.seq,
        headHash: c.head_hash,
        at: new Date(c.at).toISOString(),
        reason: c.reason,
        keyId: c.key_id,
        publicKey: c.public_key,
        signature: c.signature,
      })),
      nextAfter: more ? Number(rows[rows.length - 1].id) : null,
    };
  }

  private async insert(instanceId: string, seq: number, headHash: string, reason: 'periodic' | 'closed') {
    const at = this.clock.now().toISOString();
    const signature = signCheckpoint(this.key, { instanceId, seq, headHash, at });
    const rows = await queryRows<{ id: string }>(
      this.ds,
      `INSERT INTO evidence_checkpoint (instance_id, seq, head_hash, at, reason, key_id, public_key, signature)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8) ON CONFLICT (instance_id, seq, key_id) DO NOTHING RETURNING id`,
      [instanceId, seq, headHash, at, reason, this.key.keyId, this.key.publicKey, signature],
    );
    return rows.length > 0;
  }

  private async drafts(instanceId: string, texts: boolean): Promise<EvidenceBundle['drafts']> {
    const doc = await queryOne<{ id: string; title: { en: string; ru: string; zh: string } }>(
      this.ds,
      `SELECT id, title FROM draft_document WHERE instance_id = $1`,
      [instanceId],
    );
    if (!doc) return [];
    const versions = await queryRows<{
      id: string;
      number: number;
      author_id: string;
      created_at: Date;
      content_hash: string;
    }>(
      this.ds,
      `SELECT id, number, author_id, created_at, content_hash FROM draft_version WHERE document_id = $1 ORDER BY number`,
      [doc.id],
    );
    const articles = await queryRows<{
      version_id: string;
      article_id: string;
      number: string;
      text_ru: string;
      text_zh: string;
      text_en: string;
    }>(
      this.ds,
      `SELECT a.version_id, a.article_id, a.number, a.text_ru, a.text_zh, a.text_en
         FROM draft_article a JOIN draft_version v ON v.id = a.version_id
        WHERE v.document_id = $1 ORDER BY a.version_id, a.position`,
      [doc.id],
    );
    return versions.map((v) => {
      const content = {
        title: { en: doc.title.en, ru: doc.title.ru, zh: doc.title.zh },
        number: v.number,
        articles: articles
          .filter((a) => a.version_id === v.id)
          .map((a) => ({
            articleId: a.article_id,
            number: a.number,
            text: { ru: a.text_ru, zh: a.text_zh, en: a.text_en },
          })),
      };
      return {
        number: v.number,
        createdAt: new Date(v.created_at).toISOString(),
        authorId: v.author_id,
        sha256: draftContentHash(content),
        savedHash: v.content_hash,
        content: texts ? content : null,
      };
    });
  }

  private async instance(id: string): Promise<InstanceRow> {
    const missing = () => new DomainException(ErrorCode.NOT_FOUND, `There is no procedure with id "${id}".`);
    if (!isUuid(id)) throw missing();
    const row = await queryOne<InstanceRow>(
      this.ds,
      `SELECT id, definition_id, definition_version, subject, state_path, status, seq, last_hash, snapshot
         FROM workflow_instance WHERE id = $1`,
      [id],
    );
    if (!row) throw missing();
    return row;
  }
}
