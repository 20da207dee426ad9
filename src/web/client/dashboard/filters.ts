// The dashboard's filters (procedure, partner); kept while the page is open, sent as its query.
import type { components } from '../api/schema';
import type { DefinitionView } from '../api/views';
import { h } from '../dom';
import { t, label } from '../i18n';

export interface DashboardFilters {
  definition: string;
  partner: string;
}

export const filters: DashboardFilters = { definition: '', partner: '' };

type Partner = components['schemas']['PartnerItemDto'];

/** The two selects; `changed()` runs after `filters` took their new values. */
export function filterBar(defs: DefinitionView[], partners: Partner[], changed: () => void): HTMLElement {
  const defSel = h(
    'select',
    { id: 'filter-definition', 'data-testid': 'filter-definition' },
    h('option', { value: '' }, t('anyProcedure')),
    defs.map((d) =>
      h('option', { value: d.id, selected: d.id === filters.definition }, `${d.measure} ${label(d.title, d.id)}`),
    ),
  );
  const partnerSel = h(
    'select',
    { id: 'filter-partner', 'data-testid': 'filter-partner' },
    h('option', { value: '' }, t('allPartners')),
    partners.map((p) =>
      h('option', { value: p.code, selected: p.code === filters.partner }, `${p.code} ${label(p.name, p.code)}`),
    ),
  );
  const apply = () => {
    filters.definition = defSel.value;
    filters.partner = partnerSel.value;
    changed();
  };
  defSel.addEventListener('change', apply);
  partnerSel.addEventListener('change', apply);
  return h(
    'div',
    { class: 'toolbar' },
    h('label', { class: 'inline', for: 'filter-definition' }, `${t('procedure')}: `),
    defSel,
    h('label', { class: 'inline', for: 'filter-partner' }, ` ${t('partner')}: `),
    partnerSel,
  );
}

/** The filters as query parameters (empty ones left out). */
export function filterQuery(): { definition?: string; partner?: string } {
  return {
    ...(filters.definition ? { definition: filters.definition } : {}),
    ...(filters.partner ? { partner: filters.partner } : {}),
  };
}
