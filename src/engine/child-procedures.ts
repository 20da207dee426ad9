import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { DefinitionRegistry } from '../../workflows/registry';
import { SYSTEM_ACTOR } from '../common/actors';
import { DomainException, ErrorCode, ErrorReason } from '../common/domain.exception';
import { WorkflowEngine } from './engine.service';
import { DEFINITIONS } from './engine.types';
import type { OutboxMessage } from './outbox-messages';
import { OutboxRelay } from './outbox.relay';

/**
 * Parent and child procedures, run from the outbox after the parent's commit: a parent's
 * `effect.openChildren` opens each child once (unique per parent and key), and a child that
 * reaches a final state delivers CHILD_DONE to its parent once (idempotency key per child).
 */
@Injectable()
export class ChildProcedures implements OnModuleInit {
  private readonly log = new Logger('ChildProcedures');

  constructor(
    private readonly engine: WorkflowEngine,
    private readonly relay: OutboxRelay,
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(DEFINITIONS) private readonly registry: DefinitionRegistry,
  ) {}

  onModuleInit(): void {
    this.relay.register('child.open', (m) => this.open(m));
    this.relay.register('child.done', (m) => this.done(m));
  }

  /**
   * A child the engine refuses to start (a rule, not a fault: e.g. a 1(e) already open for the same
   * memorandum, opened by hand or by another adoption) is not opened; the parent is not failed,
   * and the refusal is kept as the note of its `child.open` message. Faults are retried.
   */
  private async open(m: OutboxMessage<'child.open'>): Promise<string | void> {
    const { parentId, definitionId, key, input } = m.payload;
    try {
      const r = await this.engine.start({ definitionId, input, actor: SYSTEM_ACTOR, parent: { id: parentId, key } });
      this.log.log(
        `${r.replayed ? 'already open' : 'opened'}: ${definitionId} ${key} (${r.instanceId}) for ${parentId}`,
      );
    } catch (err) {
      if (
        err instanceof DomainException &&
        (err.code === ErrorCode.CONFLICT || err.code === ErrorCode.INVALID_PAYLOAD) &&
        err.reason !== ErrorReason.CONCURRENT_UPDATE
      ) {
        const note = `Not opened: ${err.message}`;
        this.log.log(`${definitionId} ${key} for ${parentId} ${note}`);
        return note;
      }
      throw err;
    }
  }

  private async done(m: OutboxMessage<'child.done'>): Promise<void> {
    const p = m.payload;
    const [parent] = await this.ds.query<
      { definition_id: string; definition_version: number; status: 'active' | 'done' }[]
    >(`SELECT definition_id, definition_version, status FROM workflow_instance WHERE id = $1`, [p.parentId]);
    const def = parent ? this.registry.get(parent.definition_id, parent.definition_version) : undefined;
    if (!def?.events.CHILD_DONE || parent.status !== 'active') {
      // The parent does not follow its children (or has closed): nothing to record.
      this.log.log(
        `CHILD_DONE for ${p.childId} not delivered: parent ${p.parentId} ${parent?.status === 'active' ? 'does not listen for it' : 'is closed'}`,
      );
      return;
    }
    try {
      await this.engine.apply({
        instanceId: p.parentId,
        type: 'CHILD_DONE',
        payload: {
          childId: p.childId,
          definitionId: p.definitionId,
          key: p.key,
          finalState: p.finalState,
          output: p.output,
        },
        actor: SYSTEM_ACTOR,
        idempotencyKey: `child-done-${p.childId}`,
      });
    } catch (err) {
      // The parent's stage does not take it now (409): recorded as skipped. Anything else, a
      // concurrent update included, is retried.
      if (
        err instanceof DomainException &&
        err.code === ErrorCode.CONFLICT &&
        err.reason !== ErrorReason.CONCURRENT_UPDATE
      ) {
        this.log.log(`CHILD_DONE for ${p.childId} skipped by parent ${p.parentId}: ${err.message}`);
        return;
      }
      throw err;
    }
  }
}
