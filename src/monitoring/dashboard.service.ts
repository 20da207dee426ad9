import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { stateMeta } from '../../workflows/kernel/inspect';
import type { Labels } from '../../workflows/kernel/types';
import type { DefinitionRegistry } from '../../workflows/registry';
import { DEFINITIONS } from '../engine/engine.types';
import { CLOCK, type Clock } from '../infra/clock';
import { queryRows } from '../infra/sql';
import type { DashboardQuery } from './dashboard.dto';

const DAY = 86_400_000;
/** Time per stage changes slowly and is the one aggregate over the whole history: kept for a minute. */
const DURATIONS_TTL_MS = 60_000;

/**
 * The managers' view of every direction-1 procedure, computed in the database from the
 * instances, open deadlines and the read models the engine keeps with each event
 * (`awaiting_answer`: who owes an answer since when; `stage_visit`: time spent per stage).
 */
@Injectable()
export class DashboardService {
  private durations: { key: string; at: number; value: Promise<DurationRow[]> } | null = null;

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(DEFINITIONS) private readonly registry: DefinitionRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async dashboard(q: DashboardQuery) {
    const now = this.clock.now();
    const weekEnd = new Date(now.getTime() + 7 * DAY);
    const params: unknown[] = [];
    const where: string[] = [];
    if (q.definition) where.push(`i.definition_id = $${params.push(q.definition)}`);
    if (q.partner) where.push(`i.partner = $${params.push(q.partner)}`);
    const cond = where.length ? `AND ${where.join(' AND ')}` : '';
    const nowParam = params.length + 1;
    const weekParam = params.length + 2;
    const p = [...params, now, weekEnd];

    // Each query reads an index: stage counts (definition, stage, status), open deadlines by due
    // date, and the awaiting_answer table; none of them looks at every instance's snapshot.
    const [stageCounts, overdueByStage, totals, holding, overdue, dueSoon, durations] = await Promise.all([
      queryRows<Omit<StageRow, 'overdue'>>(
        this.ds,
        `SELECT i.definition_id, i.state_path, i.status, count(*)::int AS n FROM workflow_instance i WHERE true ${cond} GROUP BY 1, 2, 3`,
        params,
      ),
      queryRows<{ definition_id: string; state_path: string; overdue: number }>(
        this.ds,
        `SELECT i.definition_id, i.state_path, count(DISTINCT i.id)::int AS overdue
         FROM deadline d JOIN workflow_instance i ON i.id = d.instance_id
         WHERE d.status = 'open' AND d.due_at < $${nowParam} ${cond} GROUP BY 1, 2`,
        p.slice(0, nowParam),
      ),
      queryRows<{ overdue: number; due_this_week: number }>(
        this.ds,
        `SELECT count(DISTINCT d.instance_id) FILTER (WHERE d.due_at < $${nowParam})::int AS overdue,
                count(DISTINCT d.instance_id) FILTER (WHERE d.due_at >= $${nowParam})::int AS due_this_week
         FROM deadline d ${where.length ? 'JOIN workflow_instance i ON i.id = d.instance_id' : ''}
         WHERE d.status = 'open' AND d.due_at < $${weekParam} ${cond}`,
        p,
      ),
      queryRows<HoldingRow>(
        this.ds,
        where.length
          ? `SELECT a.member_state, count(*)::int AS items, min(a.since) AS oldest_since, (array_agg(a.instance_id ORDER BY a.since))[1:20] AS instance_ids
             FROM awaiting_answer a JOIN workflow_instance i ON i.id = a.instance_id
             WHERE i.status = 'active' ${cond} GROUP BY a.member_state ORDER BY items DESC, oldest_since`
          : // rows exist only while an instance is open: the engine removes them when a round closes
            `SELECT a.member_state, count(*)::int AS items, min(a.since) AS oldest_since, (array_agg(a.instance_id ORDER BY a.since))[1:20] AS instance_ids
             FROM awaiting_answer a GROUP BY a.member_state ORDER BY items DESC, oldest_since`,
        params,
      ),
      queryRows<DeadlineRow>(
        this.ds,
        `SELECT d.instance_id, i.definition_id, i.subject, i.state_path, d.key, d.label, d.due_at
         FROM deadline d JOIN workflow_instance i ON i.id = d.instance_id
         WHERE d.status = 'open' AND d.due_at < $${nowParam} ${cond} ORDER BY d.due_at LIMIT 50`,
        p.slice(0, nowParam),
      ),
      queryRows<DeadlineRow>(
        this.ds,
        `SELECT d.instance_id, i.definition_id, i.subject, i.state_path, d.key, d.label, d.due_at
         FROM deadline d JOIN workflow_instance i ON i.id = d.instance_id
         WHERE d.status = 'open' AND d.due_at >= $${nowParam} AND d.due_at < $${weekParam} ${cond} ORDER BY d.due_at LIMIT 50`,
        p,
      ),
      this.stageDurations(q),
    ]);
    const overdueAt = new Map(overdueByStage.map((r) => [`${r.definition_id}|${r.state_path}`, r.overdue]));
    const stages: StageRow[] = stageCounts.map((r) => ({
      ...r,
      overdue: r.status === 'active' ? (overdueAt.get(`${r.definition_id}|${r.state_path}`) ?? 0) : 0,
    }));

    const byProcedure = this.registry
      .ids()
      .filter((id) => !q.definition || id === q.definition)
      .map((id) => {
        const def = this.registry.latest(id)!;
        const rows = stages.filter((r) => r.definition_id === id);
        const active = rows.filter((r) => r.status === 'active');
        return {
          definitionId: id,
          measure: def.measure,
          title: def.title,
          active: sum(active.map((r) => r.n)),
          done: sum(rows.filter((r) => r.status === 'done').map((r) => r.n)),
          overdue: sum(active.map((r) => r.overdue)),
          stages: rows
            .sort((a, b) => b.n - a.n)
            .map((r) => ({
              state: r.state_path,
              status: r.status,
              label: this.label(id, r.state_path),
              count: r.n,
              overdue: r.overdue,
            })),
        };
      });
    const item = (r: DeadlineRow) => ({
      instanceId: r.instance_id,
      definitionId: r.definition_id,
      subject: r.subject,
      state: r.state_path,
      deadlineKey: r.key,
      label: r.label,
      dueAt: r.due_at,
    });
    return {
      generatedAt: now.toISOString(),
      totals: {
        active: sum(byProcedure.map((b) => b.active)),
        done: sum(byProcedure.map((b) => b.done)),
        overdue: totals[0]?.overdue ?? 0,
        dueThisWeek: totals[0]?.due_this_week ?? 0,
      },
      byProcedure,
      holdingUp: holding.map((h) => ({
        memberState: h.member_state,
        items: h.items,
        oldestSince: h.oldest_since,
        days: Math.floor((now.getTime() - new Date(h.oldest_since).getTime()) / DAY),
        instanceIds: h.instance_ids,
      })),
      stageDurations: durations.map((d) => ({
        definitionId: d.definition_id,
        state: d.state_path,
        label: this.label(d.definition_id, d.state_path),
        averageDays: Math.round((d.avg_seconds / 86_400) * 10) / 10,
        samples: d.samples,
      })),
      overdueItems: overdue.map((r) => ({
        ...item(r),
        daysOverdue: Math.floor((now.getTime() - new Date(r.due_at).getTime()) / DAY),
      })),
      dueThisWeekItems: dueSoon.map((r) => ({
        ...item(r),
        daysLeft: Math.ceil((new Date(r.due_at).getTime() - now.getTime()) / DAY),
      })),
    };
  }

