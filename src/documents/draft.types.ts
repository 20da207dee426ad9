/** The vocabulary of drafts: languages, articles as stored, and the views the API returns. */

/** The SCO's two official (authentic) languages and English, the working language. */
export const LANGUAGES = ['ru', 'zh', 'en'] as const;
export type Lang = (typeof LANGUAGES)[number];
/** Instruments are made in Russian and Chinese, equally authentic. */
export const AUTHENTIC: readonly Lang[] = ['ru', 'zh'];

export type ArticleTexts = Record<Lang, string>;

export const SOURCE_KINDS = ['regulation', 'model_memorandum', 'memorandum', 'blank'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** An article of one version, as stored. */
export interface DraftArticle {
  articleId: string;
  position: number;
  number: string;
  text: ArticleTexts;
  /** The version in which each language's text last changed. */
  updatedAtVersion: Record<Lang, number>;
  /** Languages whose text is out of date in this version (see language-drift.ts). */
  outOfDate: Lang[];
  /** Languages the author confirmed as still matching, without changing them, in this version. */
  confirmed: Lang[];
}

export interface DraftVersionHeader {
  number: number;
  authorId: string;
  authorRole: string;
  note: string;
  createdAt: string;
  basedOn: number | null;
  contentHash: string;
}

export interface DraftVersion extends DraftVersionHeader {
  articles: DraftArticle[];
}

export interface DraftDocumentRow {
  id: string;
  instanceId: string;
  title: Record<Lang, string>;
  sourceKind: SourceKind;
  sourceRef: string | null;
  createdBy: string;
  createdAt: string;
}

export interface DraftComment {
  id: string;
  version: number;
  articleId: string | null;
  authorId: string;
  authorRole: string;
  /** The member state the comment is made for; null for the Secretariat (legal officers). */
  memberState: string | null;
  actingFor: string | null;
  text: string;
  createdAt: string;
}

/** An article submitted for a new version; without `articleId` it is a new article. */
export interface ArticleInput {
  articleId?: string;
  number: string;
  ru: string;
  zh: string;
  en: string;
  confirm?: Lang[];
}
