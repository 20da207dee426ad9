// State diagram of a definition, drawn by Mermaid (bundled; strict security level).
import mermaid from 'mermaid';
import type { DefinitionView } from './api/views';
import { h } from './dom';
import { label } from './i18n';

mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', flowchart: { htmlLabels: false }, theme: 'neutral' });

/** Mermaid-safe text: no quotes, brackets, entities or markup survive into the diagram source. */
function safe(text: string): string {
  return (
    String(text)
      .replace(/["'`<>&#;{}[\]()|\\]/g, ' ')
      .replace(/\s+/g, ' ')
      .trim() || '?'
  );
}

/** Flowchart source for a definition; nodes of `current` paths get the class "current". */
export function flowchartSource(def: DefinitionView, current: string[]): string {
  const ids = new Map<string, string>(def.states.map((s, i) => [s.path, `s${i}`]));
  const lines = ['flowchart TD'];
  for (const s of def.states) {
    const text = safe(label(s.label, s.path));
    const id = ids.get(s.path);
    lines.push(s.type === 'final' ? `  ${id ?? ''}(["${text}"])` : `  ${id ?? ''}["${text}"]`);
  }
  const seen = new Set<string>();
  for (const s of def.states) {
    for (const tr of s.transitions || []) {
      for (const target of tr.targets) {
        const to = ids.get(target);
        const key = `${s.path}|${target}|${tr.event}`;
        if (!to || seen.has(key)) continue;
        seen.add(key);
        lines.push(`  ${ids.get(s.path) ?? ''} -->|"${safe(tr.event)}"| ${to}`);
      }
    }
  }
  lines.push('  classDef current fill:#ffd54f,stroke:#e65100,stroke-width:3px,color:#000');
  const cur = def.states.filter((s) => current.includes(s.path)).map((s) => ids.get(s.path) ?? '');
  if (cur.length) lines.push(`  class ${cur.join(',')} current`);
  return lines.join('\n');
}

let counter = 0;

export async function renderDiagram(container: HTMLElement, def: DefinitionView, current: string[]): Promise<void> {
  const source = flowchartSource(def, current);
  try {
    const { svg } = await mermaid.render(`diagram-${++counter}`, source);
    // Mermaid's output is sanitised (securityLevel strict) and its labels were made safe above.
    const doc = new DOMParser().parseFromString(svg, 'image/svg+xml');
    if (doc.querySelector('parsererror')) container.innerHTML = svg;
    else container.appendChild(document.importNode(doc.documentElement, true));
    container.setAttribute('data-rendered', 'true');
  } catch (err) {
    container.appendChild(h('pre', { class: 'error' }, err instanceof Error ? err.message : String(err)));
    container.appendChild(h('pre', {}, source));
  }
}
