import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { awaitedAnswers } from '../../workflows/kernel/awaited';
import type { CommentRound } from '../../workflows/kernel/comment-round';
import {
  objectionsIn,
  reservationsIn,
  roundOf,
  type ConsensusRound,
  type Position,
} from '../../workflows/kernel/consensus';
import { stateMeta } from '../../workflows/kernel/inspect';
import type { Actor } from '../../workflows/kernel/types';
import type { DefinitionRegistry } from '../../workflows/registry';
import { AuthService } from '../auth/auth.service';
import { DomainException, ErrorCode, ErrorReason } from '../common/domain.exception';
import { isUuid } from '../common/ids';
import { WorkflowEngine } from '../engine/engine.service';
import { DEFINITIONS, type ApplyResult, type LockedInstance } from '../engine/engine.types';
import { CLOCK, type Clock } from '../infra/clock';
import { queryOne, queryRows } from '../infra/sql';
import type { AnswerDto, StatementRequestDto } from './approvals.dto';
import { SigningKeysService } from '../auth/signing-keys.service';
import { statementSignatureOf } from '../auth/signing-keys.dto';
import {
  ANSWER_STATEMENT_FORMAT,
  buildStatement,
  canonicalStatement,
  statementChallenge,
  statementHash,
  verifySignedStatement,
  type AnswerStatement,
  type StoredSignature,
} from '../evidence/signed-statement';
import { RUNTIME, type Runtime } from '../infra/runtime';
import { draftVersionSha256 } from '../documents/draft-content-hash';

/** The part of a procedure's context the approval matrix reads. */
interface RoundsContext {
  rounds?: ConsensusRound[];
  commentRounds?: CommentRound[];
}

/** A question awaiting my member state's answer, with its procedure and the stage's open deadline. */
interface InboxRow {
  id: string;
  definition_id: string;
  definition_version: number;
  state_path: string;
  subject: string;
  partner: string | null;
  question: 'position' | 'comments';
  round: number;
  draft_version: number;
  since: Date;
  due_at: Date | null;
}

/** An answer my member state gave (a POSITION or RESPOND event), with its procedure. */
interface AnswerHistoryRow {
  instance_id: string;
  definition_id: string;
  subject: string;
  seq: number;
  type: string;
  payload: unknown;
  actor_id: string;
  acting_for: string | null;
  at: Date;
  state_before: string | null;
}

/**
 * What member states owe and have answered. Reads the rounds the procedures keep in their context;
 * answers go through the engine like every other event, with the member state taken from the
 * caller's identity (and an acting appointment, if one covers now).
 */
