import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { AnyMachineSnapshot, AnyStateMachine } from 'xstate';
import { initialTransition } from 'xstate';
import { DataSource, type EntityManager } from 'typeorm';
import type { z } from 'zod';
import { awaitedAnswers, type AwaitedAnswers } from '../../workflows/kernel/awaited';
import { enterByMigration } from '../../workflows/kernel/migration';
import { refuseCorrection, sameValue, shown } from '../../workflows/kernel/corrections';
import type { PayloadOf, WorkflowDefinition } from '../../workflows/kernel/definition';
import {
  acceptedEventTypes,
  activeStateMeta,
  allStates,
  dynamicDeadlines,
  effectsOf,
  explainRefusal,
  finalStateOf,
  pureTransition,
  reenteredStates,
  statePaths,
} from '../../workflows/kernel/inspect';
import {
  correctionNotice,
  extensionNotice,
  openedNotice,
  transitionNotices,
  type NoticeSide,
} from '../../workflows/kernel/notices';
import type {
  Actor,
  DynamicDeadline,
  FullPeriodEffect,
  Labels,
  Role,
  WorkflowEffect,
  WorkflowEvent,
  World,
} from '../../workflows/kernel/types';
import type { DefinitionRegistry } from '../../workflows/registry';
import { DomainException, ErrorCode, ErrorReason } from '../common/domain.exception';
import { isUuid } from '../common/ids';
import { PgErrorCode, pgErrorCode } from '../common/pg-errors';
import { CLOCK, type Clock } from '../infra/clock';
import { RUNTIME, type Runtime } from '../infra/runtime';
import { PipelinedTransaction } from '../infra/pipelined-transaction';
import { preparedRows } from '../infra/sql';
import {
  ANSWER_STATEMENT_FORMAT,
  statementEventMismatches,
  verifyStoredSignature,
  type StoredSignature,
} from '../evidence/signed-statement';
import type { MemorandumRef } from '../reference/reference.types';
import { CORRECTION_ROLES, correctionsOf } from './corrections';
import { addDays } from './deadline-plan';
import { ENGINE_METRICS, type EngineMetricsHook } from './engine-metrics.port';
import {
  DEFINITIONS,
  ENGINE_EVENTS,
  type ApplyCommand,
  type EventResolver,
  type ApplyResult,
  ENGINE_FAULTS,
  FINDING_TARGETS,
  type EngineFaultHook,
  type LinkFindingCommand,
  type FaultPoint,
  type InstanceRow,
  type StartCommand,
} from './engine.types';
import { eventHash, GENESIS_HASH, requestHash } from './event-hash';
import type { OutboxKind, OutboxPayloads } from './outbox-messages';
import { actingAppointmentSql, actingAs, mayActFor, type ActingAppointmentRow } from '../auth/acting';
import { idempotencyScope } from './idempotency-scope';
import { OutboxRelay } from './outbox.relay';
import { pathsToValue } from './state-value';
import { WorldService, type LockedFacts } from './world.service';
import { WriteBatch } from './write-batch';

interface DeadlineDemand {
  key: string;
  label: Labels;
  responsible: Role;
  assignee: string | null;
  escalateTo: Role[];
  unit: 'calendar' | 'working';
  remindBefore: number[];
  /** Absolute due time (dynamic deadlines), or a length in days from now (state deadlines). */
  dueAt: Date | null;
  days: number | null;
}

interface PendingEvent {
  type: string;
  payload: unknown;
  actor: Actor;
  idempotencyKey: string | null;
  stateBefore: string | null;
  /** The signed statement of a member-state answer, stored with the event. */
  signature?: StoredSignature | null;
  /**
   * The facts the machine was handed with the event (member states, memoranda, bodies, the draft,
   * the treaty), stored with it so that a replay gives the machine exactly what it saw.
   */
  world?: World | null;
}

/** The events by which a member state answers (a position in a round, or comments in a circulation). */
const ANSWER_EVENTS: ReadonlySet<string> = new Set(['POSITION', 'RESPOND']);

const RETRIABLE: ReadonlySet<string> = new Set([
  PgErrorCode.DEADLOCK_DETECTED,
  PgErrorCode.SERIALIZATION_FAILURE,
  PgErrorCode.UNIQUE_VIOLATION,
]);
const MAX_ATTEMPTS = 5;
const MEMORANDUM_AMENDMENT = 'memorandum-amendment';
const TREATY_ACCESSION = 'treaty-accession';

/**
 * The one write path. Starting an instance, applying an event, migrating an instance to a new
 * definition version and extending a deadline are each one PostgreSQL transaction:
 *
 *   lock the instance row -> restore the snapshot -> check role, payload and machine guards ->
 *   transition (XState's pure `transition`) -> write snapshot, hash-chained event, deadlines and
 *   outbox rows -> commit -> kick the outbox relay.
 *
 * HTTP handlers, queue processors and scripts all call these methods; nothing else writes
 * workflow state.
 */
