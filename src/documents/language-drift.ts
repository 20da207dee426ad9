/**
 * Language drift. Russian and Chinese are equally authentic, so a draft's two authentic texts
 * must not drift apart: editing an article in one of them, in a new version, without editing the
 * other, leaves the other visibly out of date until it is updated (in that version or a later
 * one). English is a working text: it is flagged "possibly stale" the same way after an
 * authentic edit, but it never blocks anything.
 *
 * Carried from version to version per article:
 *   - both authentic texts changed in one version      -> both current
 *   - only one changed, the other was current          -> the other is out of date
 *   - only one changed, and it was the one out of date -> it caught up: both current
 *   - one authentic text empty while the other is not  -> the empty one is out of date
 *   - English not changed in a version whose authentic  -> English possibly stale (a catch-up edit
 *     edit leads (not merely catches up)                  of the other authentic text does not count)
 *   - a language the author confirms unchanged         -> current again (e.g. a typo fixed in
 *                                                         one language that needs no change in the other)
 */
import { AUTHENTIC, LANGUAGES, type ArticleTexts, type DraftArticle, type Lang } from './draft.types';

export interface Freshness {
  updatedAtVersion: Record<Lang, number>;
  outOfDate: Lang[];
}

const blank = (s: string) => s.trim().length === 0;
const other = (l: Lang): Lang => (l === 'ru' ? 'zh' : 'ru');

/** The freshness of an article's texts in version `version`, given its state before (if any). */
export function carryFreshness(
  previous: Pick<DraftArticle, 'text' | 'updatedAtVersion' | 'outOfDate'> | undefined,
  text: ArticleTexts,
  version: number,
  confirm: readonly Lang[] = [],
): Freshness {
  const stale = new Set<Lang>();
  let updatedAtVersion: Record<Lang, number>;
  if (!previous) {
    updatedAtVersion = { ru: version, zh: version, en: version };
  } else {
    const changed = (l: Lang) => previous.text[l] !== text[l];
    updatedAtVersion = {
      ru: changed('ru') ? version : previous.updatedAtVersion.ru,
      zh: changed('zh') ? version : previous.updatedAtVersion.zh,
      en: changed('en') ? version : previous.updatedAtVersion.en,
    };
    for (const l of previous.outOfDate) stale.add(l);
    const ru = changed('ru');
    const zh = changed('zh');
    // A "leading" authentic edit says something new; a catch-up edit only brings the other
    // authentic text in line with it, so it does not make English stale again.
    let leading = false;
    if (ru && zh) {
      stale.delete('ru');
      stale.delete('zh');
      leading = true;
    } else if (ru || zh) {
      const edited: Lang = ru ? 'ru' : 'zh';
      if (stale.has(edited)) stale.delete(edited);
      else {
        stale.add(other(edited));
        leading = true;
      }
    }
    if (changed('en')) stale.delete('en');
    else if (leading) stale.add('en');
  }
  for (const l of AUTHENTIC) {
    if (blank(text[l]) && !blank(text[other(l)])) {
      stale.add(l);
      stale.delete(other(l));
    }
  }
  if (blank(text.en) && AUTHENTIC.some((l) => !blank(text[l]))) stale.add('en');
  for (const l of confirm) if (!blank(text[l])) stale.delete(l);
  return { updatedAtVersion, outOfDate: LANGUAGES.filter((l) => stale.has(l)) };
}

/** Articles whose authentic texts disagree: these block sending the version on. */
export function driftedArticleIds(articles: readonly Pick<DraftArticle, 'articleId' | 'outOfDate'>[]): string[] {
  return articles.filter((a) => a.outOfDate.some((l) => l === 'ru' || l === 'zh')).map((a) => a.articleId);
}

/** Articles whose English working text may be stale (shown, never blocking). */
export function staleEnglishIds(articles: readonly Pick<DraftArticle, 'articleId' | 'outOfDate'>[]): string[] {
  return articles.filter((a) => a.outOfDate.includes('en')).map((a) => a.articleId);
}
