// The procedure definitions, read once per page load (they change only with a deployment).
import { get } from './api/client';
import type { DefinitionView, Labels } from './api/views';
import { label } from './i18n';

let cached: Promise<DefinitionView[]> | null = null;

export function definitions(): Promise<DefinitionView[]> {
  if (!cached)
    cached = get('/definitions').catch((err: unknown) => {
      cached = null;
      throw err;
    });
  return cached;
}

export function defById(defs: DefinitionView[], id: string): DefinitionView | undefined {
  return defs.find((d) => d.id === id);
}

/** A stage's label in the chosen language: the definition's own, else `fallback`, else the path. */
export function stageLabel(defs: DefinitionView[], definitionId: string, path: string, fallback?: Labels | null) {
  const s = defById(defs, definitionId)?.states.find((x) => x.path === path);
  return label(s?.label ?? fallback, path);
}

/** "1(d) Model memorandum amendment": a definition's measure and title. */
export function definitionTitle(defs: DefinitionView[], definitionId: string, measure?: string | null): string {
  const def = defById(defs, definitionId);
  return `${measure ?? def?.measure ?? ''} ${label(def?.title, definitionId)}`;
}
