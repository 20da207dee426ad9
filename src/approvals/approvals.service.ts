import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { lastRound, pendingStates, type ConsensusRound } from '../../workflows/kernel/consensus';
import { allStates } from '../../workflows/kernel/inspect';
import type { Actor } from '../../workflows/kernel/types';
import type { DefinitionRegistry } from '../../workflows/registry';
import { AuthService } from '../auth/auth.service';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { WorkflowEngine, isUuid } from '../engine/engine.service';
import { DEFINITIONS, type ApplyResult } from '../engine/engine.types';
import { CLOCK, type Clock } from '../infra/clock';
import type { AnswerDto } from './approvals.dto';

/** A circulation for comments, as the procedures keep it in context (`commentRounds`). */
interface CommentRound {
  number: number;
  draftVersion: number;
  electorate: string[];
  openedAt: string;
  responses: Record<string, { memberState: string; hasComments: boolean; comments: string | null; by: string; actingFor: string | null; at: string }>;
  closedAt: string | null;
}

interface OpenQuestion {
  kind: 'position' | 'comments';
  event: 'POSITION' | 'RESPOND';
  round: number;
  draftVersion: number;
  electorate: string[];
  pending: string[];
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
  ) {}

  /** Stages where member states answer, per definition id and version. */
  private approverStages(): { id: string; version: number; paths: string[] }[] {
    return this.registry.all().map((d) => ({ id: d.id, version: d.version, paths: allStates(d.machine).filter((s) => s.meta?.responsible === 'approver').map((s) => s.path) }));
  }

  async inbox(actor: Actor) {
    const me = await this.auth.resolveActing(actor, this.clock.now());
    if (!me.memberState) throw new DomainException(ErrorCode.FORBIDDEN, 'The inbox is for member-state approvers.');
    const stages = this.approverStages().filter((s) => s.paths.length);
    if (!stages.length) return { memberState: me.memberState, items: [] };
    const cond = stages.map((_, i) => `(definition_id = $${i * 3 + 1} AND definition_version = $${i * 3 + 2} AND state_path = ANY($${i * 3 + 3}))`).join(' OR ');
    const params = stages.flatMap((s) => [s.id, s.version, s.paths]);
    const rows = await this.ds.query(
      `SELECT i.id, i.definition_id, i.definition_version, i.state_path, i.subject, i.partner, i.snapshot -> 'context' AS context,
         (SELECT json_build_object('dueAt', d.due_at, 'key', d.key) FROM deadline d WHERE d.instance_id = i.id AND d.status = 'open' AND d.key = i.state_path) AS deadline
       FROM workflow_instance i WHERE i.status = 'active' AND (${cond}) ORDER BY i.updated_at`,
      params,
    );
    const now = this.clock.now().getTime();
    const items = [];
    for (const r of rows) {
      const q = openQuestion(r.context);
      if (!q || !q.pending.includes(me.memberState)) continue;
      const def = this.registry.get(r.definition_id, r.definition_version)!;
      const stage = allStates(def.machine).find((s) => s.path === r.state_path);
      const dueAt = r.deadline?.dueAt ? new Date(r.deadline.dueAt) : null;
      items.push({
        instanceId: r.id,
        definitionId: def.id,
        measure: def.measure,
        title: def.title,
        subject: r.subject,
        partner: r.partner,
        stage: r.state_path,
        stageLabel: stage?.meta?.label ?? null,
        question: q.kind,
        event: q.event,
        round: q.round,
        draftVersion: q.draftVersion,
        dueAt,
        daysLeft: dueAt ? Math.ceil((dueAt.getTime() - now) / 86_400_000) : null,
        answers: q.kind === 'position' ? ['agree', 'agree_with_reservation', 'object'] : ['comments', 'no_comments'],
      });
    }
    items.sort((a, b) => (a.dueAt?.getTime() ?? Infinity) - (b.dueAt?.getTime() ?? Infinity));
    return { memberState: me.memberState, actingFor: me.actingFor, items };
  }

  async answer(instanceId: string, actor: Actor, dto: AnswerDto, idempotencyKey: string | null): Promise<ApplyResult> {
    if (!isUuid(instanceId)) throw new DomainException(ErrorCode.NOT_FOUND, `There is no procedure with id "${instanceId}".`);
    const me = await this.auth.resolveActing(actor, this.clock.now());
    const [row] = await this.ds.query(`SELECT snapshot -> 'context' AS context, state_path, status FROM workflow_instance WHERE id = $1`, [instanceId]);
    if (!row) throw new DomainException(ErrorCode.NOT_FOUND, `There is no procedure with id "${instanceId}".`);
    const q = row.status === 'active' ? openQuestion(row.context) : null;
    if (!q) throw new DomainException(ErrorCode.CONFLICT, `Nothing is waiting for member states' answers in stage "${row.state_path}".`, { state: row.state_path });
    if (dto.draftVersion !== q.draftVersion)
      throw new DomainException(ErrorCode.CONFLICT, `Draft version ${dto.draftVersion} is outdated: this round is on version ${q.draftVersion}. Read version ${q.draftVersion} and answer on it.`, {
        currentVersion: q.draftVersion,
      });
    const text = dto.text?.trim() || null;
    let type: string;
    let payload: Record<string, unknown>;
    if (q.kind === 'position') {
      if (dto.kind === 'comments' || dto.kind === 'no_comments')
        throw new DomainException(ErrorCode.INVALID_PAYLOAD, 'This round asks for a position: agree, agree_with_reservation or object.');
      type = 'POSITION';
      payload = { draftVersion: dto.draftVersion, kind: dto.kind, ...(text ? { text } : {}) };
    } else {
      if (dto.kind !== 'comments' && dto.kind !== 'no_comments')
        throw new DomainException(ErrorCode.INVALID_PAYLOAD, 'This circulation asks for comments: kind comments (with text) or no_comments.');
      if (dto.kind === 'comments' && !text) throw new DomainException(ErrorCode.INVALID_PAYLOAD, 'text: comments need their text.');
      type = 'RESPOND';
      payload = { draftVersion: dto.draftVersion, comments: dto.kind === 'comments' ? text : null };
    }
    return this.engine.apply({ instanceId, type, payload, actor: me, idempotencyKey });
  }

  /** The approval matrix: every round of an instance, each member state's answer with who, when, on which version. */
  async matrix(instanceId: string) {
    if (!isUuid(instanceId)) throw new DomainException(ErrorCode.NOT_FOUND, `There is no procedure with id "${instanceId}".`);
    const [row] = await this.ds.query(`SELECT snapshot -> 'context' AS context FROM workflow_instance WHERE id = $1`, [instanceId]);
    if (!row) throw new DomainException(ErrorCode.NOT_FOUND, `There is no procedure with id "${instanceId}".`);
    const ctx = row.context ?? {};
    const rounds: ConsensusRound[] = Array.isArray(ctx.rounds) ? ctx.rounds : [];
    const comments: CommentRound[] = Array.isArray(ctx.commentRounds) ? ctx.commentRounds : [];
    return {
      instanceId,
      approvalRounds: rounds.map((r) => ({
        round: r.number,
        stage: r.stage,
        draftVersion: r.draftVersion,
        outcome: r.outcome,
        silenceProcedure: r.silenceProcedure,
        openedAt: r.openedAt,
        closedAt: r.closedAt,
        objection: r.objection,
        states: r.electorate.map((s) => {
          const p = r.positions[s];
          return p
            ? { memberState: s, position: p.kind, text: p.text, by: p.by, actingFor: p.actingFor, at: p.at, draftVersion: r.draftVersion }
            : { memberState: s, position: 'no_answer', text: null, by: null, actingFor: null, at: null, draftVersion: r.draftVersion };
        }),
      })),
      commentRounds: comments.map((c) => ({
        round: c.number,
        draftVersion: c.draftVersion,
        openedAt: c.openedAt,
        closedAt: c.closedAt,
        states: c.electorate.map((s) => {
          const a = c.responses[s];
          return a
            ? { memberState: s, answer: a.hasComments ? 'comments' : 'no_comments', text: a.comments, by: a.by, actingFor: a.actingFor, at: a.at, draftVersion: c.draftVersion }
            : { memberState: s, answer: 'no_answer', text: null, by: null, actingFor: null, at: null, draftVersion: c.draftVersion };
        }),
      })),
    };
  }

  /** Everything my member state has answered, newest first. */
  async history(actor: Actor, limit = 100) {
    const me = await this.auth.resolveActing(actor, this.clock.now());
    if (!me.memberState) throw new DomainException(ErrorCode.FORBIDDEN, 'The history of answers is for member-state approvers.');
    const rows = await this.ds.query(
      `SELECT e.instance_id, i.definition_id, i.subject, e.seq, e.type, e.payload, e.actor_id, e.acting_for, e.at, e.state_before
       FROM workflow_event e JOIN workflow_instance i ON i.id = e.instance_id
       WHERE e.actor_member_state = $1 AND e.type IN ('POSITION', 'RESPOND') ORDER BY e.at DESC, e.id DESC LIMIT $2`,
      [me.memberState, limit],
    );
    return rows.map((r: any) => ({
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

/** The question open to member states in a context, if any: a consensus round or a circulation for comments. */
export function openQuestion(context: any): OpenQuestion | null {
  const rounds: ConsensusRound[] = Array.isArray(context?.rounds) ? context.rounds : [];
  const r = lastRound(rounds);
  if (r && r.outcome === 'open')
    return { kind: 'position', event: 'POSITION', round: r.number, draftVersion: r.draftVersion, electorate: r.electorate, pending: pendingStates(r) };
  const comments: CommentRound[] = Array.isArray(context?.commentRounds) ? context.commentRounds : [];
  const c = comments[comments.length - 1];
  if (c && !c.closedAt)
    return { kind: 'comments', event: 'RESPOND', round: c.number, draftVersion: c.draftVersion, electorate: c.electorate, pending: c.electorate.filter((s) => !c.responses[s]) };
  return null;
}