@Injectable()
export class WorkflowEngine {
  private readonly log = new Logger('WorkflowEngine');

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(DEFINITIONS) private readonly registry: DefinitionRegistry,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly world: WorldService,
    private readonly outbox: OutboxRelay,
    @Inject(RUNTIME) private readonly runtime: Runtime,
    // the metrics port, absent when no metrics module is loaded
    @Optional() @Inject(ENGINE_METRICS) private readonly metrics?: EngineMetricsHook,
    // the fault port, provided by fault tests only
    @Optional() @Inject(ENGINE_FAULTS) private readonly faults?: EngineFaultHook,
  ) {}

  /** Transactions that wrote outbox rows: only those kick the relay after commit. */
  private readonly wroteOutbox = new WeakSet<EntityManager>();
  /** Transactions whose writes are sent together (apply, the hot path): see WriteBatch. */
  private readonly batches = new WeakMap<EntityManager, WriteBatch>();
  /** The pipelined transactions of apply() running now, by their manager. */
  private readonly pipelines = new WeakMap<EntityManager, PipelinedTransaction>();
  /** Shared facts (JSON text -> hash) known to be in world_facts: written by a committed transaction of this process. */
  private readonly factsHashes = new Map<string, string>();
  /** Facts a transaction writes, known once it commits. */
  private readonly factsOfTransaction = new WeakMap<EntityManager, [string, string][]>();

  definitions(): DefinitionRegistry {
    return this.registry;
  }

  async start(cmd: StartCommand): Promise<ApplyResult> {
    const def = this.registry.latest(cmd.definitionId);
    if (!def)
      throw new DomainException(
        ErrorCode.NOT_FOUND,
        `There is no procedure definition "${cmd.definitionId}". Known: ${this.registry.ids().join(', ')}.`,
        {
          definitionId: cmd.definitionId,
        },
      );
    if (cmd.actor.role !== 'system' && !def.startRoles.includes(cmd.actor.role))
      throw new DomainException(
        ErrorCode.FORBIDDEN,
        `Starting ${def.id} needs the role ${def.startRoles.join(' or ')}; you are ${cmd.actor.role}.`,
      );
    const input = parsePayload(def.input, cmd.input, 'input');
    const fingerprint = requestHash({ op: 'start', definitionId: def.id, input, parent: cmd.parent ?? null });

    const result = await this.inTransaction(async (m) => {
      if (cmd.idempotencyKey) {
        const seen = await this.replay(m, cmd.actor, cmd.idempotencyKey, fingerprint);
        if (seen) return seen;
      }
      if (cmd.parent) {
        const [existing] = await m.query<{ id: string; seq: number }[]>(
          `SELECT id, seq FROM workflow_instance WHERE parent_id = $1 AND parent_key = $2`,
          [cmd.parent.id, cmd.parent.key],
        );
        if (existing) return this.resultOf(m, existing.id, existing.seq, true);
      }
      const now = this.clock.now();
      const world = await this.world.for(m, null, now);
      await this.checkStart(m, def.id, input, world.memoranda, now);
      const id = randomUUID();
      const machineInput = { ...(input as object), startedBy: cmd.actor.id, startedAt: now.toISOString(), world };
      const [snapshot, actions] = initialTransition(def.machine, machineInput);
      const keys = def.businessKeys(input);
      const statePath = statePaths(snapshot).join(',');
      const status = snapshot.status === 'done' ? 'done' : 'active';
      const persisted = def.machine.getPersistedSnapshot(snapshot);
      const hash = eventHash({
        instanceId: id,
        seq: 1,
        type: ENGINE_EVENTS.start,
        payload: input,
        actorId: cmd.actor.id,
        actorRole: cmd.actor.role,
        actorMemberState: cmd.actor.memberState,
        actingFor: cmd.actor.actingFor,
        at: now.toISOString(),
        stateAfter: statePath,
        prevHash: GENESIS_HASH,
      });
      await m.query(
        `INSERT INTO workflow_instance (id, definition_id, definition_version, snapshot, state_path, status, outcome, partner, memorandum, treaty, subject,
           parent_id, parent_key, started_by, seq, last_hash, created_at, updated_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,1,$15,$16,$16)`,
        [
          id,
          def.id,
          def.version,
          persisted,
          statePath,
          status,
          finalStateOf(snapshot),
          keys.partner,
          keys.memorandum,
          keys.treaty,
          keys.subject,
          cmd.parent?.id ?? null,
          cmd.parent?.key ?? null,
          cmd.actor.id,
          hash,
          now,
        ],
      );
      this.inject('after-snapshot', { type: ENGINE_EVENTS.start, instanceId: id });
      await this.insertEvent(
        m,
        id,
        1,
        def.version,
        {
          type: ENGINE_EVENTS.start,
          payload: input,
          actor: cmd.actor,
          idempotencyKey: cmd.idempotencyKey ?? null,
          stateBefore: null,
          world,
        },
        statePath,
        now,
        GENESIS_HASH,
        hash,
      );
      this.inject('after-event', { type: ENGINE_EVENTS.start, instanceId: id });
      await this.syncReadModels(m, def.id, id, 1, null, null, statePath, snapshot.context, now);
      await this.syncDeadlines(m, def, id, 1, null, snapshot, [], now);
      this.inject('after-deadlines', { type: ENGINE_EVENTS.start, instanceId: id });
      await this.writeEffects(m, def, id, 1, snapshot, effectsOf(actions), cmd.actor, now);
      const fromFinding = findingRefOf(input);
      if (fromFinding)
        await this.recordLink(m, { ...fromFinding, procedureId: id, from: 'start', actor: cmd.actor }, now);
      await this.writeEffects(
        m,
        def,
        id,
        1,
        snapshot,
        [
          ...(cmd.parent ? [openedNotice(input as Record<string, unknown>, def.title, keys.subject)] : []),
          ...transitionNotices({ context: null, states: [] }, sideOf(snapshot), {
            type: ENGINE_EVENTS.start,
            actor: cmd.actor,
            payload: input as Record<string, unknown>,
            memberStates: world.memberStates,
          }),
        ],
        cmd.actor,
        now,
      );
      this.inject('after-outbox', { type: ENGINE_EVENTS.start, instanceId: id });
      if (cmd.idempotencyKey) await this.remember(m, cmd.actor, cmd.idempotencyKey, fingerprint, id, 1, now);
      return {
        instanceId: id,
        seq: 1,
        type: ENGINE_EVENTS.start,
        state: statePath,
        status,
        outcome: finalStateOf(snapshot),
        replayed: false,
      } satisfies ApplyResult;
    });
    return result;
  }

  /**
   * Applies one event. `resolve`, when given, decides the event (type, payload, actor) under the
   * instance lock, replacing those of `cmd` (see EventResolver).
   */
  async apply(command: ApplyCommand, resolve?: EventResolver): Promise<ApplyResult> {
    const startedAt = performance.now();
    let definitionId = '';
    let eventType = command.type;
    if (command.signature) {
      const check = await verifyStoredSignature(command.signature);
      if (!check.valid)
        throw new DomainException(
          ErrorCode.INVALID_PAYLOAD,
          `The signature does not verify (${check.reason ?? 'invalid'}); nothing was recorded. Sign the statement again.`,
        );
    }
    const result = await this.inTransaction(async (m) => {
      // One statement locks the instance and reads what its event's facts need (reference data version, draft).
      // the draft facts are read with the lock when the event may read them: it names a draft
      // version, is decided under the lock (an answer), or is of a type some guard reads the draft for
      const mayReadDraft = !!resolve || hasDraftVersion(command.payload) || this.registry.readsDraft(command.type);
      // without a resolver (which may change who acts, hence the key's scope) the key's record is read with the lock too
      const key =
        command.idempotencyKey && !resolve
          ? { scope: idempotencyScope(command.actor), key: command.idempotencyKey }
          : undefined;
      // an event decided under the lock (an answer) learns who its actor acts as from the lock statement too
      const acting = resolve && mayActFor(command.actor) ? { actor: command.actor, at: this.clock.now() } : undefined;
      const row = await this.lock(m, command.instanceId, true, mayReadDraft, key, acting);
      const cmd: ApplyCommand = resolve
        ? {
            ...command,
            ...(await resolve(m, {
              context: (row.snapshot as { context?: unknown }).context ?? null,
              statePath: row.state_path,
              status: row.status,
              actor: actingAs(command.actor, row.acting_appointment),
            })),
          }
        : command;
      eventType = cmd.type;
      this.inject('after-lock', { type: cmd.type, instanceId: row.id });
      // Only a request with an Idempotency-Key needs its fingerprint.
      const fingerprint = cmd.idempotencyKey
        ? requestHash({ op: 'apply', instanceId: cmd.instanceId, type: cmd.type, payload: cmd.payload ?? {} })
        : '';
      if (cmd.idempotencyKey) {
        const seen = key
          ? await this.replayOf(m, row.idempotency_seen ?? null, cmd.idempotencyKey, fingerprint)
          : await this.replay(m, cmd.actor, cmd.idempotencyKey, fingerprint);
        if (seen) return seen;
      }
      const def = this.definitionOf(row);
      definitionId = def.id;
      const spec = def.events[cmd.type];
      if (!spec) {
        throw new DomainException(
          ErrorCode.INVALID_PAYLOAD,
          `${def.id} has no event "${cmd.type}". Its events are: ${Object.keys(def.events).join(', ')}.`,
          {
            type: cmd.type,
          },
        );
      }
      if (!spec.roles.includes(cmd.actor.role))
        throw new DomainException(
          ErrorCode.FORBIDDEN,
          `${cmd.type} needs the role ${spec.roles.join(' or ')}; you are ${cmd.actor.role}.`,
          {
            requiredRoles: spec.roles,
          },
        );
      const payload = parsePayload(spec.payload, cmd.payload ?? {}, 'payload');
      await this.checkReferences(m, def, { type: cmd.type, payload: payload as Record<string, unknown> });
      const snapshot = restore(def.machine, row.snapshot);
      const stateBefore = row.state_path;
      if (snapshot.status !== 'active')
        throw new DomainException(
          ErrorCode.CONFLICT,
          `This procedure is closed (${row.outcome ?? row.state_path}) and accepts no further events.`,
          {
            reason: ErrorReason.STAGE_REFUSES_EVENT,
            state: row.state_path,
            acceptedEvents: [],
          },
        );
      const accepted = acceptedEventTypes(def, snapshot);
      if (!accepted.includes(cmd.type))
        throw new DomainException(
          ErrorCode.CONFLICT,
          `${cmd.type} is not accepted in stage "${stateBefore}". Accepted now: ${accepted.join(', ') || 'none'}.`,
          {
            reason: ErrorReason.STAGE_REFUSES_EVENT,
            state: stateBefore,
            acceptedEvents: accepted,
          },
        );
      const now = this.clock.now();
      const event: WorkflowEvent = {
        type: cmd.type,
        payload: payload as Record<string, unknown>,
        actor: cmd.actor,
        at: now.toISOString(),
        // The draft is read only for an event that names a draft version or whose spec says its guard reads it.
        world: await this.world.forLocked(m, row, hasDraftVersion(payload) || !!spec.readsDraft, now, row.treaty),
      };
      await this.checkAnswerSignature(m, cmd, row, event);
      if (!snapshot.can(event))
        throw new DomainException(ErrorCode.CONFLICT, explainRefusal(def, snapshot, event), {
          reason: ErrorReason.BUSINESS_RULE,
          state: stateBefore,
          acceptedEvents: accepted,
        });
      const reentered = reenteredStates(def.machine, snapshot, event);
      const [next, actions] = pureTransition(def.machine, snapshot, event);
      const seq = row.seq + 1;
      // From here on every write that needs no answer goes out in one statement, at the end or before a read.
      const batch = new WriteBatch(m);
      this.batches.set(m, batch);
      const applied = await this.persist(m, def, row, next, seq, now, {
        type: cmd.type,
        payload,
        actor: cmd.actor,
        idempotencyKey: cmd.idempotencyKey ?? null,
        stateBefore,
        signature: cmd.signature ?? null,
        world: event.world,
      });
      await this.syncDeadlines(m, def, row.id, seq, snapshot, next, reentered, now);
      this.inject('after-deadlines', { type: cmd.type, instanceId: row.id });
      await this.writeEffects(m, def, row.id, seq, next, effectsOf(actions), cmd.actor, now);
      await this.writeEffects(
        m,
        def,
        row.id,
        seq,
        next,
        transitionNotices(sideOf(snapshot), sideOf(next), {
          type: cmd.type,
          actor: cmd.actor,
          payload: event.payload,
          memberStates: event.world.memberStates,
        }),
        cmd.actor,
        now,
      );
      if (applied.status === 'done' && row.parent_id) {
        await this.enqueue(
          m,
          row.id,
          'child.done',
          {
            parentId: row.parent_id,
            childId: row.id,
            definitionId: def.id,
            key: row.parent_key,
            finalState: applied.outcome,
            output: def.output ? def.output(next.context, applied.outcome ?? '') : null,
          },
          now,
        );
      }
      // A closed procedure's record is final: the service signs its chain head (a checkpoint).
      if (applied.status === 'done')
        await this.enqueue(m, row.id, 'evidence.checkpoint', { instanceId: row.id, seq }, now);
      this.inject('after-outbox', { type: cmd.type, instanceId: row.id });
      if (cmd.idempotencyKey) await this.remember(m, cmd.actor, cmd.idempotencyKey, fingerprint, row.id, seq, now);
      // pipelined (see inTransaction): the writes go out with COMMIT, or, in a group
      // (applyMany), with the next command's first statement
      const pipeline = this.pipelines.get(m);
      const writes = pipeline ? batch.take() : null;
      if (!pipeline) await batch.flush();
      else if (!this.groupTransaction.getStore()) await pipeline.last(writes?.sql ?? null, writes?.params ?? []);
      else if (writes) await pipeline.defer(writes.sql, writes.params);
      this.batches.delete(m);
      return applied;
    }, this.runtime.env.PIPELINED_TRANSACTIONS);
    if (!result.replayed) this.metrics?.eventApplied(definitionId, eventType, (performance.now() - startedAt) / 1000);
    return result;
  }

  /**
   * Moves one instance to another version of its definition, mapping its current state. A
   * mapping that names a state the target version lacks is refused; so is one that moves the
   * instance into a final stage, or into a stage whose prerequisites (a review passed, a consensus
   * reached: the definition's `stagePrerequisite`) its record does not show. A stage entered by the
   * mapping is entered as by a transition: rounds left open are closed, its entry actions run (a
   * consensus stage opens a new round), its deadlines are planned. Recorded as an event.
   */
  async migrate(cmd: {
    instanceId: string;
    toVersion: number;
    stateMapping: Record<string, string>;
    reason: string;
    actor: Actor;
  }): Promise<ApplyResult> {
    const result = await this.inTransaction(async (m) => {
      const row = await this.lock(m, cmd.instanceId);
      const from = this.definitionOf(row);
      const to = this.registry.get(row.definition_id, cmd.toVersion);
      if (!to)
        throw new DomainException(
          ErrorCode.NOT_FOUND,
          `${row.definition_id} has no version ${cmd.toVersion}. Versions: ${this.registry.versions(row.definition_id).join(', ')}.`,
        );
      if (to.version === from.version)
        throw new DomainException(ErrorCode.CONFLICT, `The instance already runs on version ${to.version}.`);
      if (row.status !== 'active')
        throw new DomainException(ErrorCode.CONFLICT, 'A closed procedure cannot be migrated.');
      const targetStates = new Set(allStates(to.machine).map((s) => s.path));
      const missing = Object.entries(cmd.stateMapping).filter(([, target]) => !targetStates.has(target));
      if (missing.length)
        throw new DomainException(
          ErrorCode.INVALID_PAYLOAD,
          `The mapping names state(s) that version ${to.version} lacks: ${missing.map(([f, t]) => `${f} -> ${t}`).join(', ')}. Its states are: ${[...targetStates].join(', ')}.`,
          { missing: missing.map(([, t]) => t) },
        );
      const current = restore(from.machine, row.snapshot);
      const paths = statePaths(current);
      const mapped = paths.map((p) => cmd.stateMapping[p] ?? p);
      const unmapped = mapped.filter((p) => !targetStates.has(p));
      if (unmapped.length)
        throw new DomainException(
          ErrorCode.INVALID_PAYLOAD,
          `State ${unmapped.join(', ')} does not exist in version ${to.version}; map it to one that does.`,
          {
            unmapped,
          },
        );
      const entered = mapped.filter((p) => !paths.includes(p));
      const finals = new Set(
        allStates(to.machine)
          .filter((s) => s.type === 'final')
          .map((s) => s.path),
      );
      const closing = entered.filter((p) => finals.has(p));
      if (closing.length)
        throw new DomainException(
          ErrorCode.CONFLICT,
          `A migration cannot close a procedure: "${closing.join(', ')}" is a final stage, reached only by the procedure's own events. Map the instance to an open stage.`,
          { reason: ErrorReason.BUSINESS_RULE, state: row.state_path },
        );
      for (const p of entered) {
        const missing = to.stagePrerequisite?.(p, current.context) ?? null;
        if (missing)
          throw new DomainException(
            ErrorCode.CONFLICT,
            `Moving this procedure from "${paths.join(', ')}" to "${p}" would skip a step its record does not show: ${missing}. Map it to a stage it has reached.`,
            { reason: ErrorReason.BUSINESS_RULE, state: row.state_path, target: p },
          );
      }
      const now = this.clock.now();
      const placed = restore(to.machine, {
        status: 'active',
        value: pathsToValue(mapped),
        context: current.context,
        historyValue: {},
        children: {},
      });
      const payload = {
        fromVersion: from.version,
        toVersion: to.version,
        from: paths.join(','),
        to: mapped.join(','),
        reason: cmd.reason,
      };
      const world = entered.length ? await this.world.for(m, row.id, now) : null;
      const [next, actions] = world
        ? enterByMigration(to.machine, placed, entered, {
            type: ENGINE_EVENTS.migrated,
            payload,
            actor: cmd.actor,
            at: now.toISOString(),
            world,
          })
        : [placed, []];
      const seq = row.seq + 1;
      const applied = await this.persist(m, to, row, next, seq, now, {
        type: ENGINE_EVENTS.migrated,
        payload,
        actor: cmd.actor,
        idempotencyKey: null,
        stateBefore: row.state_path,
        world,
      });
      await this.syncDeadlines(m, to, row.id, seq, null, next, entered, now);
      await this.writeEffects(m, to, row.id, seq, next, effectsOf(actions), cmd.actor, now);
      return applied;
    });
    return result;
  }

  /**
   * Links a finding of a 1(a) analysis and a 1(c)/(d)/(e) procedure, from either side and at any
   * stage, a closed procedure included: a link is a recorded fact, not a change of stage. It is an
   * event (`$finding_linked`) in the history of both instances, and a row of `finding_link`.
   */
  async linkFinding(cmd: LinkFindingCommand): Promise<ApplyResult> {
    const fingerprint = requestHash({
      op: 'link-finding',
      analysisId: cmd.analysisId,
      findingId: cmd.findingId,
      procedureId: cmd.procedureId,
      from: cmd.from,
    });
    return this.inTransaction(async (m) => {
      if (cmd.idempotencyKey) {
        const seen = await this.replay(m, cmd.actor, cmd.idempotencyKey, fingerprint);
        if (seen) return seen;
      }
      const now = this.clock.now();
      const r = await this.recordLink(m, cmd, now);
      if (cmd.idempotencyKey)
        await this.remember(m, cmd.actor, cmd.idempotencyKey, fingerprint, r.instanceId, r.seq, now);
      return r;
    });
  }

  /**
   * The link in the caller's transaction: both rows locked (in id order, so two links made at once
   * from opposite sides never deadlock), the finding and the procedure checked, then one event on
   * each existing instance (on the analysis only, when the procedure is being started from the
   * finding: its `$start` payload records it) and the link row. Returns the event on the side the
   * link was made from.
   */
  private async recordLink(
    m: EntityManager,
    cmd: Omit<LinkFindingCommand, 'from' | 'idempotencyKey'> & { from: LinkFindingCommand['from'] | 'start' },
    now: Date,
  ): Promise<ApplyResult> {
    const field = (side: 'analysis' | 'procedure') =>
      cmd.from === 'start' ? `input.fromFinding.analysisId` : side === 'analysis' ? 'analysisId' : 'procedureId';
    if (cmd.analysisId === cmd.procedureId)
      throw new DomainException(
        ErrorCode.INVALID_PAYLOAD,
        'A finding links an analysis to another procedure, not to itself.',
      );
    const ids = cmd.from === 'start' ? [cmd.analysisId] : [cmd.analysisId, cmd.procedureId].sort();
    const rows = new Map<string, InstanceRow>();
    for (const id of ids) {
      const side = id === cmd.analysisId ? 'analysis' : 'procedure';
      const row = await this.lock(m, id).catch((err: unknown) => {
        if (err instanceof DomainException && err.code === ErrorCode.NOT_FOUND)
          throw new DomainException(
            ErrorCode.INVALID_PAYLOAD,
            `${field(side)}: there is no procedure with id "${id}".`,
            {
              field: field(side),
            },
          );
        throw err;
      });
      rows.set(id, row);
    }
    const analysisRow = rows.get(cmd.analysisId)!;
    const analysisDef = this.definitionOf(analysisRow);
    if (!analysisDef.findings)
      throw new DomainException(
        ErrorCode.INVALID_PAYLOAD,
        `${field('analysis')}: procedure ${cmd.analysisId} is a ${analysisDef.id}; findings come from an implementation-analysis (1(a)).`,
        { field: field('analysis') },
      );
    const finding = analysisDef
      .findings(restore(analysisDef.machine, analysisRow.snapshot).context)
      .find((f) => f.id === cmd.findingId);
    if (!finding)
      throw new DomainException(
        ErrorCode.INVALID_PAYLOAD,
        `There is no finding "${cmd.findingId}" in the submitted assessments of analysis ${cmd.analysisId}.`,
        { field: cmd.from === 'start' ? 'input.fromFinding.findingId' : 'findingId' },
      );
    let procedureDefinition: string;
    if (cmd.from === 'start') {
      const [created] = await m.query<{ definition_id: string }[]>(
        `SELECT definition_id FROM workflow_instance WHERE id = $1`,
        [cmd.procedureId],
      );
      procedureDefinition = created.definition_id;
    } else procedureDefinition = rows.get(cmd.procedureId)!.definition_id;
    if (!FINDING_TARGETS.includes(procedureDefinition))
      throw new DomainException(
        ErrorCode.INVALID_PAYLOAD,
        `${field('procedure')}: procedure ${cmd.procedureId} is a ${procedureDefinition}; a finding feeds one of ${FINDING_TARGETS.join(', ')}.`,
        { field: field('procedure') },
      );
    const [existing] = await m.query<{ linked_at: Date; linked_by: string }[]>(
      `SELECT linked_at, linked_by FROM finding_link WHERE analysis_id = $1 AND finding_id = $2 AND procedure_id = $3`,
      [cmd.analysisId, cmd.findingId, cmd.procedureId],
    );
    if (existing)
      throw new DomainException(
        ErrorCode.CONFLICT,
        `Finding ${cmd.findingId} is already linked to procedure ${cmd.procedureId} (by ${existing.linked_by} on ${new Date(existing.linked_at).toISOString().slice(0, 10)}).`,
        { reason: ErrorReason.BUSINESS_RULE },
      );
    await m.query(
      `INSERT INTO finding_link (analysis_id, finding_id, procedure_id, memorandum_id, finding_text, linked_by, linked_at, linked_from)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8)`,
      [cmd.analysisId, cmd.findingId, cmd.procedureId, finding.memorandumId, finding.text, cmd.actor.id, now, cmd.from],
    );
    const record = async (row: InstanceRow, payload: Record<string, unknown>): Promise<ApplyResult> => {
      const def = this.definitionOf(row);
      return this.persist(m, def, row, restore(def.machine, row.snapshot), row.seq + 1, now, {
        type: ENGINE_EVENTS.findingLinked,
        payload,
        actor: cmd.actor,
        idempotencyKey: null,
        stateBefore: row.state_path,
      });
    };
    const onAnalysis = await record(analysisRow, {
      findingId: cmd.findingId,
      procedureId: cmd.procedureId,
      definitionId: procedureDefinition,
      from: cmd.from,
    });
    if (cmd.from === 'start') return onAnalysis;
    const onProcedure = await record(rows.get(cmd.procedureId)!, {
      analysisId: cmd.analysisId,
      findingId: cmd.findingId,
      memorandumId: finding.memorandumId,
      text: finding.text,
      from: cmd.from,
    });
    return cmd.from === 'analysis' ? onAnalysis : onProcedure;
  }

  /** A manager moves an open deadline, with a reason; the jobs are rescheduled after commit. */
  async extendDeadline(cmd: {
    instanceId: string;
    deadlineKey: string;
    dueAt: Date;
    reason: string;
    actor: Actor;
    idempotencyKey?: string | null;
  }): Promise<ApplyResult> {
    const fingerprint = requestHash({ op: 'extend', ...cmd, actor: undefined, dueAt: cmd.dueAt.toISOString() });
    const result = await this.inTransaction(async (m) => {
      const row = await this.lock(m, cmd.instanceId);
      if (cmd.idempotencyKey) {
        const seen = await this.replay(m, cmd.actor, cmd.idempotencyKey, fingerprint);
        if (seen) return seen;
      }
      const [dl] = await m.query<
        { id: string; due_at: Date; label: Labels; responsible: string; assignee: string | null }[]
      >(
        `SELECT id, due_at, label, responsible, assignee FROM deadline WHERE instance_id = $1 AND key = $2 AND status = 'open'`,
        [row.id, cmd.deadlineKey],
      );
      if (!dl)
        throw new DomainException(
          ErrorCode.NOT_FOUND,
          `There is no open deadline "${cmd.deadlineKey}" on this procedure.`,
        );
      const now = this.clock.now();
      if (cmd.dueAt.getTime() <= now.getTime())
        throw new DomainException(ErrorCode.INVALID_PAYLOAD, 'The new due date must be in the future.');
      const currentDue = new Date(dl.due_at);
      if (cmd.dueAt.getTime() <= currentDue.getTime())
        throw new DomainException(
          ErrorCode.INVALID_PAYLOAD,
          `An extension moves a deadline later: "${cmd.deadlineKey}" is due ${currentDue.toISOString()}, and the new due date ${cmd.dueAt.toISOString()} is not after it. A deadline is never shortened.`,
          { deadlineKey: cmd.deadlineKey, currentDueAt: currentDue.toISOString() },
        );
      const def = this.definitionOf(row);
      const snapshot = restore(def.machine, row.snapshot);
      const seq = row.seq + 1;
      const applied = await this.persist(m, def, row, snapshot, seq, now, {
        type: ENGINE_EVENTS.deadlineExtended,
        payload: {
          deadlineKey: cmd.deadlineKey,
          from: new Date(dl.due_at).toISOString(),
          to: cmd.dueAt.toISOString(),
          reason: cmd.reason,
        },
        actor: cmd.actor,
        idempotencyKey: cmd.idempotencyKey ?? null,
        stateBefore: row.state_path,
      });
      await m.query(
        `UPDATE deadline SET due_at = $2, passed_at = NULL,
           extensions = extensions || jsonb_build_array(jsonb_build_object('from', $3::text, 'to', $4::text, 'by', $5::text, 'reason', $6::text, 'at', $7::text))
         WHERE id = $1`,
        [
          dl.id,
          cmd.dueAt,
          new Date(dl.due_at).toISOString(),
          cmd.dueAt.toISOString(),
          cmd.actor.id,
          cmd.reason,
          now.toISOString(),
        ],
      );
      await this.enqueue(m, row.id, 'deadline.sync', { deadlineId: dl.id }, now);
      const notice = extensionNotice(
        { key: cmd.deadlineKey, label: dl.label, responsible: dl.responsible, assignee: dl.assignee },
        awaitedAnswers(snapshot.context)?.pending ?? [],
        { from: new Date(dl.due_at).toISOString(), to: cmd.dueAt.toISOString(), reason: cmd.reason },
      );
      await this.writeEffects(m, def, row.id, seq, snapshot, [notice], cmd.actor, now);
      if (cmd.idempotencyKey) await this.remember(m, cmd.actor, cmd.idempotencyKey, fingerprint, row.id, seq, now);
      return applied;
    });
    return result;
  }

  /**
   * Proposes the correction of a wrongly recorded fact: the field must be one the definition
   * declares correctable, the value must pass the original field's schema and the rule the
   * original event was guarded by. Recorded as an event; the record itself is unchanged until a
   * second officer confirms it (`decideCorrection`). Open and closed procedures alike.
   */
  async proposeCorrection(cmd: {
    instanceId: string;
    field: string;
    value: unknown;
    reason: string;
    actor: Actor;
    idempotencyKey?: string | null;
  }): Promise<ApplyResult> {
    requireCorrectionRole(cmd.actor);
    const fingerprint = requestHash({ op: 'correct', ...cmd, actor: undefined });
    return this.inTransaction(async (m) => {
      const row = await this.lock(m, cmd.instanceId);
      if (cmd.idempotencyKey) {
        const seen = await this.replay(m, cmd.actor, cmd.idempotencyKey, fingerprint);
        if (seen) return seen;
      }
      const def = this.definitionOf(row);
      const fields = def.corrections ?? {};
      const spec = fields[cmd.field];
      if (!spec) {
        const known = Object.keys(fields);
        throw new DomainException(
          ErrorCode.INVALID_PAYLOAD,
          known.length
            ? `field: ${def.id} records no fact "${cmd.field}" that can be corrected; the correctable facts are ${known.join(', ')}.`
            : `field: ${def.id} records no fact that can be corrected.`,
          { field: 'field', correctable: known },
        );
      }
      const value = parsePayload(spec.value, cmd.value, 'value');
      const pending = (await correctionsOf(m, row.id)).find((c) => c.status === 'pending' && c.field === cmd.field);
      if (pending)
        throw new DomainException(
          ErrorCode.CONFLICT,
          `Correction ${pending.number} of ${spec.label} is awaiting review; confirm or reject it before proposing another.`,
          { reason: ErrorReason.BUSINESS_RULE, correction: pending.number },
        );
      const snapshot = restore(def.machine, row.snapshot);
      const now = this.clock.now();
      const world = await this.world.for(m, null, now);
      const why = refuseCorrection(fields, cmd.field, snapshot.context, value, now.toISOString(), world);
      if (why) throw new DomainException(ErrorCode.CONFLICT, why, { reason: ErrorReason.BUSINESS_RULE });
      const seq = row.seq + 1;
      const applied = await this.persist(m, def, row, snapshot, seq, now, {
        type: ENGINE_EVENTS.correctionProposed,
        payload: {
          field: cmd.field,
          label: spec.label,
          oldValue: spec.read(snapshot.context),
          newValue: value,
          reason: cmd.reason,
        },
        actor: cmd.actor,
        idempotencyKey: cmd.idempotencyKey ?? null,
        stateBefore: row.state_path,
      });
      const told = correctionNotice(
        'proposed',
        {
          number: seq,
          field: cmd.field,
          label: spec.label,
          oldValue: spec.read(snapshot.context),
          newValue: value,
          reason: cmd.reason,
          proposedBy: cmd.actor.id,
          memberState: spec.answerOf?.(snapshot.context) ?? null,
        },
        cmd.actor,
      );
      await this.writeEffects(m, def, row.id, seq, snapshot, [told], cmd.actor, now);
      if (cmd.idempotencyKey) await this.remember(m, cmd.actor, cmd.idempotencyKey, fingerprint, row.id, seq, now);
      return applied;
    });
  }

  /**
   * Confirms or rejects a proposed correction. Four-eyes: the officer who proposed it cannot
   * confirm it (the proposer may reject, i.e. take it back). Confirmation checks again that the
   * record still holds the value the correction replaces and that the corrected record keeps the
   * original rule; then the record reads the new value. The original event stays in the history.
   */
  async decideCorrection(cmd: {
    instanceId: string;
    correction: number;
    decision: 'confirm' | 'reject';
    reason?: string | null;
    actor: Actor;
    idempotencyKey?: string | null;
  }): Promise<ApplyResult> {
    requireCorrectionRole(cmd.actor);
    const fingerprint = requestHash({ op: 'decide-correction', ...cmd, actor: undefined });
    return this.inTransaction(async (m) => {
      const row = await this.lock(m, cmd.instanceId);
      if (cmd.idempotencyKey) {
        const seen = await this.replay(m, cmd.actor, cmd.idempotencyKey, fingerprint);
        if (seen) return seen;
      }
      const c = (await correctionsOf(m, row.id)).find((x) => x.number === cmd.correction);
      if (!c)
        throw new DomainException(ErrorCode.NOT_FOUND, `There is no correction ${cmd.correction} on this procedure.`);
      if (c.status !== 'pending')
        throw new DomainException(
          ErrorCode.CONFLICT,
          `Correction ${c.number} was already ${c.status} (${c.decidedAt?.slice(0, 10) ?? ''}); propose a new one if the record is still wrong.`,
          { reason: ErrorReason.BUSINESS_RULE },
        );
      const def = this.definitionOf(row);
      const snapshot = restore(def.machine, row.snapshot);
      const now = this.clock.now();
      const seq = row.seq + 1;
      let next = snapshot;
      let payload: Record<string, unknown>;
      if (cmd.decision === 'reject') {
        const reason = (cmd.reason ?? '').trim();
        if (!reason)
          throw new DomainException(ErrorCode.INVALID_PAYLOAD, 'reason: say why the correction is rejected.', {
            field: 'reason',
          });
        payload = { correction: c.number, field: c.field, reason };
      } else {
        if (c.proposedBy === cmd.actor.id)
          throw new DomainException(
            ErrorCode.CONFLICT,
            `Four-eyes rule: you proposed correction ${c.number}, so another officer must confirm it.`,
            { reason: ErrorReason.BUSINESS_RULE },
          );
        const spec = def.corrections?.[c.field];
        if (!spec)
          throw new DomainException(
            ErrorCode.CONFLICT,
            `${def.id} no longer lets "${c.field}" be corrected; reject correction ${c.number}.`,
            { reason: ErrorReason.BUSINESS_RULE },
          );
        const current = spec.read(snapshot.context);
        if (!sameValue(current, c.oldValue))
          throw new DomainException(
            ErrorCode.CONFLICT,
            `${spec.label} has changed since correction ${c.number} was proposed (it was ${shown(c.oldValue)}, it is now ${shown(current)}): reject it and propose a new one.`,
            { reason: ErrorReason.BUSINESS_RULE },
          );
        const corrected = spec.write(snapshot.context, c.newValue);
        const world = await this.world.for(m, null, now);
        const why = spec.refuse?.(corrected, now.toISOString(), world) ?? null;
        if (why) throw new DomainException(ErrorCode.CONFLICT, why, { reason: ErrorReason.BUSINESS_RULE });
        next = restore(def.machine, { ...row.snapshot, context: corrected });
        payload = { correction: c.number, field: c.field, oldValue: c.oldValue, newValue: c.newValue };
      }
      const applied = await this.persist(m, def, row, next, seq, now, {
        type: cmd.decision === 'confirm' ? ENGINE_EVENTS.correctionConfirmed : ENGINE_EVENTS.correctionRejected,
        payload,
        actor: cmd.actor,
        idempotencyKey: cmd.idempotencyKey ?? null,
        stateBefore: row.state_path,
      });
      const told = correctionNotice(
        cmd.decision === 'confirm' ? 'confirmed' : 'rejected',
        { ...c, memberState: def.corrections?.[c.field]?.answerOf?.(snapshot.context) ?? null },
        cmd.actor,
        cmd.decision === 'reject' ? (cmd.reason ?? '').trim() : null,
      );
      await this.writeEffects(m, def, row.id, seq, next, [told], cmd.actor, now);
      if (cmd.idempotencyKey) await this.remember(m, cmd.actor, cmd.idempotencyKey, fingerprint, row.id, seq, now);
      return applied;
    });
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * A member state's answer and its signature, under the instance lock: with ANSWER_SIGNING=required
   * an approver's answer must be signed; a signature given must name this very answer, on the
   * round and draft version open now. The signature itself was verified before the transaction.
   */
  private async checkAnswerSignature(m: EntityManager, cmd: ApplyCommand, row: InstanceRow, event: WorkflowEvent) {
    const isAnswer = ANSWER_EVENTS.has(cmd.type) && cmd.actor.role === 'approver';
    const signed = cmd.signature ?? null;
    if (!isAnswer) {
      if (signed)
        throw new DomainException(
          ErrorCode.INVALID_PAYLOAD,
          `${cmd.type} is not a member-state answer; it is not signed.`,
        );
      return;
    }
    if (!signed) {
      if (this.runtime.env.ANSWER_SIGNING === 'required')
        throw new DomainException(
          ErrorCode.FORBIDDEN,
          'Answers must be signed: ask for the statement of your answer (POST /approvals/{id}/statement), sign it with your registered key or passkey, and send the answer with its signature. Nothing was recorded.',
          { signatureRequired: true },
        );
      return;
    }
    const statement = signed.statement;
    if (statement.format !== ANSWER_STATEMENT_FORMAT)
      throw new DomainException(ErrorCode.INVALID_PAYLOAD, 'The signed statement is not an answer statement.');
    const open = awaitedAnswers((row.snapshot as { context?: unknown }).context ?? null);
    if (!open || open.round !== statement.round || open.kind !== statement.question)
      throw new DomainException(
        ErrorCode.CONFLICT,
        `The signed statement names round ${statement.round}, which is not the round open now; ask for a new statement and sign it again.`,
        { reason: ErrorReason.STALE_VERSION },
      );
    const mismatches = statementEventMismatches(statement, {
      instanceId: row.id,
      definitionId: row.definition_id,
      definitionVersion: row.definition_version,
      type: cmd.type,
      payload: event.payload,
      actorId: cmd.actor.id,
      actorMemberState: cmd.actor.memberState,
      actingFor: cmd.actor.actingFor,
    });
    if (mismatches.length)
      throw new DomainException(
        ErrorCode.INVALID_PAYLOAD,
        `The signed statement is not this answer: ${mismatches.join('; ')}. Nothing was recorded.`,
        { mismatches },
      );
    const [used] = await m.query<{ seq: number }[]>(
      `SELECT seq FROM workflow_event WHERE signature ->> 'statementHash' = $1 LIMIT 1`,
      [signed.statementHash],
    );
    if (used)
      throw new DomainException(
        ErrorCode.CONFLICT,
        `This signed statement was already recorded (event ${used.seq}); a statement is used once. Ask for a new statement to change your answer.`,
        { reason: ErrorReason.BUSINESS_RULE },
      );
  }

  private async persist(
    m: EntityManager,
    def: WorkflowDefinition,
    row: InstanceRow,
    next: AnyMachineSnapshot,
    seq: number,
    now: Date,
    ev: PendingEvent,
  ): Promise<ApplyResult> {
    const statePath = statePaths(next).join(',');
    const status = next.status === 'done' ? 'done' : 'active';
    const outcome = finalStateOf(next);
    const hash = eventHash({
      instanceId: row.id,
      seq,
      type: ev.type,
      payload: ev.payload,
      actorId: ev.actor.id,
      actorRole: ev.actor.role,
      actorMemberState: ev.actor.memberState,
      actingFor: ev.actor.actingFor,
      at: now.toISOString(),
      stateAfter: statePath,
      prevHash: row.last_hash,
      statementHash: ev.signature?.statementHash ?? null,
    });
    // The snapshot and its event in one statement (with the rest of the transaction's writes when batched).
    const batch = this.batches.get(m) ?? new WriteBatch(m);
    await batch.add(
      'workflow_instance',
      `UPDATE workflow_instance SET snapshot = $2, state_path = $3, status = $4, outcome = $5, seq = $6, last_hash = $7, updated_at = $8, definition_version = $9
       WHERE id = $1`,
      [row.id, def.machine.getPersistedSnapshot(next), statePath, status, outcome, seq, hash, now, def.version],
    );
    const world = await this.storedWorld(m, batch, ev.world);
    await batch.add(
      'workflow_event',
      `INSERT INTO workflow_event (instance_id, seq, type, payload, actor_id, actor_role, actor_member_state, acting_for, idempotency_key,
         definition_version, state_before, state_after, at, prev_hash, hash, signature, world, world_facts)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)`,
      [
        row.id,
        seq,
        ev.type,
        JSON.stringify(ev.payload ?? {}),
        ev.actor.id,
        ev.actor.role,
        ev.actor.memberState,
        ev.actor.actingFor,
        ev.idempotencyKey,
        def.version,
        ev.stateBefore,
        statePath,
        now,
        row.last_hash,
        hash,
        ev.signature ? JSON.stringify(ev.signature) : null,
        world.own,
        world.facts,
      ],
    );
    if (!this.batches.has(m)) await batch.flush();
    this.inject('after-snapshot', { type: ev.type, instanceId: row.id });
    this.inject('after-event', { type: ev.type, instanceId: row.id });
    await this.syncReadModels(
      m,
      def.id,
      row.id,
      seq,
      row.state_path,
      (row.snapshot as { context?: unknown }).context ?? null,
      statePath,
      next.context,
      now,
    );
    return { instanceId: row.id, seq, type: ev.type, state: statePath, status, outcome, replayed: false };
  }

  /**
   * Read models kept with the event: the stage visits (time spent per stage) and the member
   * states that owe an answer now (inboxes, "who is holding it up"). Written only when they change.
   */
  private async syncReadModels(
    m: EntityManager,
    definitionId: string,
    instanceId: string,
    seq: number,
    pathBefore: string | null,
    contextBefore: unknown,
    pathAfter: string,
    contextAfter: unknown,
    now: Date,
  ) {
    if (pathBefore !== pathAfter) {
      if (pathBefore !== null)
        await this.write(
          m,
          'stage_visit',
          `UPDATE stage_visit SET left_at = $2, left_seq = $3 WHERE instance_id = $1 AND left_at IS NULL`,
          [instanceId, now, seq],
        );
      await this.write(
        m,
        'stage_visit',
        `INSERT INTO stage_visit (instance_id, definition_id, state_path, entered_at, entered_seq) VALUES ($1,$2,$3,$4,$5)`,
        [instanceId, definitionId, pathAfter, now, seq],
      );
    }
    const before = contextBefore === null ? null : awaitedAnswers(contextBefore);
    const after = awaitedAnswers(contextAfter);
    const key = (a: AwaitedAnswers | null) =>
      a ? `${a.kind}|${a.round}|${a.draftVersion}|${a.pending.join(',')}` : '';
    if (key(before) === key(after)) return;
    const sameRound =
      before &&
      after &&
      before.kind === after.kind &&
      before.round === after.round &&
      before.draftVersion === after.draftVersion;
    if (sameRound) {
      await this.write(
        m,
        'awaiting_answer',
        `DELETE FROM awaiting_answer WHERE instance_id = $1 AND NOT (member_state = ANY($2))`,
        [instanceId, after.pending],
      );
      return;
    }
    if (before)
      await this.write(m, 'awaiting_answer', `DELETE FROM awaiting_answer WHERE instance_id = $1`, [instanceId]);
    if (after && after.pending.length)
      await this.write(
        m,
        'awaiting_answer',
        `INSERT INTO awaiting_answer (instance_id, member_state, question, round, draft_version, since)
         SELECT $1, s, $3, $4, $5, $6 FROM unnest($2::text[]) AS s`,
        [instanceId, after.pending, after.kind, after.round, after.draftVersion, after.since],
      );
  }

  private async insertEvent(
    m: EntityManager,
    instanceId: string,
    seq: number,
    version: number,
    ev: PendingEvent,
    stateAfter: string,
    at: Date,
    prevHash: string,
    hash: string,
  ) {
    const batch = this.batches.get(m) ?? new WriteBatch(m);
    const world = await this.storedWorld(m, batch, ev.world);
    await batch.add(
      'workflow_event',
      `INSERT INTO workflow_event (instance_id, seq, type, payload, actor_id, actor_role, actor_member_state, acting_for, idempotency_key,
         definition_version, state_before, state_after, at, prev_hash, hash, world, world_facts)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17)`,
      [
        instanceId,
        seq,
        ev.type,
        JSON.stringify(ev.payload ?? {}),
        ev.actor.id,
        ev.actor.role,
        ev.actor.memberState,
        ev.actor.actingFor,
        ev.idempotencyKey,
        version,
        ev.stateBefore,
        stateAfter,
        at,
        prevHash,
        hash,
        world.own,
        world.facts,
      ],
    );
    if (!this.batches.has(m)) await batch.flush();
  }

  /**
   * An event's facts as stored: the part shared by many events (member states, memoranda, bodies,
   * the treaty) once in `world_facts` under the SHA-256 of its JSON text, written in the event's
   * statement unless this process saw it committed; the instance's own part (the draft) with the
   * event. Null for none (an event recorded without facts).
   */
  private async storedWorld(
    m: EntityManager,
    batch: WriteBatch,
    world: World | null | undefined,
  ): Promise<{ own: string | null; facts: string | null }> {
    if (!world) return { own: null, facts: null };
    const { draft, ...shared } = world;
    const text = JSON.stringify(shared);
    let hash = this.factsHashes.get(text);
    if (!hash) {
      hash = createHash('sha256').update(text).digest('hex');
      await batch.add(
        'world_facts',
        `INSERT INTO world_facts (hash, facts) VALUES ($1, $2) ON CONFLICT (hash) DO NOTHING`,
        [hash, text],
      );
      const learned = this.factsOfTransaction.get(m) ?? [];
      learned.push([text, hash]);
      this.factsOfTransaction.set(m, learned);
    }
    return { own: draft ? JSON.stringify({ draft }) : null, facts: hash };
  }

  /**
   * Deadlines follow the machine: every active state whose meta has a deadline rule, and every
   * dynamic deadline the definition names, has exactly one open deadline row; a state left (or
   * re-entered) closes its row. Each change is relayed to the scheduler through the outbox.
   */
  private async syncDeadlines(
    m: EntityManager,
    def: WorkflowDefinition,
    instanceId: string,
    seq: number,
    before: AnyMachineSnapshot | null,
    next: AnyMachineSnapshot,
    reentered: string[],
    now: Date,
  ) {
    // Nothing can change when the stage is the same, not re-entered, and no deadline depends on context.
    if (
      before &&
      !reentered.length &&
      !def.dynamicDeadlines &&
      next.status === 'active' &&
      JSON.stringify(before.value) === JSON.stringify(next.value)
    )
      return;
    const demands = next.status === 'active' ? deadlineDemands(def, next) : [];
    await this.batches.get(m)?.flush();
    const open: { id: string; key: string; due_at: Date }[] = await m.query(
      `SELECT id, key, due_at FROM deadline WHERE instance_id = $1 AND status = 'open'`,
      [instanceId],
    );
    const wanted = new Map(demands.map((d) => [d.key, d]));
    for (const row of open) {
      const demand = wanted.get(row.key);
      const dynamicMoved = demand?.dueAt && demand.dueAt.getTime() !== new Date(row.due_at).getTime();
      if (!demand || reentered.includes(row.key) || dynamicMoved) {
        await m.query(`UPDATE deadline SET status = 'closed', closed_at = $2, closed_by_seq = $3 WHERE id = $1`, [
          row.id,
          now,
          seq,
        ]);
        await this.enqueue(m, instanceId, 'deadline.sync', { deadlineId: row.id }, now);
      } else {
        wanted.delete(row.key);
      }
    }
    for (const d of wanted.values()) {
      const id = randomUUID();
      const due = d.dueAt ?? addDays(now, d.days ?? 0, d.unit);
      await m.query(
        `INSERT INTO deadline (id, instance_id, key, label, responsible, assignee, escalate_to, unit, starts_at, due_at, remind_before, status, opened_by_seq, created_at)
         VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,'open',$12,$9)`,
        [
          id,
          instanceId,
          d.key,
          d.label,
          d.responsible,
          d.assignee,
          d.escalateTo,
          d.unit,
          now,
          due,
          d.remindBefore,
          seq,
        ],
      );
      await this.enqueue(m, instanceId, 'deadline.sync', { deadlineId: id }, now);
    }
  }

  private async writeEffects(
    m: EntityManager,
    def: WorkflowDefinition,
    instanceId: string,
    seq: number,
    next: AnyMachineSnapshot,
    effects: WorkflowEffect[],
    actor: Actor,
    now: Date,
  ) {
    for (const effect of effects) {
      if (effect.type === 'effect.fullPeriod') {
        await this.giveFullPeriod(m, def, instanceId, next, effect, now);
      } else if (effect.type === 'effect.openChildren') {
        for (const child of effect.children)
          await this.enqueue(
            m,
            instanceId,
            'child.open',
            { parentId: instanceId, definitionId: child.definitionId, key: child.key, input: child.input },
            now,
          );
      } else {
        await this.enqueue(
          m,
          instanceId,
          'notify',
          { instanceId, seq, definitionId: def.id, effect, by: actor.id },
          now,
        );
      }
    }
  }

  /**
   * A deadline given its full period again from now, never shortened (a state joined an open
   * round): the open row moves later when the period of its state, counted from now, ends after
   * its due time; the move is kept in its `extensions` like a manager's extension.
   */
  private async giveFullPeriod(
    m: EntityManager,
    def: WorkflowDefinition,
    instanceId: string,
    next: AnyMachineSnapshot,
    effect: FullPeriodEffect,
    now: Date,
  ) {
    const demand = deadlineDemands(def, next).find((d) => d.key === effect.deadlineKey && d.days !== null);
    if (!demand) return;
    await this.batches.get(m)?.flush();
    const [dl] = await m.query<{ id: string; due_at: Date }[]>(
      `SELECT id, due_at FROM deadline WHERE instance_id = $1 AND key = $2 AND status = 'open'`,
      [instanceId, effect.deadlineKey],
    );
    if (!dl) return;
    const due = addDays(now, demand.days ?? 0, demand.unit);
    const current = new Date(dl.due_at);
    if (due.getTime() <= current.getTime()) return;
    await m.query(
      `UPDATE deadline SET due_at = $2, passed_at = NULL,
         extensions = extensions || jsonb_build_array(jsonb_build_object('from', $3::text, 'to', $4::text, 'by', 'system', 'reason', $5::text, 'at', $6::text))
       WHERE id = $1`,
      [dl.id, due, current.toISOString(), due.toISOString(), effect.reason, now.toISOString()],
    );
    await this.enqueue(m, instanceId, 'deadline.sync', { deadlineId: dl.id }, now);
  }

  private async enqueue<K extends OutboxKind>(
    m: EntityManager,
    instanceId: string | null,
    kind: K,
    payload: OutboxPayloads[K],
    now: Date,
  ) {
    this.wroteOutbox.add(m);
    await this.write(
      m,
      'outbox_message',
      `INSERT INTO outbox_message (instance_id, kind, payload, created_at, available_at) VALUES ($1,$2,$3,$4,$4)`,
      [instanceId, kind, JSON.stringify(payload), now],
      { appendOnly: true },
    );
  }

  /** A write that needs no result: queued in the transaction's batch when it has one, else sent now. */
  private async write(
    m: EntityManager,
    table: string,
    sql: string,
    params: unknown[],
    options: { appendOnly?: boolean } = {},
  ): Promise<void> {
    const batch = this.batches.get(m);
    if (batch) await batch.add(table, sql, params, options);
    else await m.query(sql, params);
  }

  /**
   * A start is checked against the reference data valid now and against the procedures already
   * open: 1(e) needs a partner that holds the memorandum named, and one open 1(e) per memorandum;
   * 1(b) needs a known partner and a treaty the data do not list as closed, and one open 1(b) per
   * partner and treaty. The advisory lock makes the "one open" check hold under concurrent starts.
   */
  private async checkStart(
    m: EntityManager,
    definitionId: string,
    input: unknown,
    memoranda: readonly MemorandumRef[],
    now: Date,
  ): Promise<void> {
    const fields = input as Record<string, unknown>;
    const day = now.toISOString().slice(0, 10);
    if (definitionId === MEMORANDUM_AMENDMENT) {
      const partner = String(fields.partner);
      const memorandumId = String(fields.memorandumId);
      await this.requirePartner(m, partner, now, day);
      const held = memoranda.find((r) => r.partner === partner);
      if (!held)
        throw new DomainException(
          ErrorCode.INVALID_PAYLOAD,
          `Partner ${partner} holds no signed memorandum in the reference data valid on ${day}, so there is no memorandum to amend; record its memorandum (with the signature date) first.`,
          { field: 'input.memorandumId', partner },
        );
      if (held.memorandumId !== memorandumId)
        throw new DomainException(
          ErrorCode.INVALID_PAYLOAD,
          `The memorandum of partner ${partner} is ${held.memorandumId}, not ${memorandumId}; name the partner's own memorandum.`,
          { field: 'input.memorandumId', partner, memorandumId: held.memorandumId },
        );
      await m.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`start:${definitionId}:${memorandumId}`]);
      const [open] = await m.query<{ id: string; state_path: string }[]>(
        `SELECT id, state_path FROM workflow_instance WHERE definition_id = $1 AND memorandum = $2 AND status = 'active' ORDER BY created_at LIMIT 1`,
        [definitionId, memorandumId],
      );
      if (open)
        throw new DomainException(
          ErrorCode.CONFLICT,
          `An amendment of memorandum ${memorandumId} is already open (procedure ${open.id}, stage "${open.state_path}"); there is one open 1(e) per memorandum, so continue that one.`,
          { reason: ErrorReason.BUSINESS_RULE, openInstanceId: open.id },
        );
    } else if (definitionId === TREATY_ACCESSION) {
      const partner = String(fields.partner);
      const treatyId = String(fields.treatyId);
      await this.requirePartner(m, partner, now, day);
      const treaty = await this.world.treaty(treatyId, now, m);
      if (!treaty)
        throw new DomainException(
          ErrorCode.INVALID_PAYLOAD,
          `There is no treaty "${treatyId}" in the reference data valid on ${day}; record the treaty there first.`,
          { field: 'input.treatyId' },
        );
      if (treaty.data.open_for_accession === false)
        throw new DomainException(
          ErrorCode.CONFLICT,
          `The reference data list treaty ${treatyId} (${treaty.name.en ?? treatyId}) as not open for accession${treaty.data.accession_conditions ? ` (${treaty.data.accession_conditions})` : ''}; a partner cannot be encouraged to accede to it.`,
          { reason: ErrorReason.BUSINESS_RULE, treatyId },
        );
      await m.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`start:${definitionId}:${partner}:${treatyId}`]);
      const [open] = await m.query<{ id: string; state_path: string }[]>(
        `SELECT id, state_path FROM workflow_instance WHERE definition_id = $1 AND partner = $2 AND treaty = $3 AND status = 'active' ORDER BY created_at LIMIT 1`,
        [definitionId, partner, treatyId],
      );
      if (open)
        throw new DomainException(
          ErrorCode.CONFLICT,
          `An accession procedure for partner ${partner} and treaty ${treatyId} is already open (procedure ${open.id}, stage "${open.state_path}"); continue that one.`,
          { reason: ErrorReason.BUSINESS_RULE, openInstanceId: open.id },
        );
    }
  }

  private async requirePartner(m: EntityManager, partner: string, now: Date, day: string): Promise<void> {
    if (!(await this.world.partner(partner, now, m)))
      throw new DomainException(
        ErrorCode.INVALID_PAYLOAD,
        `There is no partner "${partner}" in the reference data valid on ${day}; use the code of a recorded partner (see /reference/partners).`,
        { field: 'input.partner' },
      );
  }

  /** Procedures a payload names must exist and be of the kinds the definition allows. */
  private async checkReferences(m: EntityManager, def: WorkflowDefinition, event: PayloadOf<WorkflowEvent>) {
    for (const ref of def.references?.(event) ?? []) {
      const [target] = isUuid(ref.instanceId)
        ? await m.query<{ definition_id: string }[]>(`SELECT definition_id FROM workflow_instance WHERE id = $1`, [
            ref.instanceId,
          ])
        : [];
      if (!target)
        throw new DomainException(
          ErrorCode.INVALID_PAYLOAD,
          `payload.${ref.field}: there is no procedure with id "${ref.instanceId}".`,
          { field: ref.field },
        );
      if (!ref.definitions.includes(target.definition_id))
        throw new DomainException(
          ErrorCode.INVALID_PAYLOAD,
          `payload.${ref.field}: procedure ${ref.instanceId} is a ${target.definition_id}; it must be one of ${ref.definitions.join(', ')}.`,
          { field: ref.field },
        );
    }
  }

  private async lock(m: EntityManager, instanceId: string): Promise<InstanceRow>;
  private async lock(
    m: EntityManager,
    instanceId: string,
    withFacts: true,
    withDraft: boolean,
    idempotency?: { scope: string; key: string },
    acting?: { actor: Actor & { memberState: string }; at: Date },
  ): Promise<
    InstanceRow &
      LockedFacts & { idempotency_seen?: IdempotencyRecord | null; acting_appointment?: ActingAppointmentRow | null }
  >;
  private async lock(
    m: EntityManager,
    instanceId: string,
    withFacts = false,
    withDraft = false,
    idempotency?: { scope: string; key: string },
    acting?: { actor: Actor & { memberState: string }; at: Date },
  ): Promise<InstanceRow> {
    if (!isUuid(instanceId))
      throw new DomainException(ErrorCode.NOT_FOUND, `There is no procedure with id "${instanceId}".`);
    const params: unknown[] = [instanceId];
    const param = (value: unknown) => `$${params.push(value)}`;
    // the record of an idempotency key, and the acting appointment covering the actor, when asked
    // for, come with the lock (a round trip less each)
    const seen =
      idempotency && withFacts
        ? `, (SELECT json_build_object('request_hash', r.request_hash, 'instance_id', r.instance_id, 'seq', r.seq)
            FROM idempotency_record r WHERE r.scope = ${param(idempotency.scope)} AND r.key = ${param(idempotency.key)}) AS idempotency_seen`
        : '';
    const appointment =
      acting && withFacts
        ? `, ${actingAppointmentSql(param(acting.actor.id), param(acting.actor.memberState), param(acting.at))} AS acting_appointment`
        : '';
    const sql = withFacts
      ? `SELECT i.*, ${this.world.lockColumns('i', withDraft)}${seen}${appointment} FROM workflow_instance i WHERE i.id = $1 FOR UPDATE OF i`
      : `SELECT * FROM workflow_instance WHERE id = $1 FOR UPDATE`;
    // pipelined: with what waits to go out before it (the transaction's BEGIN, a savepoint, the previous writes)
    const pipeline = this.pipelines.get(m);
    const [row] = pipeline
      ? await pipeline.query<InstanceRow>(sql, params)
      : await preparedRows<InstanceRow>(m, sql, params);
    if (!row) throw new DomainException(ErrorCode.NOT_FOUND, `There is no procedure with id "${instanceId}".`);
    return row;
  }

  private definitionOf(row: InstanceRow): WorkflowDefinition {
    const def = this.registry.get(row.definition_id, row.definition_version);
    if (!def) throw new Error(`Definition ${row.definition_id} v${row.definition_version} is not deployed`);
    return def;
  }

  private async replay(m: EntityManager, actor: Actor, key: string, fingerprint: string): Promise<ApplyResult | null> {
    const [seen] = await m.query<IdempotencyRecord[]>(
      `SELECT request_hash, instance_id, seq FROM idempotency_record WHERE scope = $1 AND key = $2`,
      [idempotencyScope(actor), key],
    );
    return this.replayOf(m, seen ?? null, key, fingerprint);
  }

  /** The result to give again for a key already used (null: a new key); a different request under it is refused. */
  private async replayOf(
    m: EntityManager,
    seen: IdempotencyRecord | null,
    key: string,
    fingerprint: string,
  ): Promise<ApplyResult | null> {
    if (!seen) return null;
    if (seen.request_hash !== fingerprint)
      throw new DomainException(
        ErrorCode.CONFLICT,
        `The Idempotency-Key "${key}" was already used for a different request; use a new key.`,
      );
    return this.resultOf(m, seen.instance_id, seen.seq, true);
  }

  private async resultOf(m: EntityManager, instanceId: string, seq: number, replayed: boolean): Promise<ApplyResult> {
    const [e] = await m.query<
      { type: string; state_after: string; status: ApplyResult['status']; outcome: string | null }[]
    >(
      `SELECT e.type, e.state_after, i.status, i.outcome FROM workflow_event e JOIN workflow_instance i ON i.id = e.instance_id WHERE e.instance_id = $1 AND e.seq = $2`,
      [instanceId, seq],
    );
    return { instanceId, seq, type: e.type, state: e.state_after, status: e.status, outcome: e.outcome, replayed };
  }

  private async remember(
    m: EntityManager,
    actor: Actor,
    key: string,
    fingerprint: string,
    instanceId: string,
    seq: number,
    now: Date,
  ) {
    await this.write(
      m,
      'idempotency_record',
      `INSERT INTO idempotency_record (scope, actor_id, key, request_hash, instance_id, seq, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7)`,
      [idempotencyScope(actor), actor.id, key, fingerprint, instanceId, seq, now],
    );
  }

  /**
   * Runs `work` in a transaction, retrying on deadlock, serialization failure or a concurrent
   * duplicate idempotency key. `pipelined` (apply): the transaction's BEGIN goes out with its
   * first statement, the lock, and its COMMIT with its last, the writes
   * (src/infra/pipelined-transaction.ts): two round trips for an event instead of four.
   */
  private async inTransaction<T>(work: (m: EntityManager) => Promise<T>, pipelined = false): Promise<T> {
    // Inside applyMany: the command joins the group's transaction (its retries are the group's).
    const joined = this.groupTransaction.getStore();
    if (joined) return work(joined);
    for (let attempt = 1; ; attempt++) {
      try {
        let kick = false;
        let learned: [string, string][] = [];
        const body = async (m: EntityManager) => {
          const r = await work(m);
          kick = this.wroteOutbox.has(m);
          learned = this.factsOfTransaction.get(m) ?? [];
          return r;
        };
        const result = pipelined
          ? await PipelinedTransaction.run(this.ds, async (tx) => {
              this.pipelines.set(tx.manager, tx);
              try {
                return await body(tx.manager);
              } finally {
                this.pipelines.delete(tx.manager);
              }
            })
          : await this.ds.transaction(body);
        if (kick) this.outbox.kick();
        for (const [text, hash] of learned) {
          // a handful of distinct sets in practice (they change with the reference data); bounded anyway
          if (this.factsHashes.size >= 256) this.factsHashes.clear();
          this.factsHashes.set(text, hash);
        }
        return result;
      } catch (err) {
        const code = pgErrorCode(err);
        if (code === undefined || !RETRIABLE.has(code) || attempt >= MAX_ATTEMPTS) {
          if (code === PgErrorCode.UNIQUE_VIOLATION)
            throw new DomainException(ErrorCode.CONFLICT, 'A concurrent request changed this procedure; retry.', {
              reason: ErrorReason.CONCURRENT_UPDATE,
            });
          throw err;
        }
        this.log.debug(`retrying transaction after ${code} (attempt ${attempt})`);
      }
    }
  }

  private inject(point: FaultPoint, command: { type: string; instanceId?: string }) {
    this.faults?.at(point, command);
  }

  /** The transaction of the applyMany call running in this async context, if any. */
  private readonly groupTransaction = new AsyncLocalStorage<EntityManager>();

  /**
   * Applies several commands, each exactly as apply() does (its instance locked with SELECT ... FOR
   * UPDATE, its event appended to that instance's own hash chain, its idempotency key remembered),
   * in ONE transaction: the deadline worker delivers a burst of reminders this way. Instances are
   * locked in id order, so two groups never wait on each other in a cycle. A command the procedure
   * refuses (a DomainException other than a concurrent change) is rolled back to its savepoint and
   * returned as an error; the others still commit. Anything else (a database error) aborts the
   * whole group: it is retried like a single apply, then thrown, and nothing of the group is kept.
   * Results come back in the order of `cmds`.
   */
  async applyMany(
    cmds: ApplyCommand[],
  ): Promise<({ ok: true; result: ApplyResult } | { ok: false; error: DomainException })[]> {
    if (this.groupTransaction.getStore()) throw new Error('applyMany cannot run inside another applyMany');
    const order = cmds.map((_, i) => i).sort((a, b) => cmds[a].instanceId.localeCompare(cmds[b].instanceId) || a - b);
    return this.inTransaction(async (m) => {
      const out: ({ ok: true; result: ApplyResult } | { ok: false; error: DomainException })[] = [];
      // pipelined: each savepoint, release and command's writes go out with the next command's lock
      const pipeline = this.pipelines.get(m);
      const send = (sql: string) => (pipeline ? pipeline.defer(sql) : m.query(sql));
      for (const i of order) {
        await send('SAVEPOINT apply_many');
        // shared facts written by a command rolled back below are not in the table after all
        const factsBefore = this.factsOfTransaction.get(m)?.length ?? 0;
        try {
          const result = await this.groupTransaction.run(m, () => this.apply(cmds[i]));
          await send('RELEASE SAVEPOINT apply_many');
          out[i] = { ok: true, result };
        } catch (err) {
          if (!(err instanceof DomainException) || err.reason === ErrorReason.CONCURRENT_UPDATE) throw err;
          // (what is deferred, its savepoint included, goes out first)
          await m.query('ROLLBACK TO SAVEPOINT apply_many');
          // what the refused command queued or learned is gone with its savepoint
          this.batches.delete(m);
          this.factsOfTransaction.get(m)?.splice(factsBefore);
          out[i] = { ok: false, error: err };
        }
      }
      return out;
    }, this.runtime.env.PIPELINED_TRANSACTIONS);
  }
}

