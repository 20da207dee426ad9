import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { DraftFacts, World } from '../../workflows/kernel/types';
import { ReferenceService } from '../reference/reference.service';
import type { PartnerData, ReferenceItem, TreatyData } from '../reference/reference.types';

/** The documents module tells the engine about an instance's draft (latest version, drift). */
export interface DraftFactsProvider {
  factsFor(manager: EntityManager, instanceId: string): Promise<DraftFacts | null>;
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

  async for(manager: EntityManager, instanceId: string | null, at: Date): Promise<World> {
    const [states, memoranda, bodies, draft] = await Promise.all([
      this.reference.memberStateCodes(at, manager),
      this.reference.memoranda(at, manager),
      this.reference.bodyFacts(at, manager),
      instanceId && this.drafts ? this.drafts.factsFor(manager, instanceId) : Promise.resolve(null),
    ]);
    return { memberStates: states, memoranda, bodies, draft };
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
