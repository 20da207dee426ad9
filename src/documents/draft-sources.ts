/**
 * Where a draft's first version comes from. The repository holds no authentic texts, so the
 * Regulation and the model Memorandum are illustrative placeholders (sources/*.json, each
 * marked `illustrative` with a notice saying so, in the three languages). The model's texts write
 * the partner as `{partner}`: left as ______ for the model itself, filled with the partner's names
 * from the reference data for an existing memorandum. A blank draft has no text yet.
 */
import modelMemorandumFile from './sources/model-memorandum.json';
import regulationFile from './sources/regulation.json';
import type { ArticleTexts, Lang, SourceKind } from './draft.types';

interface SourceFile {
  illustrative: boolean;
  notice: Record<Lang, string>;
  title: Record<Lang, string>;
  articles: ({ number: string } & ArticleTexts)[];
}

export interface SourceText {
  title: Record<Lang, string>;
  articles: ({ number: string } & ArticleTexts)[];
  /** Set when the text is a placeholder rather than an authentic text, in the three languages. */
  notice: Record<Lang, string> | null;
}

const fill = (s: string, partner: Record<Lang, string>, lang: Lang) => s.split('{partner}').join(partner[lang]);

function localise(file: SourceFile, partner: Record<Lang, string> | null): SourceText {
  const names = partner ?? { en: '______', ru: '______', zh: '______' };
  return {
    title: {
      en: fill(file.title.en, names, 'en'),
      ru: fill(file.title.ru, names, 'ru'),
      zh: fill(file.title.zh, names, 'zh'),
    },
    articles: file.articles.map((a) => ({
      number: a.number,
      ru: fill(a.ru, names, 'ru'),
      zh: fill(a.zh, names, 'zh'),
      en: fill(a.en, names, 'en'),
    })),
    notice: file.illustrative ? file.notice : null,
  };
}

/** The text of a source; `partner` (names in the three languages) only for an existing memorandum. */
export function sourceText(
  kind: Exclude<SourceKind, 'blank'>,
  partner: Record<Lang, string> | null = null,
): SourceText {
  if (kind === 'regulation') return localise(regulationFile, null);
  return localise(modelMemorandumFile, kind === 'memorandum' ? partner : null);
}

/** The notice shown with a document made from an illustrative source. */
export function sourceNotice(kind: SourceKind): Record<Lang, string> | null {
  if (kind === 'blank') return null;
  return sourceText(kind).notice;
}
