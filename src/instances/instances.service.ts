import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { WorkflowDefinition } from '../../workflows/kernel/definition';
import { allStates, stateMeta } from '../../workflows/kernel/inspect';
import type { Actor } from '../../workflows/kernel/types';
import type { DefinitionRegistry } from '../../workflows/registry';
import { DomainException, ErrorCode, ErrorReason } from '../common/domain.exception';
import { assertOnePosition, decodeCursor, encodeCursor } from '../common/keyset-cursor';
import { CLOCK, type Clock } from '../infra/clock';
import { queryOne, queryRows } from '../infra/sql';
import { isUuid } from '../common/ids';
import { InstanceViews, jsonSchemaOf } from '../engine/instance-view';
import { DEFINITIONS, FINDING_TARGETS, type InstanceRow, type LinkFindingCommand } from '../engine/engine.types';
import type { LinkFindingDto, ListInstancesQuery } from './instances.dto';

/** Read side of procedures: definitions, one instance, lists and history (verification: src/evidence). */
@Injectable()
export class InstancesService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(DEFINITIONS) private readonly registry: DefinitionRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly views: InstanceViews,
  ) {}

  definitions() {
    return this.registry.ids().map((id) => describeDefinition(this.registry.latest(id)!, this.registry.versions(id)));
  }

  definition(id: string) {
    const def = this.registry.latest(id);
    if (!def)
      throw new DomainException(
        ErrorCode.NOT_FOUND,
        `There is no procedure definition "${id}". Known: ${this.registry.ids().join(', ')}.`,
      );
    return describeDefinition(def, this.registry.versions(id));
  }

  /** One procedure as its reader sees it (see InstanceViews). */
  view(id: string, actor: Actor) {
    return this.views.view(id, actor);
  }

  async list(q: ListInstancesQuery, actor?: Actor) {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      params.push(v);
      where.push(sql.replace('?', `$${params.length}`));
    };
    if (q.definition) add('i.definition_id = ?', q.definition);
    if (q.state) add('i.state_path = ?', q.state);
    if (q.partner) add('i.partner = ?', q.partner);
    if (q.status) add('i.status = ?', q.status);
    if (q.parent) add('i.parent_id = ?', q.parent);
    if (q.startedBy) add('i.started_by = ?', q.startedBy === 'me' ? (actor?.id ?? '') : q.startedBy);
    if (q.overdue === 'true')
      add(
        `EXISTS (SELECT 1 FROM deadline d WHERE d.instance_id = i.id AND d.status = 'open' AND d.due_at < ?)`,
        this.clock.now(),
      );
    if (q.overdue === 'false')
      add(
        `NOT EXISTS (SELECT 1 FROM deadline d WHERE d.instance_id = i.id AND d.status = 'open' AND d.due_at < ?)`,
        this.clock.now(),
      );
    assertOnePosition(q.page, q.cursor);
    const page = q.page ?? 1;
    const pageSize = q.pageSize ?? 25;
    const cond = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const countParams = [...params];
    // Newest activity first: ordered by the time of each procedure's last event (equal to its
    // updated_at), read from the event index, so that workflow_instance needs no index on updated_at
    // and the engine's snapshot updates stay HOT (docs/design.md, "Indexes of workflow_instance").
    // From a cursor: the rows after the last one of the previous page (last activity DESC, id ASC).
    let keyset = '';
    if (q.cursor !== undefined) {
      const after = decodeCursor(q.cursor);
      params.push(after.at, after.id);
      const at = `$${params.length - 1}::timestamptz`;
      keyset = `${where.length ? ' AND' : 'WHERE'} e.at <= ${at} AND (e.at < ${at} OR i.id > $${params.length}::uuid)`;
    }
    const [rows, [{ total }]] = await Promise.all([
      queryRows<InstanceListRow>(
        this.ds,
        `SELECT i.id, i.definition_id, i.definition_version, i.state_path, i.status, i.outcome, i.subject, i.partner, i.memorandum, i.treaty, i.parent_id, i.seq, i.created_at, i.updated_at,
           e.at::text AS cursor_at,
           (SELECT min(d.due_at) FROM deadline d WHERE d.instance_id = i.id AND d.status = 'open') AS next_due
         FROM workflow_instance i JOIN workflow_event e ON e.instance_id = i.id AND e.seq = i.seq
         ${cond}${keyset} ORDER BY e.at DESC, i.id LIMIT ${pageSize + 1} ${q.cursor === undefined ? `OFFSET ${(page - 1) * pageSize}` : ''}`,
        params,
      ),
      queryRows<{ total: number }>(
        this.ds,
        `SELECT count(*)::int AS total FROM workflow_instance i ${cond}`,
        countParams,
      ),
    ]);
    const more = rows.length > pageSize;
    if (more) rows.pop();
    const last = rows[rows.length - 1];
    return {
      page,
      pageSize,
      total,
      nextCursor: more && last ? encodeCursor({ at: last.cursor_at, id: last.id }) : null,
      items: rows.map((r) => {
        const def = this.registry.get(r.definition_id, r.definition_version);
        const meta = def ? stateMeta(def.machine, r.state_path) : null;
        return {
          id: r.id,
          definitionId: r.definition_id,
          definitionVersion: r.definition_version,
          measure: def?.measure ?? null,
          state: r.state_path,
          stateLabel: meta?.label ?? null,
          status: r.status,
          outcome: r.outcome,
          subject: r.subject,
          partner: r.partner,
          memorandum: r.memorandum,
          treaty: r.treaty,
          parentId: r.parent_id,
          seq: r.seq,
          nextDue: r.next_due,
          overdue: r.next_due ? new Date(r.next_due).getTime() < this.clock.now().getTime() : false,
          createdAt: r.created_at,
          updatedAt: r.updated_at,
        };
      }),
    };
  }

  /**
   * The events of a procedure. An idempotency key (a caller's, or the id of the deadline job that
   * delivered an event) is shown only to its own sender and to administrators: a key others can
   * read is a key others can try to squat. A member state's approver does not read the
   * Secretariat's internal review: the payloads of events applied in a review state, and of
   * returns to drafting (their reason is an internal review note), are withheld; that the event
   * happened, who, when and its hash stay visible.
   */
  async history(id: string, reader: Actor) {
    await this.row(id);
    const withhold = (r: { type: string; state_before: string | null }) =>
      reader.role === 'approver' &&
      (r.type === 'RETURN_TO_DRAFTING' || /(^|\.)[a-z_]*review[a-z_]*($|\.)/.test(r.state_before ?? ''));
    const rows = await queryRows<
      Pick<
        StoredEvent,
        | 'seq'
        | 'type'
        | 'payload'
        | 'actor_id'
        | 'actor_role'
        | 'actor_member_state'
        | 'acting_for'
        | 'idempotency_key'
        | 'definition_version'
        | 'state_before'
        | 'state_after'
        | 'at'
        | 'prev_hash'
        | 'hash'
      >
    >(
      this.ds,
      `SELECT seq, type, payload, actor_id, actor_role, actor_member_state, acting_for, idempotency_key, definition_version, state_before, state_after, at, prev_hash, hash
       FROM workflow_event WHERE instance_id = $1 ORDER BY seq`,
      [id],
    );
    return rows.map((r) => ({
      seq: r.seq,
      type: r.type,
      payload: withhold(r) ? { withheld: 'internal review of the Secretariat' } : r.payload,
      actor: { id: r.actor_id, role: r.actor_role, memberState: r.actor_member_state, actingFor: r.acting_for },
      idempotencyKey:
        reader.role === 'admin' || (r.actor_id === reader.id && (r.acting_for ?? null) === (reader.actingFor ?? null))
          ? r.idempotency_key
          : null,
      definitionVersion: r.definition_version,
      stateBefore: r.state_before,
      stateAfter: r.state_after,
      at: r.at,
      prevHash: r.prev_hash,
      hash: r.hash,
    }));
  }

  /**
   * The two sides of a finding link made from procedure `id`: on a 1(a) the body names the
   * procedure, on a 1(c)/(d)/(e) the analysis. The engine checks the rest in its transaction.
   */
  async linkSides(id: string, dto: LinkFindingDto): Promise<Omit<LinkFindingCommand, 'actor' | 'idempotencyKey'>> {
    const row = await this.row(id);
    const def = this.registry.get(row.definition_id, row.definition_version);
    if (def?.findings) {
      if (!dto.procedureId || dto.analysisId)
        throw new DomainException(
          ErrorCode.INVALID_PAYLOAD,
          'On a 1(a) analysis, name the 1(c), 1(d) or 1(e) procedure the finding feeds (procedureId), and no analysisId.',
          { field: 'procedureId' },
        );
      return { analysisId: id, findingId: dto.findingId, procedureId: dto.procedureId, from: 'analysis' };
    }
    if (FINDING_TARGETS.includes(row.definition_id)) {
      if (!dto.analysisId || dto.procedureId)
        throw new DomainException(
          ErrorCode.INVALID_PAYLOAD,
          'On a 1(c), 1(d) or 1(e) procedure, name the 1(a) analysis the finding belongs to (analysisId), and no procedureId.',
          { field: 'analysisId' },
        );
      return { analysisId: dto.analysisId, findingId: dto.findingId, procedureId: id, from: 'procedure' };
    }
    throw new DomainException(
      ErrorCode.CONFLICT,
      `Procedure ${id} is a ${row.definition_id}: findings of a 1(a) analysis link only to ${FINDING_TARGETS.join(', ')}.`,
      { reason: ErrorReason.BUSINESS_RULE },
    );
  }

  private async row(id: string): Promise<InstanceRow> {
    if (!isUuid(id)) throw new DomainException(ErrorCode.NOT_FOUND, `There is no procedure with id "${id}".`);
    const row = await queryOne<InstanceRow>(this.ds, `SELECT * FROM workflow_instance WHERE id = $1`, [id]);
    if (!row) throw new DomainException(ErrorCode.NOT_FOUND, `There is no procedure with id "${id}".`);
    return row;
  }
}

