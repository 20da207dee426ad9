// What an approver opens from the inbox: the named version, its redline against the previous
// version the member states saw (an approver reads only circulated versions), and comments for
// their state.
import { get } from '../api/client';
import { h } from '../dom';
import { t } from '../i18n';
import { chosenLang, fill, langSelect } from './common';
import { versionReader } from './reader';
import { redlineView } from './redline';

/** The latest version before `version` that the reader may read (the draft lists only those). */
async function previousReadable(instanceId: string, version: number): Promise<number | null> {
  const draft = await get('/instances/{id}/draft', { path: { id: instanceId } });
  const earlier = draft.versions.map((v) => v.number).filter((n) => n < version);
  return earlier.length ? Math.max(...earlier) : null;
}

export function inboxDraft(instanceId: string, version: number): HTMLElement {
  const box = h('div', { 'data-testid': 'inbox-draft' });
  const readerBox = h('div');
  const redlineBox = h('div', { 'data-testid': 'redline-box' });
  box.append(redlineBox, readerBox);
  if (version > 1) {
    void previousReadable(instanceId, version)
      .then((from) => {
        // says when no earlier version can be compared (none was circulated before this one)
        redlineBox.dataset.state = from === null ? 'none' : 'shown';
        if (from === null) return;
        const lang = langSelect({ 'data-testid': 'diff-lang', 'aria-label': t('language') }, true, '');
        const diffBox = h('div');
        lang.addEventListener(
          'change',
          () => void fill(diffBox, () => redlineView(instanceId, from, version, chosenLang(lang))),
        );
        redlineBox.append(h('div', {}, `${t('redline')} ${from} → ${version}: `, lang), diffBox);
        void fill(diffBox, () => redlineView(instanceId, from, version));
      })
      .catch(() => undefined); // the reader below says what went wrong with the draft
  }
  void fill(readerBox, () => versionReader(instanceId, version, { canComment: true }));
  return box;
}
