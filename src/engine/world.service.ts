import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DraftFacts, TreatyConsentFacts, World } from '../../workflows/kernel/types';
import { ReferenceService } from '../reference/reference.service';
import type { PartnerData, ReferenceItem, TreatyData } from '../reference/reference.types';

/** The documents module tells the engine about an instance's draft (latest version, drift). */
export interface DraftFactsProvider {
  factsFor(manager: EntityManager, instanceId: string): Promise<DraftFacts | null>;
  /** The same facts as one SQL expression (json, null without a draft) over `instanceId`, a column of the caller's query. */
  factsColumn(instanceId: string): string;
  /** The facts from that expression's value. */
  factsFrom(value: unknown): DraftFacts | null;
}

/** What the statement that locks an instance also read for its event (see `lockColumns`). */
export interface LockedFacts {
  reference_version: string;
  draft_facts: unknown;
  /** Whether the lock statement read the draft facts (only for events that may read them). */
  draft_read: boolean;
}

/**
 * The facts a machine may read, gathered inside the event's transaction: the member states and
 * memoranda at this moment (versioned reference data, not code) and the instance's draft.
 */
@Injectable()
export class WorldService {
  private drafts: DraftFactsProvider | null = null;

  constructor(private readonly reference: ReferenceService) {}

  /** The documents module registers itself here at start-up (no import cycle between the two). */
  useDraftFacts(provider: DraftFactsProvider): void {
    this.drafts = provider;
  }

  async for(manager: EntityManager, instanceId: string | null, at: Date, treatyId?: string | null): Promise<World> {
    const drafts = this.drafts;
    return this.gather(manager, at, treatyId, {
      draft: () => (instanceId && drafts ? drafts.factsFor(manager, instanceId) : Promise.resolve(null)),
    });
  }

  /**
   * Columns for the statement that locks an instance (alias `alias`), so that the event's facts
   * need no further round trip: the reference data version, and the instance's draft facts.
   */
  lockColumns(alias: string, withDraft: boolean): string {
    const draft = withDraft && this.drafts ? this.drafts.factsColumn(`${alias}.id`) : 'NULL::json';
    return `(SELECT version::text FROM reference_data_version) AS reference_version, ${draft} AS draft_facts, ${withDraft} AS draft_read`;
  }

  /** The facts for an event from what the lock statement read (`withDraft`: the event reads the draft). */
  forLocked(
    manager: EntityManager,
    locked: LockedFacts & { id: string },
    withDraft: boolean,
    at: Date,
    treatyId?: string | null,
  ): Promise<World> {
    const drafts = this.drafts;
    const draft = () =>
      !withDraft || !drafts
        ? Promise.resolve(null)
        : locked.draft_read
          ? Promise.resolve(drafts.factsFrom(locked.draft_facts))
          : drafts.factsFor(manager, locked.id);
    return this.gather(manager, at, treatyId, { draft, version: locked.reference_version });
  }

  private async gather(
    manager: EntityManager,
    at: Date,
    treatyId: string | null | undefined,
    known: { draft: () => Promise<DraftFacts | null>; version?: string },
  ): Promise<World> {
    // One statement at a time on the transaction's connection (a connection runs one anyway); with
    // the version known, the reference data come from the in-memory copy without a statement.
    const v = known.version ?? (await this.reference.version(manager));
    const states = await this.reference.memberStateCodes(at, manager, v);
    const memoranda = await this.reference.memoranda(at, manager, v);
    const bodies = await this.reference.bodyFacts(at, manager, v);
    const treaty = treatyId ? await this.reference.find('treaty', treatyId, at, manager, v) : null;
    const draft = await known.draft();
    const world: World = { memberStates: states, memoranda, bodies, draft };
    return treatyId ? { ...world, treaty: treaty && treatyConsentFacts(treaty.data, states, at) } : world;
  }

  /** The partner record valid at `at`, or null when the reference data have no such partner then. */
  partner(code: string, at: Date, manager?: EntityManager): Promise<ReferenceItem<PartnerData> | null> {
    return this.reference.find('partner', code, at, manager);
  }

  /** The treaty record valid at `at`, or null when the reference data have no such treaty then. */
  treaty(id: string, at: Date, manager?: EntityManager): Promise<ReferenceItem<TreatyData> | null> {
    return this.reference.find('treaty', id, at, manager);
  }
}

/**
 * Who consents to a non-member's accession on day `at`: the member states of that moment where the
 * final clause names them, else the treaty's Parties that had become party by that day, when the
 * data hold the complete list; otherwise the electorate is unknown (null).
 */
export function treatyConsentFacts(treaty: TreatyData, memberStates: string[], at: Date): TreatyConsentFacts {
  const day = at.toISOString().slice(0, 10);
  if (treaty.consent_given_by === 'member_states')
    return {
      treatyId: treaty.id,
      consentGivenBy: 'member_states',
      electorate: [...memberStates].sort(),
      knownParties: [],
    };
  const parties = treaty.parties ?? null;
  const current = (parties?.list ?? [])
    .filter((p) => p.since <= day)
    .map((p) => p.code)
    .sort();
  return {
    treatyId: treaty.id,
    consentGivenBy: 'parties',
    electorate: parties?.complete && current.length ? current : null,
    knownParties: current,
  };
}
