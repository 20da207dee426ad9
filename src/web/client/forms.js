// Small forms generated from the JSON Schemas the API publishes (inputSchema, payloadSchema).
import { h } from './dom.js';
import { t } from './i18n.js';

function longText(name, s) {
  return (s.maxLength ?? 0) > 300 || /text|reason|rationale|comment|description|summary|note/i.test(name);
}

/**
 * Returns { element, read() } where read() gives the payload object or throws with a message.
 * `values` pre-fills fields by name (undefined values are skipped).
 */
export function schemaForm(schema, idPrefix, values = {}) {
  const props = (schema && schema.properties) || {};
  const required = new Set((schema && schema.required) || []);
  const fields = [];
  const element = h('div', { class: 'fields' });
  for (const [name, raw] of Object.entries(props)) {
    const s = raw.anyOf ? raw.anyOf.find((x) => x.type !== 'null') || raw : raw;
    const id = `${idPrefix}-${name}`;
    let input;
    let kind = 'string';
    if (Array.isArray(s.enum)) {
      kind = 'enum';
      input = h(
        'select',
        { id, name, class: 'wide' },
        required.has(name) ? null : h('option', { value: '' }, ''),
        s.enum.map((v) => h('option', { value: String(v) }, String(v))),
      );
    } else if (s.type === 'integer' || s.type === 'number') {
      kind = s.type;
      input = h('input', {
        id,
        name,
        type: 'number',
        step: s.type === 'integer' ? '1' : 'any',
        min: s.minimum ?? s.exclusiveMinimum,
      });
    } else if (s.type === 'boolean') {
      kind = 'boolean';
      input = h('input', { id, name, type: 'checkbox' });
    } else if (s.type === 'array' || s.type === 'object' || (!s.type && !s.enum)) {
      kind = 'json';
      input = h('textarea', { id, name, placeholder: s.type === 'array' ? '[ ]' : '{ }' });
    } else {
      input = longText(name, s)
        ? h('textarea', { id, name, maxlength: s.maxLength })
        : h('input', { id, name, type: 'text', maxlength: s.maxLength });
    }
    if (values[name] !== undefined && values[name] !== null) {
      if (kind === 'boolean') input.checked = !!values[name];
      else input.value = typeof values[name] === 'object' ? JSON.stringify(values[name]) : String(values[name]);
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
      const out = {};
      for (const f of fields) {
        if (f.kind === 'boolean') {
          out[f.name] = f.input.checked;
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
            out[f.name] = JSON.parse(v);
          } catch {
            throw new Error(`${f.name}: JSON`);
          }
        } else out[f.name] = v;
      }
      return out;
    },
  };
}
