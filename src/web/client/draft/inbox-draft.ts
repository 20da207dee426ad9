// What an approver opens from the inbox: the named version, its redline against the previous
// one, and comments for their state.
import { h } from '../dom';
import { t } from '../i18n';
import { chosenLang, fill, langSelect } from './common';
import { versionReader } from './reader';
import { redlineView } from './redline';

export function inboxDraft(instanceId: string, version: number): HTMLElement {
  const box = h('div', { 'data-testid': 'inbox-draft' });
  const readerBox = h('div');
  if (version > 1) {
    const redlineBox = h('div');
    const lang = langSelect({ 'data-testid': 'diff-lang', 'aria-label': t('language') }, true, '');
    lang.addEventListener(
      'change',
      () => void fill(redlineBox, () => redlineView(instanceId, version - 1, version, chosenLang(lang))),
    );
    box.append(h('div', {}, `${t('redline')} ${version - 1} → ${version}: `, lang), redlineBox);
    void fill(redlineBox, () => redlineView(instanceId, version - 1, version));
  }
  box.appendChild(readerBox);
  void fill(readerBox, () => versionReader(instanceId, version, { canComment: true }));
  return box;
}
