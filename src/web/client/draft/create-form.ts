// Creating a procedure's draft from a source (the Regulation, the model memorandum, a memorandum, blank).
import type { components } from '../api/schema';
import { get, post } from '../api/client';
import type { InstanceView } from '../api/views';
import { h } from '../dom';
import { t, label } from '../i18n';
import { actionForm } from '../ui';
import { DRAFT_LANGS } from './common';

type CreateDraft = components['schemas']['CreateDraftDto'];
const SOURCES: readonly CreateDraft['source'][] = ['regulation', 'model_memorandum', 'memorandum', 'blank'];

export function createForm(inst: InstanceView, created: () => void): HTMLFormElement {
  const source = h(
    'select',
    { id: 'draft-source', class: 'wide' },
    SOURCES.map((s) => h('option', { value: s }, t(`source_${s}`))),
  );
  const memo = h(
    'select',
    { id: 'draft-memorandum', class: 'wide' },
    h('option', { value: '' }, inst.memorandum ? `${t('ownMemorandum')} (${inst.memorandum})` : ''),
  );
  const titles = Object.fromEntries(DRAFT_LANGS.map((l) => [l, h('input', { id: `draft-title-${l}`, type: 'text' })]));
  const memoRow = h('div', { hidden: true }, h('label', { for: 'draft-memorandum' }, t('memorandum')), memo);
  const titleRow = h(
    'div',
    {},
    h('p', { class: 'muted' }, t('titleHint')),
    DRAFT_LANGS.map((l) => [h('label', { for: `draft-title-${l}` }, `${t('title')} (${l.toUpperCase()})`), titles[l]]),
  );
  get('/reference/partners').then(
    (ps) => {
      for (const p of ps.filter((x) => x.memorandumId))
        memo.appendChild(h('option', { value: p.memorandumId }, `${p.memorandumId} — ${label(p.name, p.code)}`));
    },
    () => undefined,
  );
  source.addEventListener('change', () => {
    memoRow.hidden = source.value !== 'memorandum';
  });
  const create = async () => {
    const chosen = SOURCES[source.selectedIndex];
    const title = (l: string) => titles[l]?.value.trim() ?? '';
    const body: CreateDraft = { source: chosen };
    if (chosen === 'memorandum' && memo.value) body.memorandumId = memo.value;
    if (DRAFT_LANGS.some((l) => title(l))) body.title = { ru: title('ru'), zh: title('zh'), en: title('en') };
    await post('/instances/{id}/draft', { path: { id: inst.id }, body });
    created();
  };
  return actionForm(
    { 'data-testid': 'create-draft' },
    create,
    h('p', { class: 'muted' }, t('noDraft')),
    h('label', { for: 'draft-source' }, t('source')),
    source,
    memoRow,
    titleRow,
    h('div', {}, h('button', { type: 'submit' }, t('createDraft'))),
  );
}