@Injectable()
export class ApprovalsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(DEFINITIONS) private readonly registry: DefinitionRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly engine: WorkflowEngine,
    private readonly auth: AuthService,
    private readonly keys: SigningKeysService,
    @Inject(RUNTIME) private readonly runtime: Runtime,
  ) {}

  async inbox(actor: Actor) {
    const me = await this.auth.resolveActing(actor, this.clock.now());
    if (!me.memberState) throw new DomainException(ErrorCode.FORBIDDEN, 'The inbox is for member-state approvers.');
    const rows = await queryRows<InboxRow>(
      this.ds,
      `SELECT i.id, i.definition_id, i.definition_version, i.state_path, i.subject, i.partner,
              a.question, a.round, a.draft_version, a.since, d.due_at
       FROM awaiting_answer a
       JOIN workflow_instance i ON i.id = a.instance_id
       LEFT JOIN deadline d ON d.instance_id = i.id AND d.status = 'open' AND d.key = i.state_path
       WHERE a.member_state = $1 AND i.status = 'active'
       ORDER BY d.due_at NULLS LAST, a.since`,
      [me.memberState],
    );
    const now = this.clock.now().getTime();
    const items = rows.map((r) => {
      const def = this.registry.get(r.definition_id, r.definition_version);
      const stage = def ? stateMeta(def.machine, r.state_path) : null;
      const dueAt = r.due_at ? new Date(r.due_at) : null;
      return {
        instanceId: r.id,
        definitionId: r.definition_id,
        measure: def?.measure ?? null,
        title: def?.title ?? null,
        subject: r.subject,
        partner: r.partner,
        stage: r.state_path,
        stageLabel: stage?.label ?? null,
        question: r.question,
        event: r.question === 'position' ? 'POSITION' : 'RESPOND',
        round: r.round,
        draftVersion: r.draft_version,
        waitingSince: r.since,
        dueAt,
        daysLeft: dueAt ? Math.ceil((dueAt.getTime() - now) / 86_400_000) : null,
        answers:
          r.question === 'position' ? ['agree', 'agree_with_reservation', 'object'] : ['comments', 'no_comments'],
      };
    });
    return { memberState: me.memberState, actingFor: me.actingFor, items };
  }

  /**
   * Checks an answer against the round open now and says which event it is: the member state and
   * acting-for come from the caller's identity, never from the request.
   */
  private async prepare(instanceId: string, actor: Actor, dto: StatementRequestDto) {
    if (!isUuid(instanceId))
      throw new DomainException(ErrorCode.NOT_FOUND, `There is no procedure with id "${instanceId}".`);
    const me = await this.auth.resolveActing(actor, this.clock.now());
    const row = await queryOne<{
      context: unknown;
      state_path: string;
      status: 'active' | 'done';
      definition_id: string;
      definition_version: number;
    }>(
      this.ds,
      `SELECT snapshot -> 'context' AS context, state_path, status, definition_id, definition_version FROM workflow_instance WHERE id = $1`,
      [instanceId],
    );
    if (!row) throw new DomainException(ErrorCode.NOT_FOUND, `There is no procedure with id "${instanceId}".`);
    return { me, row, ...answerEvent({ context: row.context, statePath: row.state_path, status: row.status }, dto) };
  }

  /** The statement an answer would be signed over, made at `at`. */
  private async statementFor(
    instanceId: string,
    p: Awaited<ReturnType<ApprovalsService['prepare']>>,
    dto: StatementRequestDto,
    at: Date,
  ): Promise<AnswerStatement> {
    if (!p.me.memberState)
      throw new DomainException(ErrorCode.FORBIDDEN, 'Answers are given by member-state approvers.');
    return buildStatement({
      procedure: instanceId,
      definition: { id: p.row.definition_id, version: p.row.definition_version },
      question: p.q.kind,
      round: p.q.round,
      draft: { version: p.q.draftVersion, sha256: await this.draftSha256(instanceId, p.q.draftVersion) },
      memberState: p.me.memberState,
      signer: p.me.id,
      actingFor: p.me.actingFor,
      kind: dto.kind,
      text: p.text,
      at,
    });
  }

  /**
   * SHA-256 of a draft version's full content (title and every article in every language); for a
   * procedure that keeps no draft text, the marker of `noDraftTextHash`.
   */
  async draftSha256(instanceId: string, version: number): Promise<string> {
    const hash = await draftVersionSha256(this.ds, instanceId, version);
    if (!hash)
      throw new DomainException(
        ErrorCode.CONFLICT,
        `This procedure has no saved draft version ${version} to sign an answer on.`,
        { reason: ErrorReason.STALE_VERSION },
      );
    return hash;
  }

  /** The statement of a pending answer, for the approver to sign (Ed25519: the canonical text; WebAuthn: the challenge). */
  async statement(instanceId: string, actor: Actor, dto: StatementRequestDto) {
    const p = await this.prepare(instanceId, actor, dto);
    const statement = await this.statementFor(instanceId, p, dto, this.clock.now());
    const credentials = await this.keys.activeCredentials(p.me.id);
    return {
      statement,
      canonical: canonicalStatement(statement),
      statementHash: statementHash(statement),
      challenge: statementChallenge(statement),
      passkeys: credentials,
      signing: this.runtime.env.ANSWER_SIGNING,
    };
  }

  async answer(instanceId: string, actor: Actor, dto: AnswerDto, idempotencyKey: string | null): Promise<ApplyResult> {
    if (!dto.signature) return this.answerUnsigned(instanceId, actor, dto, idempotencyKey);
    const p = await this.prepare(instanceId, actor, dto);
    let signature: StoredSignature | null = null;
    if (dto.signature) {
      const at = this.keys.checkSignedAt(dto.signature.at);
      const key = await this.keys.activeKey(p.me.id, dto.signature.keyId);
      const statement = await this.statementFor(instanceId, p, dto, at);
      const sig = statementSignatureOf(dto.signature);
      const check = await verifySignedStatement({ statement, signature: sig, key });
      if (!check.valid)
        throw new DomainException(
          ErrorCode.INVALID_PAYLOAD,
          `The signature does not match this answer (${check.reason ?? 'invalid'}): sign the statement the service gave for exactly this answer. Nothing was recorded.`,
        );
      signature = { statement, statementHash: statementHash(statement), signature: sig, key };
    }
    return this.engine.apply({ instanceId, type: p.type, payload: p.payload, actor: p.me, idempotencyKey, signature });
  }

  /**
   * An unsigned answer: decided under the instance lock in the engine's transaction (the round open
   * now, who the caller acts as now), with no read before it.
   */
  private answerUnsigned(
    instanceId: string,
    actor: Actor,
    dto: AnswerDto,
    idempotencyKey: string | null,
  ): Promise<ApplyResult> {
    return this.engine.apply(
      { instanceId, type: 'answer', payload: {}, actor, idempotencyKey },
      (_manager, instance) => {
        const { type, payload } = answerEvent(instance, dto);
        return { type, payload, actor: instance.actor };
      },
    );
  }

  /**
   * The approval matrix: every round of an instance, each member state's current answer with who,
   * when, on which version; every earlier answer it replaced (superseded), the states that joined
   * or left while it was open, every objection and reservation, and whether silence settled it.
   */
  async matrix(instanceId: string) {
    if (!isUuid(instanceId))
      throw new DomainException(ErrorCode.NOT_FOUND, `There is no procedure with id "${instanceId}".`);
    const row = await queryOne<{ context: RoundsContext | null }>(
      this.ds,
      `SELECT snapshot -> 'context' AS context FROM workflow_instance WHERE id = $1`,
      [instanceId],
    );
    if (!row) throw new DomainException(ErrorCode.NOT_FOUND, `There is no procedure with id "${instanceId}".`);
    const ctx = row.context ?? {};
    const signedRows = await queryRows<{
      seq: number;
      type: string;
      actor_member_state: string;
      at: Date;
      signature: StoredSignature;
    }>(
      this.ds,
      `SELECT seq, type, actor_member_state, at, signature FROM workflow_event
       WHERE instance_id = $1 AND type IN ('POSITION', 'RESPOND') AND signature IS NOT NULL`,
      [instanceId],
    );
    const signedBy = new Map(
      signedRows.map((e) => [
        `${e.type}|${e.actor_member_state}|${new Date(e.at).toISOString()}`,
        {
          keyId: e.signature.key.id,
          keyType: e.signature.key.type,
          statementHash: e.signature.statementHash,
          draftSha256:
            e.signature.statement.format === ANSWER_STATEMENT_FORMAT ? e.signature.statement.draft.sha256 : '',
          seq: e.seq,
        },
      ]),
    );
    const signedOf = (type: string, state: string, at: string | null) =>
      at ? (signedBy.get(`${type}|${state}|${new Date(at).toISOString()}`) ?? null) : null;
    const rounds: ConsensusRound[] = Array.isArray(ctx.rounds) ? ctx.rounds : [];
    const comments: CommentRound[] = Array.isArray(ctx.commentRounds) ? ctx.commentRounds : [];
    return {
      instanceId,
      approvalRounds: rounds.map((persisted) => {
        const r = roundOf(persisted);
        const answered = (p: Position) => ({
          memberState: p.memberState,
          position: p.kind,
          text: p.text,
          by: p.by,
          actingFor: p.actingFor,
          at: p.at,
          draftVersion: r.draftVersion,
          signed: signedOf('POSITION', p.memberState, p.at),
        });
        return {
          round: r.number,
          stage: r.stage,
          draftVersion: r.draftVersion,
          outcome: r.outcome,
          silenceProcedure: r.silenceProcedure,
          settledBySilence: r.settledBySilence,
          mustAnswer: r.mustAnswer,
          openedAt: r.openedAt,
          closedAt: r.closedAt,
          deadlinePassedAt: r.deadlinePassedAt,
          closedEarly: r.closedEarly,
          objection: r.objection,
          objections: r.outcome === 'open' ? objectionsIn(r) : r.objections,
          reservations: reservationsIn(r),
          joined: r.joined,
          left: r.left,
          states: r.electorate.map((s) => {
            const p = r.positions[s];
            return p
              ? answered(p)
              : {
                  memberState: s,
                  position: 'no_answer' as const,
                  text: null,
                  by: null,
                  actingFor: null,
                  at: null,
                  draftVersion: r.draftVersion,
                  signed: null,
                };
          }),
          superseded: r.earlier.map((p) => ({ ...answered(p), supersededAt: p.supersededAt })),
        };
      }),
      commentRounds: comments.map((c) => ({
        round: c.number,
        draftVersion: c.draftVersion,
        openedAt: c.openedAt,
        closedAt: c.closedAt,
        states: c.electorate.map((s) => {
          const a = c.responses[s];
          return a
            ? {
                memberState: s,
                answer: a.hasComments ? 'comments' : 'no_comments',
                text: a.comments,
                by: a.by,
                actingFor: a.actingFor,
                at: a.at,
                draftVersion: c.draftVersion,
                signed: signedOf('RESPOND', s, a.at),
              }
            : {
                memberState: s,
                answer: 'no_answer',
                text: null,
                by: null,
                actingFor: null,
                at: null,
                draftVersion: c.draftVersion,
                signed: null,
              };
        }),
      })),
    };
  }

  /** Everything my member state has answered, newest first. */
  async history(actor: Actor, limit = 100) {
    const me = await this.auth.resolveActing(actor, this.clock.now());
    if (!me.memberState)
      throw new DomainException(ErrorCode.FORBIDDEN, 'The history of answers is for member-state approvers.');
    const rows = await queryRows<AnswerHistoryRow>(
      this.ds,
      `SELECT e.instance_id, i.definition_id, i.subject, e.seq, e.type, e.payload, e.actor_id, e.acting_for, e.at, e.state_before
       FROM workflow_event e JOIN workflow_instance i ON i.id = e.instance_id
       WHERE e.actor_member_state = $1 AND e.type IN ('POSITION', 'RESPOND') ORDER BY e.at DESC, e.id DESC LIMIT $2`,
      [me.memberState, limit],
    );
    return rows.map((r) => ({
      instanceId: r.instance_id,
      definitionId: r.definition_id,
      subject: r.subject,
      seq: r.seq,
      type: r.type,
      stage: r.state_before,
      payload: r.payload,
      by: r.actor_id,
      actingFor: r.acting_for,
      at: r.at,
    }));
  }
}