/** The stored record of an idempotency key. */
interface IdempotencyRecord {
  request_hash: string;
  instance_id: string;
  seq: number;
}

function requireCorrectionRole(actor: Actor): void {
  if (!(CORRECTION_ROLES as readonly string[]).includes(actor.role))
    throw new DomainException(
      ErrorCode.FORBIDDEN,
      `Corrections of a recorded fact are proposed and reviewed by legal officers and managers; you are ${actor.role}.`,
    );
}

function parsePayload(schema: z.ZodType, value: unknown, where: string): unknown {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({
    field: [where, ...i.path.map(String)].join('.'),
    message: i.message,
  }));
  throw new DomainException(ErrorCode.INVALID_PAYLOAD, issues.map((i) => `${i.field}: ${i.message}`).join('; '), {
    issues,
  });
}

export function restore(machine: AnyStateMachine, persisted: Record<string, unknown>): AnyMachineSnapshot {
  return machine.resolveState(persisted as never) as AnyMachineSnapshot;
}

function deadlineDemands(def: WorkflowDefinition, snapshot: AnyMachineSnapshot): DeadlineDemand[] {
  const fromStates: DeadlineDemand[] = activeStateMeta(snapshot)
    .filter((s) => s.meta.deadline)
    .map(({ path, meta }) => ({
      key: path,
      label: meta.label,
      responsible: meta.responsible,
      assignee: null,
      escalateTo: [...meta.deadline!.escalateTo],
      unit: meta.deadline!.unit ?? 'calendar',
      remindBefore: [...meta.deadline!.remindBefore],
      dueAt: null,
      days: meta.deadline!.days,
    }));
  const dynamic: DeadlineDemand[] = dynamicDeadlines(def, snapshot).map((d: DynamicDeadline) => ({
    key: d.key,
    label: d.label,
    responsible: d.responsible,
    assignee: d.assignee,
    escalateTo: [...d.escalateTo],
    unit: 'calendar',
    remindBefore: [...d.remindBefore],
    dueAt: new Date(d.dueAt),
    days: null,
  }));
  return [...fromStates, ...dynamic];
}

/** A snapshot as the notices read it: its context and its active states with their meta. */
function sideOf(snapshot: AnyMachineSnapshot): NoticeSide {
  return { context: snapshot.context, states: activeStateMeta(snapshot) };
}

/** The finding a 1(c)/(d)/(e) is started from (`input.fromFinding`), if any. */
function findingRefOf(input: unknown): { analysisId: string; findingId: string } | null {
  if (typeof input !== 'object' || input === null || !('fromFinding' in input)) return null;
  const ref = input.fromFinding;
  if (typeof ref !== 'object' || ref === null) return null;
  const { analysisId, findingId } = ref as Record<string, unknown>;
  return typeof analysisId === 'string' && typeof findingId === 'string' ? { analysisId, findingId } : null;
}

function hasDraftVersion(payload: unknown): boolean {
  return typeof payload === 'object' && payload !== null && 'draftVersion' in payload;
}
