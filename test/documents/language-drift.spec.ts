import { carryFreshness, driftedArticleIds } from '../../src/documents/language-drift';
import type { ArticleTexts, DraftArticle } from '../../src/documents/draft.types';

const texts = (ru: string, zh: string, en: string): ArticleTexts => ({ ru, zh, en });

/** An article carried through versions 1..n, one text per version. */
function history(...versions: { text: ArticleTexts; confirm?: ('ru' | 'zh' | 'en')[] }[]) {
  let prev: Pick<DraftArticle, 'text' | 'updatedAtVersion' | 'outOfDate'> | undefined;
  return versions.map(({ text, confirm }, i) => {
    const f = carryFreshness(prev, text, i + 1, confirm);
    prev = { text, ...f };
    return f;
  });
}

describe('language drift between the authentic texts', () => {
  it('a new article with both authentic texts is current', () => {
    expect(carryFreshness(undefined, texts('А', '甲', 'A'), 1)).toEqual({
      updatedAtVersion: { ru: 1, zh: 1, en: 1 },
      outOfDate: [],
    });
  });

  it('an edit in Russian only leaves Chinese out of date (and English possibly stale) until Chinese is updated in a later version', () => {
    const [, v2, v3, v4] = history(
      { text: texts('А', '甲', 'A') },
      { text: texts('Б', '甲', 'A') },
      { text: texts('Б', '甲', 'A2') },
      { text: texts('Б', '乙', 'A2') },
    );
    expect(v2).toEqual({ updatedAtVersion: { ru: 2, zh: 1, en: 1 }, outOfDate: ['zh', 'en'] });
    expect(v3.outOfDate).toEqual(['zh']); // English caught up, Chinese still behind
    expect(v4).toEqual({ updatedAtVersion: { ru: 2, zh: 4, en: 3 }, outOfDate: [] });
  });

  it('an edit in Chinese only leaves Russian out of date; a second Chinese edit does not clear it', () => {
    const [, v2, v3] = history(
      { text: texts('А', '甲', 'A') },
      { text: texts('А', '乙', 'A') },
      { text: texts('А', '丙', 'A') },
    );
    expect(v2.outOfDate).toEqual(['ru', 'en']);
    expect(v3.outOfDate).toEqual(['ru', 'en']);
  });

  it('both authentic texts edited in the same version: no drift; English alone edited: nothing drifts', () => {
    const [, v2, v3] = history(
      { text: texts('А', '甲', 'A') },
      { text: texts('Б', '乙', 'A') },
      { text: texts('Б', '乙', 'B') },
    );
    expect(v2.outOfDate).toEqual(['en']);
    expect(v3.outOfDate).toEqual([]);
  });

  it('an empty authentic text next to a written one is out of date', () => {
    expect(carryFreshness(undefined, texts('А', '', ''), 1).outOfDate).toEqual(['zh', 'en']);
    expect(carryFreshness(undefined, texts('', '', ''), 1).outOfDate).toEqual([]);
    const [, v2] = history({ text: texts('А', '甲', 'A') }, { text: texts('', '甲', 'A') });
    expect(v2.outOfDate).toEqual(['ru', 'en']);
  });

  it('a confirmation clears a language without a text change', () => {
    const [, , v3] = history(
      { text: texts('А', '甲', 'A') },
      { text: texts('Б', '甲', 'A') },
      { text: texts('Б', '甲', 'A'), confirm: ['zh'] },
    );
    expect(v3).toEqual({ updatedAtVersion: { ru: 2, zh: 1, en: 1 }, outOfDate: ['en'] });
  });

  it('only authentic drift counts as drifted; a stale English text does not', () => {
    expect(
      driftedArticleIds([
        { articleId: 'a', outOfDate: ['en'] },
        { articleId: 'b', outOfDate: ['zh', 'en'] },
        { articleId: 'c', outOfDate: [] },
      ]),
    ).toEqual(['b']);
  });
});
