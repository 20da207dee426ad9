import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { acceptedEventTypes, activeStateMeta, statePaths } from '../../workflows/kernel/inspect';
import type { Actor, Labels } from '../../workflows/kernel/types';
import type { DefinitionRegistry } from '../../workflows/registry';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { isUuid } from '../common/ids';
import { CLOCK, type Clock } from '../infra/clock';
import { correctionsOf, type CorrectionRecord } from './corrections';
import { restore } from './engine.service';
import { DEFINITIONS, type InstanceRow } from './engine.types';

/** An open deadline as `json_agg` returns it (timestamps as ISO text). */
interface OpenDeadlineJson {
  key: string;
  label: Labels;
  responsible: string;
  assignee: string | null;
  due_at: string;
  starts_at: string;
  remind_before: number[];
  unit: 'calendar' | 'working';
  passed_at: string | null;
  extensions: unknown[];
}

interface ChildJson {
  id: string;
  definition_id: string;
  parent_key: string | null;
  state_path: string;
  status: 'active' | 'done';
  outcome: string | null;
}

/** A finding link as `json_agg` returns it. */
interface FindingLinkJson {
  analysis_id: string;
  finding_id: string;
  procedure_id: string;
  procedure_definition: string;
  memorandum_id: string | null;
  finding_text: string;
  linked_by: string;
  linked_at: string;
  linked_from: 'analysis' | 'procedure' | 'start';
}

interface ViewExtras {
  open_deadlines: OpenDeadlineJson[];
  child_rows: ChildJson[];
  finding_links: FindingLinkJson[];
}

/**
 * One procedure as a reader sees it: its stage, context, the events the reader may send now,
 * open deadlines, children and the 1(a) findings linked to it. Every API part that answers with the procedure after a change
 * (instances, approvals) reads it here, so reading a snapshot stays in the engine.
 */
