/**
 * Article-by-article comparison of two versions of a draft, with word-level redlines.
 *
 * Articles are matched by their stable id, never by number or position, so an article that is
 * moved or renumbered is reported as moved / renumbered (and changed, if its text changed too),
 * not as one removed and one added. "Moved" means its order relative to the other kept articles
 * changed (articles outside the longest common subsequence of kept ids); an article that only
 * shifts because another was inserted before it has not moved.
 *
 * Redlines use jsdiff (the `diff` package). English goes through `diffWordsWithSpace`. Its
 * tokenizer only treats Latin letters as word characters, which would cut Russian into single
 * letters and cannot find word boundaries in Chinese (written without spaces), so the authentic
 * languages run the same algorithm (jsdiff's `Diff` with whitespace kept) over words found by
 * `Intl.Segmenter` (ICU's dictionary-based word breaking for Chinese).
 */
import { Diff, diffWordsWithSpace, type ChangeObject } from 'diff';
import { LANGUAGES, type DraftArticle, type Lang } from './draft.types';

export type RedlineOp = 'equal' | 'insert' | 'delete';
export interface RedlineSegment {
  op: RedlineOp;
  text: string;
}

export type ArticleChangeKind = 'added' | 'removed' | 'moved' | 'renumbered' | 'changed' | 'unchanged';

export interface ArticleDiff {
  articleId: string;
  /** Where the article stood in each version (null when absent). */
  from: { position: number; number: string } | null;
  to: { position: number; number: string } | null;
  kinds: ArticleChangeKind[];
  /** Languages whose text changed. */
  changedLanguages: Lang[];
  /** Redlines for the requested languages: the text of `from` turned into the text of `to`. */
  redlines: Partial<Record<Lang, RedlineSegment[]>>;
  /** Languages out of date in the `to` version (authentic drift, or English possibly stale). */
  outOfDate: Lang[];
}

export interface DraftDiffSummary {
  added: number;
  removed: number;
  moved: number;
  renumbered: number;
  changed: number;
  unchanged: number;
}

class SegmentedWordsDiff extends Diff<string, string> {
  constructor(private readonly segmenter: Intl.Segmenter) {
    super();
  }

  override tokenize(value: string): string[] {
    const tokens: string[] = [];
    for (const { segment } of this.segmenter.segment(value)) {
      // One token per newline, as diffWordsWithSpace does, so a paragraph break stays its own change.
      if (segment.includes('\n') && segment !== '\n') tokens.push(...(segment.match(/\r?\n|[^\r\n]+/g) ?? []));
      else tokens.push(segment);
    }
    return tokens;
  }
}

const authenticDiff: Record<'ru' | 'zh', SegmentedWordsDiff> = {
  ru: new SegmentedWordsDiff(new Intl.Segmenter('ru', { granularity: 'word' })),
  zh: new SegmentedWordsDiff(new Intl.Segmenter('zh', { granularity: 'word' })),
};

/**
 * The work one comparison may do: jsdiff gives up on a redline after `timeoutMs` (shared by
 * every redline of the comparison) or beyond `maxEditLength` edits; texts longer than
 * `maxChars` in all (both versions, every language compared) are not diffed at all.
 */
export interface DiffBudget {
  timeoutMs: number;
  maxEditLength: number;
  maxChars: number;
}

export const DEFAULT_DIFF_BUDGET: DiffBudget = { timeoutMs: 2000, maxEditLength: 20_000, maxChars: 2_000_000 };

/** A comparison over its budget: `size` before any work (413), `effort` while diffing (422). */
export class DiffBudgetExceeded extends Error {
  override readonly name = 'DiffBudgetExceeded';

  constructor(
    readonly reason: 'size' | 'effort',
    message: string,
  ) {
    super(message);
  }
}

interface RunningBudget {
  deadline: number;
  maxEditLength: number;
}

/** Word-level redline of one text in one language (within `budget` when given). */
export function redline(lang: Lang, before: string, after: string, budget?: RunningBudget): RedlineSegment[] {
  if (before === after) return before ? [{ op: 'equal', text: before }] : [];
  let changes: ChangeObject<string>[] | undefined;
  if (budget) {
    const options = { timeout: Math.max(1, budget.deadline - Date.now()), maxEditLength: budget.maxEditLength };
    changes =
      lang === 'en' ? diffWordsWithSpace(before, after, options) : authenticDiff[lang].diff(before, after, options);
    if (!changes)
      throw new DiffBudgetExceeded(
        'effort',
        'These versions differ too much to compare word by word within the time allowed: compare one language at a time (lang) or versions closer to each other.',
      );
  } else changes = lang === 'en' ? diffWordsWithSpace(before, after) : authenticDiff[lang].diff(before, after);
  const out: RedlineSegment[] = [];
  for (const c of changes) {
    if (!c.value) continue;
    const op: RedlineOp = c.added ? 'insert' : c.removed ? 'delete' : 'equal';
    const last = out[out.length - 1];
    if (last && last.op === op) last.text += c.value;
    else out.push({ op, text: c.value });
  }
  return out;
}