/**
 * The event a member state's answer makes on the instance as it stands: a POSITION in a consensus
 * round, a RESPOND in a comment circulation, on the draft version the round is on. Pure: the
 * engine calls it under the instance lock (EventResolver), and the statement route before signing.
 */
export function answerEvent(instance: Omit<LockedInstance, 'actor'>, dto: StatementRequestDto) {
  const q = instance.status === 'active' ? awaitedAnswers(instance.context) : null;
  if (!q)
    throw new DomainException(
      ErrorCode.CONFLICT,
      `Nothing is waiting for member states' answers in stage "${instance.statePath}".`,
      { reason: ErrorReason.STAGE_REFUSES_EVENT, state: instance.statePath },
    );
  if (dto.draftVersion !== q.draftVersion)
    throw new DomainException(
      ErrorCode.CONFLICT,
      `Draft version ${dto.draftVersion} is outdated: this round is on version ${q.draftVersion}. Read version ${q.draftVersion} and answer on it.`,
      {
        reason: ErrorReason.STALE_VERSION,
        currentVersion: q.draftVersion,
      },
    );
  const text = dto.text?.trim() || null;
  let type: string;
  let payload: Record<string, unknown>;
  if (q.kind === 'position') {
    if (dto.kind === 'comments' || dto.kind === 'no_comments')
      throw new DomainException(
        ErrorCode.INVALID_PAYLOAD,
        'This round asks for a position: agree, agree_with_reservation or object.',
      );
    type = 'POSITION';
    payload = { draftVersion: dto.draftVersion, kind: dto.kind, ...(text ? { text } : {}) };
  } else {
    if (dto.kind !== 'comments' && dto.kind !== 'no_comments')
      throw new DomainException(
        ErrorCode.INVALID_PAYLOAD,
        'This circulation asks for comments: kind comments (with text) or no_comments.',
      );
    if (dto.kind === 'comments' && !text)
      throw new DomainException(ErrorCode.INVALID_PAYLOAD, 'text: comments need their text.');
    type = 'RESPOND';
    payload = { draftVersion: dto.draftVersion, comments: dto.kind === 'comments' ? text : null };
  }
  return { q, type, payload, text };
}