@Injectable()
export class InstanceViews {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(DEFINITIONS) private readonly registry: DefinitionRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async view(id: string, actor: Actor) {
    if (!isUuid(id)) throw new DomainException(ErrorCode.NOT_FOUND, `There is no procedure with id "${id}".`);
    // One round trip: the instance with its open deadlines and its children.
    const [row] = await this.ds.query<(InstanceRow & ViewExtras)[]>(
      `SELECT i.*,
         (SELECT coalesce(json_agg(json_build_object('key', d.key, 'label', d.label, 'responsible', d.responsible, 'assignee', d.assignee, 'due_at', d.due_at,
                 'starts_at', d.starts_at, 'remind_before', d.remind_before, 'unit', d.unit, 'passed_at', d.passed_at, 'extensions', d.extensions) ORDER BY d.due_at), '[]')
          FROM deadline d WHERE d.instance_id = i.id AND d.status = 'open') AS open_deadlines,
         (SELECT coalesce(json_agg(json_build_object('id', c.id, 'definition_id', c.definition_id, 'parent_key', c.parent_key, 'state_path', c.state_path,
                 'status', c.status, 'outcome', c.outcome) ORDER BY c.parent_key), '[]')
          FROM workflow_instance c WHERE c.parent_id = i.id) AS child_rows,
         (SELECT coalesce(json_agg(json_build_object('analysis_id', l.analysis_id, 'finding_id', l.finding_id, 'procedure_id', l.procedure_id,
                 'procedure_definition', p.definition_id, 'memorandum_id', l.memorandum_id, 'finding_text', l.finding_text,
                 'linked_by', l.linked_by, 'linked_at', l.linked_at, 'linked_from', l.linked_from) ORDER BY l.linked_at, l.finding_id), '[]')
          FROM finding_link l JOIN workflow_instance p ON p.id = l.procedure_id
          WHERE l.analysis_id = i.id OR l.procedure_id = i.id) AS finding_links
       FROM workflow_instance i WHERE i.id = $1`,
      [id],
    );
    if (!row) throw new DomainException(ErrorCode.NOT_FOUND, `There is no procedure with id "${id}".`);
    const def = this.registry.get(row.definition_id, row.definition_version)!;
    const snapshot = restore(def.machine, row.snapshot);
    const deadlines = row.open_deadlines;
    const children = row.child_rows;
    const context: unknown = snapshot.context;
    const now = this.clock.now();
    const accepted = acceptedEventTypes(def, snapshot);
    const stages = activeStateMeta(snapshot).filter((s) => statePaths(snapshot).includes(s.path));
    return {
      id: row.id,
      definition: { id: def.id, version: def.version, measure: def.measure, title: def.title },
      state: row.state_path,
      stages: stages.map((s) => ({ path: s.path, label: s.meta.label, responsible: s.meta.responsible })),
      status: row.status,
      outcome: row.outcome,
      subject: row.subject,
      partner: row.partner,
      memorandum: row.memorandum,
      treaty: row.treaty,
      parentId: row.parent_id,
      parentKey: row.parent_key,
      startedBy: row.started_by,
      seq: row.seq,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
      context,
      allowedEvents: accepted
        .filter((t) => def.events[t].roles.includes(actor.role))
        .map((t) => ({
          type: t,
          description: def.events[t].description,
          payloadSchema: jsonSchemaOf(def.events[t].payload),
        })),
      acceptedEvents: accepted,
      deadlines: deadlines.map((d) => ({
        key: d.key,
        label: d.label,
        responsible: d.responsible,
        assignee: d.assignee,
        startsAt: new Date(d.starts_at).toISOString(),
        dueAt: new Date(d.due_at).toISOString(),
        unit: d.unit,
        remindBefore: d.remind_before,
        overdue: new Date(d.due_at).getTime() < now.getTime(),
        daysLeft: Math.ceil((new Date(d.due_at).getTime() - now.getTime()) / 86_400_000),
        extensions: d.extensions,
      })),
      children: children.map((c) => ({
        id: c.id,
        definitionId: c.definition_id,
        key: c.parent_key,
        state: c.state_path,
        status: c.status,
        outcome: c.outcome,
      })),
      // 1(a) findings linked to this procedure (on a 1(c)/(d)/(e)) or from it (on a 1(a)), either side's link.
      findingLinks: row.finding_links.map((l) => ({
        analysisId: l.analysis_id,
        findingId: l.finding_id,
        procedureId: l.procedure_id,
        procedureDefinitionId: l.procedure_definition,
        memorandumId: l.memorandum_id,
        findingText: l.finding_text,
        linkedBy: l.linked_by,
        linkedAt: new Date(l.linked_at).toISOString(),
        linkedFrom: l.linked_from,
      })),
    };
  }

  /** The corrections of a procedure (pending, confirmed, rejected) and what may be corrected. */
  async corrections(id: string): Promise<CorrectionsView> {
    if (!isUuid(id)) throw new DomainException(ErrorCode.NOT_FOUND, `There is no procedure with id "${id}".`);
    const [row] = await this.ds.query<Pick<InstanceRow, 'definition_id' | 'definition_version'>[]>(
      `SELECT definition_id, definition_version FROM workflow_instance WHERE id = $1`,
      [id],
    );
    if (!row) throw new DomainException(ErrorCode.NOT_FOUND, `There is no procedure with id "${id}".`);
    const def = this.registry.get(row.definition_id, row.definition_version)!;
    return {
      correctable: Object.entries(def.corrections ?? {}).map(([field, spec]) => ({
        field,
        label: spec.label,
        valueSchema: jsonSchemaOf(spec.value),
      })),
      corrections: await correctionsOf(this.ds, id),
    };
  }
}

/** The corrections of one procedure and the facts its definition lets be corrected. */
export interface CorrectionsView {
  correctable: { field: string; label: string; valueSchema: unknown }[];
  corrections: CorrectionRecord[];
}

const JSON_SCHEMAS = new WeakMap<z.ZodType, unknown>();

/** The JSON Schema of a payload schema, computed once per schema (it is read with every view). */
export function jsonSchemaOf(schema: z.ZodType): unknown {
  let json = JSON_SCHEMAS.get(schema);
  if (json === undefined) {
    json = z.toJSONSchema(schema, { unrepresentable: 'any' });
    JSON_SCHEMAS.set(schema, json);
  }
  return json;
}
