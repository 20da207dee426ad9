/**
 * The definition registry: definition id -> versions -> definition. Instances record the version
 * they started on and keep running on it; new instances take the newest version.
 */
import type { WorkflowDefinition } from './kernel/definition';
import { implementationAnalysis } from './procedures/implementation-analysis';
import { interactionPlan } from './procedures/interaction-plan';
import { memorandumAmendment } from './procedures/memorandum-amendment';
import { modelMemorandumAmendment } from './procedures/model-memorandum-amendment';
import { regulationAmendment } from './procedures/regulation-amendment';
import { treatyAccession } from './procedures/treaty-accession';

export class DefinitionRegistry {
  private readonly byId = new Map<string, Map<number, WorkflowDefinition>>();
  /** Event types whose guard reads the draft in some registered definition. */
  private readonly draftReaders = new Set<string>();

  constructor(definitions: readonly WorkflowDefinition[] = []) {
    for (const d of definitions) this.register(d);
  }

  register(def: WorkflowDefinition): void {
    const versions = this.byId.get(def.id) ?? new Map<number, WorkflowDefinition>();
    if (versions.has(def.version)) throw new Error(`Definition ${def.id} v${def.version} is registered twice`);
    versions.set(def.version, def);
    this.byId.set(def.id, versions);
    for (const [type, spec] of Object.entries(def.events)) if (spec.readsDraft) this.draftReaders.add(type);
  }

  /** Whether an event of this type reads the draft in any registered definition (a superset of what one instance needs). */
  readsDraft(type: string): boolean {
    return this.draftReaders.has(type);
  }

  ids(): string[] {
    return [...this.byId.keys()].sort();
  }

  latest(id: string): WorkflowDefinition | undefined {
    const versions = this.byId.get(id);
    if (!versions) return undefined;
    return versions.get(Math.max(...versions.keys()));
  }

  get(id: string, version: number): WorkflowDefinition | undefined {
    return this.byId.get(id)?.get(version);
  }

  versions(id: string): number[] {
    return [...(this.byId.get(id)?.keys() ?? [])].sort((a, b) => a - b);
  }

  all(): WorkflowDefinition[] {
    return [...this.byId.values()].flatMap((v) => [...v.values()]);
  }
}

/** The six direction-1 procedures. */
export const DIRECTION_1: readonly WorkflowDefinition[] = [
  implementationAnalysis, // 1(a)
  treatyAccession, // 1(b)
  regulationAmendment, // 1(c)
  modelMemorandumAmendment, // 1(d)
  memorandumAmendment, // 1(e)
  interactionPlan, // 1(f)
];

export function defaultRegistry(): DefinitionRegistry {
  return new DefinitionRegistry(DIRECTION_1);
}
