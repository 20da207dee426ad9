// One procedure: what the caller can do now, the diagram, deadlines, children, approvals, draft, timeline.
import { get, session } from '../api/client';
import type { DraftDocument } from '../api/views';
import { definitions, defById } from '../definitions';
import { renderDiagram } from '../diagram';
import { clear, h } from '../dom';
import { draftPanel, loadDraft } from '../draft/panel';
import { t } from '../i18n';
import { actionsView } from '../procedure/actions';
import { childrenView, findingLinksView } from '../procedure/children';
import { deadlinesView } from '../procedure/deadlines';
import { matrixView } from '../procedure/matrix';
import { stageText, summaryView } from '../procedure/summary';
import { timelineView } from '../procedure/timeline';
import { card, errorBox, type Go } from '../ui';

type DraftLoad = { doc: DraftDocument | null } | { error: unknown };

export async function procedurePage(view: HTMLElement, go: Go, id: string): Promise<void> {
  const [inst, defs, hist, draft] = await Promise.all([
    get('/instances/{id}', { path: { id } }),
    definitions(),
    get('/instances/{id}/history', { path: { id } }),
    loadDraft(id).then(
      (doc): DraftLoad => ({ doc }),
      (error: unknown): DraftLoad => ({ error }),
    ),
  ]);
  const reload = () => go(`#/procedure/${id}`, true);
  const doc = 'doc' in draft ? draft.doc : null;
  const canExtend = session.user?.role === 'manager' && inst.status === 'active';
  const diagram = h('div', { class: 'diagram', 'data-testid': 'diagram', 'data-current': inst.state });
  const matrix = h('div', { 'data-testid': 'matrix' }, t('loading'));

  view.append(
    ...summaryView(inst),
    actionsView(inst, doc?.latest?.number, reload),
    card(t('diagram'), h('p', {}, h('span', { class: 'badge' }, `${t('current')}: ${stageText(inst)}`)), diagram),
    h(
      'div',
      { class: 'grid' },
      card(t('deadlines'), deadlinesView(inst, canExtend, reload)),
      card(t('children'), childrenView(defs, inst)),
      card(t('findingLinks'), findingLinksView(inst)),
    ),
    card(t('approvals'), matrix),
    card(
      t('draft'),
      h('div', { 'data-testid': 'draft' }, 'error' in draft ? errorBox(draft.error) : draftPanel(inst, doc, reload)),
    ),
    card(t('timeline'), timelineView(defs, inst.definition.id, hist)),
  );

  const def = defById(defs, inst.definition.id);
  if (def) await renderDiagram(diagram, def, inst.stages.map((s) => s.path).concat(inst.state));
  get('/instances/{id}/approvals', { path: { id } }).then(
    (m) => clear(matrix).appendChild(matrixView(m)),
    (err: unknown) => clear(matrix).appendChild(errorBox(err)),
  );
}
