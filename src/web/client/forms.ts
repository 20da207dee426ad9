// Small forms generated from the JSON Schemas the API publishes (inputSchema, payloadSchema).
import type { JsonSchema } from './api/views';
import { h } from './dom';
import { t } from './i18n';

type Kind = 'string' | 'enum' | 'integer' | 'number' | 'boolean' | 'json';
type Input = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

function longText(name: string, s: JsonSchema): boolean {
  return (s.maxLength ?? 0) > 300 || /text|reason|rationale|comment|description|summary|note/i.test(name);
}

/** The control for one property of the schema, and how its value is read back. */
function control(name: string, s: JsonSchema, id: string, required: boolean): { input: Input; kind: Kind } {
  if (Array.isArray(s.enum)) {
    const input = h(
      'select',
      { id, name, class: 'wide' },
      required ? null : h('option', { value: '' }, ''),
      s.enum.map((v) => h('option', { value: String(v) }, String(v))),
    );
    return { input, kind: 'enum' };
  }
  if (s.type === 'integer' || s.type === 'number') {
    const input = h('input', {
      id,
      name,
      type: 'number',
      step: s.type === 'integer' ? '1' : 'any',
      min: s.minimum ?? s.exclusiveMinimum,
    });
    return { input, kind: s.type };
  }
  if (s.type === 'boolean') return { input: h('input', { id, name, type: 'checkbox' }), kind: 'boolean' };
  if (s.type === 'array' || s.type === 'object' || !s.type)
    return { input: h('textarea', { id, name, placeholder: s.type === 'array' ? '[ ]' : '{ }' }), kind: 'json' };
  const input = longText(name, s)
    ? h('textarea', { id, name, maxlength: s.maxLength })
    : h('input', { id, name, type: 'text', maxlength: s.maxLength });
  return { input, kind: 'string' };
}

/** A pre-filled value as the text of its field (objects and arrays as JSON). */
function asText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v);
}

export interface SchemaForm {
  element: HTMLElement;
  /** The payload object; throws with a message a person can act on. */
  read(): Record<string, unknown>;
}

/** A form for `schema`; `values` pre-fills fields by name (undefined values are skipped). */
export function schemaForm(
  schema: JsonSchema | null | undefined,
  idPrefix: string,
  values: Record<string, unknown> = {},
): SchemaForm {
  const props = schema?.properties ?? {};
  const required = new Set(schema?.required ?? []);
  const fields: { name: string; kind: Kind; input: Input; required: boolean }[] = [];
  const element = h('div', { class: 'fields' });
  for (const [name, raw] of Object.entries(props)) {
    const s = raw.anyOf ? (raw.anyOf.find((x) => x.type !== 'null') ?? raw) : raw;
    const id = `${idPrefix}-${name}`;
    const { input, kind } = control(name, s, id, required.has(name));
    const value = values[name];
    if (value !== undefined && value !== null) {
      if (input instanceof HTMLInputElement && kind === 'boolean') input.checked = !!value;
      else input.value = asText(value);
    }
    fields.push({ name, kind, input, required: required.has(name) });
    element.appendChild(
      h(
        'div',
        {},
        h('label', { for: id }, name, required.has(name) ? ` (${t('required')})` : ''),
        s.description ? h('div', { class: 'muted' }, s.description) : null,
        input,
      ),
    );
  }
  return {
    element,
    read() {
      const out: Record<string, unknown> = {};
      for (const f of fields) {
        if (f.kind === 'boolean') {
          out[f.name] = (f.input as HTMLInputElement).checked;
          continue;
        }
        const v = f.input.value.trim();
        if (v === '') {
          if (f.required) throw new Error(`${f.name}: ${t('required')}`);
          continue;
        }
        if (f.kind === 'integer' || f.kind === 'number') out[f.name] = Number(v);
        else if (f.kind === 'json') {
          try {
            out[f.name] = JSON.parse(v) as unknown;
          } catch {
            throw new Error(`${f.name}: JSON`);
          }
        } else out[f.name] = v;
      }
      return out;
    },
  };
}