/** Ids of `common` kept in the same relative order in both versions (a longest common subsequence). */
function inOrder(fromIds: string[], toIds: string[]): Set<string> {
  const n = fromIds.length;
  const m = toIds.length;
  const table: Uint16Array[] = Array.from({ length: n + 1 }, () => new Uint16Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      table[i][j] = fromIds[i] === toIds[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
  const kept = new Set<string>();
  for (let i = 0, j = 0; i < n && j < m;) {
    if (fromIds[i] === toIds[j]) {
      kept.add(fromIds[i]);
      i++;
      j++;
    } else if (table[i + 1][j] >= table[i][j + 1]) i++;
    else j++;
  }
  return kept;
}

/**
 * The comparison of version `from` with version `to`, in the order of `to`; a removed article
 * is listed where it stood, after the article that preceded it in `from`.
 */
export function diffArticles(
  from: readonly DraftArticle[],
  to: readonly DraftArticle[],
  langs: readonly Lang[] = LANGUAGES,
  budget: DiffBudget = DEFAULT_DIFF_BUDGET,
): { articles: ArticleDiff[]; summary: DraftDiffSummary } {
  let chars = 0;
  for (const a of [...from, ...to]) for (const l of langs) chars += a.text[l]?.length ?? 0;
  if (chars > budget.maxChars)
    throw new DiffBudgetExceeded(
      'size',
      `These versions hold ${chars} characters in the languages compared, more than the ${budget.maxChars} a comparison may cover: compare one language at a time (lang).`,
    );
  const running: RunningBudget = { deadline: Date.now() + budget.timeoutMs, maxEditLength: budget.maxEditLength };
  const before = new Map(from.map((a) => [a.articleId, a]));
  const after = new Map(to.map((a) => [a.articleId, a]));
  const keptFrom = from.filter((a) => after.has(a.articleId)).map((a) => a.articleId);
  const keptTo = to.filter((a) => before.has(a.articleId)).map((a) => a.articleId);
  const ordered = inOrder(keptFrom, keptTo);

  const describe = (a: DraftArticle | undefined, b: DraftArticle | undefined): ArticleDiff => {
    const kinds: ArticleChangeKind[] = [];
    const changedLanguages = LANGUAGES.filter((l) => (a?.text[l] ?? '') !== (b?.text[l] ?? ''));
    if (!a) kinds.push('added');
    else if (!b) kinds.push('removed');
    else {
      if (!ordered.has(a.articleId)) kinds.push('moved');
      if (a.number !== b.number) kinds.push('renumbered');
      if (changedLanguages.length) kinds.push('changed');
      if (!kinds.length) kinds.push('unchanged');
    }
    const redlines: Partial<Record<Lang, RedlineSegment[]>> = {};
    for (const l of langs) redlines[l] = redline(l, a?.text[l] ?? '', b?.text[l] ?? '', running);
    return {
      articleId: (a ?? b)!.articleId,
      from: a ? { position: a.position, number: a.number } : null,
      to: b ? { position: b.position, number: b.number } : null,
      kinds,
      changedLanguages: a && b ? changedLanguages : [],
      redlines,
      outOfDate: b ? [...b.outOfDate] : [],
    };
  };

  const rows: ArticleDiff[] = to.map((b) => describe(before.get(b.articleId), b));
  // Removed articles go in after their nearest surviving predecessor in `from`.
  let anchorIndex = -1;
  for (const a of from) {
    if (after.has(a.articleId)) {
      anchorIndex = rows.findIndex((r) => r.articleId === a.articleId);
      continue;
    }
    rows.splice(anchorIndex + 1, 0, describe(a, undefined));
    anchorIndex++;
  }

  const summary: DraftDiffSummary = { added: 0, removed: 0, moved: 0, renumbered: 0, changed: 0, unchanged: 0 };
  for (const r of rows) for (const k of r.kinds) summary[k]++;
  return { articles: rows, summary };
}