// Rows as PostgreSQL gives them (see the Engine migration; json_build_object turns timestamps into ISO strings).

/** A workflow_event row (its bigserial id left out). */
interface StoredEvent {
  seq: number;
  type: string;
  payload: unknown;
  actor_id: string;
  actor_role: string;
  actor_member_state: string | null;
  acting_for: string | null;
  idempotency_key: string | null;
  definition_version: number;
  state_before: string | null;
  state_after: string;
  at: Date;
  prev_hash: string;
  hash: string;
}

interface InstanceListRow extends Pick<
  InstanceRow,
  | 'id'
  | 'definition_id'
  | 'definition_version'
  | 'state_path'
  | 'status'
  | 'outcome'
  | 'subject'
  | 'partner'
  | 'memorandum'
  | 'treaty'
  | 'parent_id'
  | 'seq'
  | 'created_at'
  | 'updated_at'
> {
  cursor_at: string;
  next_due: Date | null;
}

export function describeDefinition(def: WorkflowDefinition, versions: number[]) {
  return {
    id: def.id,
    version: def.version,
    versions,
    measure: def.measure,
    title: def.title,
    description: def.description,
    startRoles: def.startRoles,
    inputSchema: jsonSchemaOf(def.input),
    initial: (def.machine.config as { initial?: string }).initial ?? null,
    states: allStates(def.machine).map((s) => ({
      path: s.path,
      type: s.type,
      label: s.meta?.label ?? null,
      responsible: s.meta?.responsible ?? null,
      deadline: s.meta?.deadline ?? null,
      events: s.on,
      transitions: s.transitions,
    })),
    events: Object.fromEntries(
      Object.entries(def.events).map(([type, spec]) => [
        type,
        { description: spec.description, roles: spec.roles, payloadSchema: jsonSchemaOf(spec.payload) },
      ]),
    ),
  };
}