  private stageDurations(q: DashboardQuery): Promise<DurationRow[]> {
    const key = `${q.definition ?? ''}|${q.partner ?? ''}`;
    const at = Date.now();
    if (this.durations && this.durations.key === key && at - this.durations.at < DURATIONS_TTL_MS)
      return this.durations.value;
    const params: unknown[] = [];
    const where: string[] = [];
    if (q.definition) where.push(`v.definition_id = $${params.push(q.definition)}`);
    if (q.partner)
      where.push(
        `EXISTS (SELECT 1 FROM workflow_instance i WHERE i.id = v.instance_id AND i.partner = $${params.push(q.partner)})`,
      );
    const value = queryRows<DurationRow>(
      this.ds,
      `SELECT v.definition_id, v.state_path, avg(extract(epoch FROM v.left_at - v.entered_at))::float8 AS avg_seconds, count(*)::int AS samples
         FROM stage_visit v WHERE v.left_at IS NOT NULL ${where.length ? `AND ${where.join(' AND ')}` : ''}
         GROUP BY 1, 2 ORDER BY 1, 2`,
      params,
    ).catch((err: unknown) => {
      this.durations = null;
      throw err;
    });
    this.durations = { key, at, value };
    return value;
  }

  private label(definitionId: string, path: string): Labels | null {
    const def = this.registry.latest(definitionId);
    return (def && stateMeta(def.machine, path)?.label) ?? null;
  }
}

interface StageRow {
  definition_id: string;
  state_path: string;
  status: 'active' | 'done';
  n: number;
  overdue: number;
}
interface HoldingRow {
  member_state: string;
  items: number;
  oldest_since: Date;
  instance_ids: string[];
}
interface DeadlineRow {
  instance_id: string;
  definition_id: string;
  subject: string;
  state_path: string;
  key: string;
  label: Labels;
  due_at: Date;
}
interface DurationRow {
  definition_id: string;
  state_path: string;
  avg_seconds: number;
  samples: number;
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
