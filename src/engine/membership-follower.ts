import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SYSTEM_ACTOR } from '../common/actors';
import { DomainException } from '../common/domain.exception';
import { CLOCK, type Clock } from '../infra/clock';
import { queryRows } from '../infra/sql';
import { ReferenceService } from '../reference/reference.service';
import type { ReferenceChange } from '../reference/reference.types';
import { WorkflowEngine } from './engine.service';

/** The longest reason MEMBERSHIP_CHANGED carries (its payload's bound). */
const REASON_MAX = 2000;

/**
 * Brings open consensus rounds to a change of membership as soon as the change is recorded: for
 * every procedure whose last round is open, follows membership and has an electorate other than
 * the member states of now, it applies MEMBERSHIP_CHANGED through the engine (the one write path),
 * which adds a state that joined (full answer period, deadline moved later) or removes one that
 * left (with the reason). This is a convenience, not the guarantee: every event that reaches an
 * open round checks its electorate against the member states of its own moment, in its own
 * transaction, so a change dated in the future, or one whose propagation was interrupted, is taken
 * in by the round's next event (its reminder or deadline at the latest).
 */
@Injectable()
export class MembershipFollower implements OnModuleInit {
  private readonly log = new Logger('MembershipFollower');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly reference: ReferenceService,
    private readonly engine: WorkflowEngine,
  ) {}

  onModuleInit(): void {
    this.reference.follow(async (change) => {
      await this.changed(change);
    });
  }

  /** Applies MEMBERSHIP_CHANGED to every open round the change concerns; returns the instances reached. */
  async changed(change: ReferenceChange): Promise<string[]> {
    if (change.kind !== 'member_state') return [];
    const now = this.clock.now();
    if (change.effectiveFrom.getTime() > now.getTime()) return [];
    const members = await this.reference.memberStateCodes(now);
    const rows = await queryRows<{ id: string; electorate: string[] }>(
      this.ds,
      `SELECT id, snapshot -> 'context' -> 'rounds' -> -1 -> 'electorate' AS electorate
         FROM workflow_instance
        WHERE status = 'active'
          AND snapshot -> 'context' -> 'rounds' -> -1 ->> 'outcome' = 'open'
          AND snapshot -> 'context' -> 'rounds' -> -1 ->> 'followsMembership' = 'true'
        ORDER BY id`,
    );
    const date = change.effectiveFrom.toISOString().slice(0, 10);
    const what = members.includes(change.code) ? 'became a member state' : 'ceased to be a member state';
    const reason = `${change.code} ${what} on ${date} (reference data: ${change.note})`.slice(0, REASON_MAX);
    const reached: string[] = [];
    for (const row of rows) {
      const electorate = [...row.electorate].sort().join(',');
      if (electorate === [...members].sort().join(',')) continue;
      try {
        await this.engine.apply({
          instanceId: row.id,
          type: 'MEMBERSHIP_CHANGED',
          payload: { reason },
          actor: SYSTEM_ACTOR,
          idempotencyKey: null,
        });
        reached.push(row.id);
      } catch (err) {
        // The procedure moved on meanwhile (its round settled): its next round starts on the new membership.
        if (!(err instanceof DomainException)) throw err;
        this.log.warn(`MEMBERSHIP_CHANGED not applied to ${row.id}: ${err.message}`);
      }
    }
    return reached;
  }
}
