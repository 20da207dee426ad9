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

const MEMORANDUM_AMENDMENT = 'memorandum-amendment';

interface Basis {
  document: string;
  decisionNumber: string;
  date: string;
}

const isBasis = (v: unknown): v is Basis =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as Record<string, unknown>).document === 'string' &&
  typeof (v as Record<string, unknown>).decisionNumber === 'string' &&
  typeof (v as Record<string, unknown>).date === 'string';

/** A refusal by a rule (409 or 400), as opposed to a fault or a concurrent update, which are retried. */
function isRuleRefusal(err: unknown): err is DomainException {
  return (
    err instanceof DomainException &&
    (err.code === ErrorCode.CONFLICT || err.code === ErrorCode.INVALID_PAYLOAD) &&
    err.reason !== ErrorReason.CONCURRENT_UPDATE
  );
}

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
   * A child the engine refuses to start (a rule, not a fault) is not opened; the parent is not
   * failed, and the refusal is kept as the note of its `child.open` message. Faults are retried.
   *
   * One open 1(e) per memorandum: when the refusal is that the memorandum's 1(e) is already open
   * (opened by hand or by another adoption), this adoption's basis is added to that procedure as an
   * ADD_BASIS event applied through the engine (its history, view and exports show it), and the note
   * says so. Should that procedure close in between, the message is retried and opens a new 1(e).
   */
  private async open(m: OutboxMessage<'child.open'>): Promise<string | void> {
    const { parentId, definitionId, key, input } = m.payload;
    try {
      const r = await this.engine.start({ definitionId, input, actor: SYSTEM_ACTOR, parent: { id: parentId, key } });
      this.log.log(
        `${r.replayed ? 'already open' : 'opened'}: ${definitionId} ${key} (${r.instanceId}) for ${parentId}`,
      );
    } catch (err) {
      if (!isRuleRefusal(err)) throw err;
      const openId = err.details?.openInstanceId;
      const basis = input.basis;
      if (definitionId === MEMORANDUM_AMENDMENT && typeof openId === 'string' && isBasis(basis))
        return this.addBasis(parentId, key, openId, basis);
      const note = `Not opened: ${err.message}`;
      this.log.log(`${definitionId} ${key} for ${parentId} ${note}`);
      return note;
    }
  }

  /** Adds an adoption's basis to the memorandum's open 1(e); idempotent per adopting procedure and key. */
  private async addBasis(parentId: string, key: string, openId: string, basis: Basis): Promise<string> {
    try {
      const r = await this.engine.apply({
        instanceId: openId,
        type: 'ADD_BASIS',
        payload: { ...basis, procedureId: parentId },
        actor: SYSTEM_ACTOR,
        idempotencyKey: `add-basis-${parentId}-${key}`,
      });
      this.log.log(`basis of ${parentId} added to the open 1(e) ${openId} (${key})`);
      return `Not opened: the memorandum's amendment procedure ${openId} is open; this adoption was added to it as a basis (event ${r.seq}).`;
    } catch (err) {
      if (isRuleRefusal(err) && err.reason !== ErrorReason.STAGE_REFUSES_EVENT) {
        const note = `Not opened, basis not added to the open amendment procedure ${openId}: ${err.message}`;
        this.log.log(`${key} for ${parentId} ${note}`);
        return note;
      }
      // The open 1(e) closed in between (its stage no longer takes the event): retry, which opens a new one.
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
