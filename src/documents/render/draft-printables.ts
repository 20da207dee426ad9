/** Exports of a draft version and of a comparison table, as format-neutral Printables. */
import type { Comparison, ComparisonRow } from '../draft-review.service';
import type { DraftComment, Lang } from '../draft.types';
import type { documentView, versionView } from '../drafts.service';
import { changeKind, label, LANGUAGE_NAME, positionKind, when } from './labels';
import { heading, p, para, type Block, type Paragraph, type Printable, type Run } from './printable';

/** Display names of people by id (falls back to the id). */
export type NameOf = (id: string) => string;

type DocumentView = ReturnType<typeof documentView>;
type VersionView = ReturnType<typeof versionView>;

function languageNotices(lang: Lang, doc: DocumentView): string[] {
  const notices: string[] = [];
  if (doc.source.notice) notices.push(doc.source.notice[lang]);
  notices.push(label(lang, 'authentic'));
  if (lang === 'en') notices.push(label(lang, 'englishWorking'));
  return notices;
}

const otherAuthentic = (lang: Lang): Lang => (lang === 'ru' ? 'zh' : 'ru');

function statusNote(lang: Lang, status: 'current' | 'out_of_date' | 'possibly_stale' | null): Paragraph | null {
  if (status === 'out_of_date')
    return p(label(lang, 'outOfDate', { other: LANGUAGE_NAME[lang][otherAuthentic(lang)] }), 'warning');
  if (status === 'possibly_stale') return p(label(lang, 'possiblyStale'), 'muted');
  return null;
}

export function versionPrintable(doc: DocumentView, v: VersionView, lang: Lang, nameOf: NameOf): Printable {
  const subtitle = [
    label(lang, 'version', { n: v.number }),
    label(lang, 'savedBy', { who: nameOf(v.authorId), at: when(v.createdAt) }),
  ];
  if (v.note) subtitle.push(label(lang, 'note', { text: v.note }));
  const notices = languageNotices(lang, doc);
  const blocks: Block[] = [];
  if (v.driftedArticles.length)
    blocks.push(para(label(lang, 'driftWarning', { n: v.driftedArticles.length }), 'warning'));
  for (const a of v.articles) {
    blocks.push(heading(label(lang, 'article', { n: a.number }), 3));
    blocks.push(para(a.text[lang] || label(lang, 'none')));
    const note = statusNote(lang, a.languages[lang]);
    if (note) blocks.push({ kind: 'paragraph', paragraph: note });
  }
  return { lang, title: doc.title[lang], subtitle, notices, blocks };
}

function commentParagraph(lang: Lang, c: DraftComment, stateName: (code: string) => string, nameOf: NameOf): Paragraph {
  const who = c.memberState ? stateName(c.memberState) : label(lang, 'secretariat');
  const acting = c.actingFor ? ` ${label(lang, 'actingFor', { who: nameOf(c.actingFor) })}` : '';
  return {
    runs: [
      { text: `${who}`, style: 'strong' },
      { text: ` (${label(lang, 'onVersion', { n: c.version })}, ${nameOf(c.authorId)}${acting}): `, style: 'em' },
      { text: c.text },
    ],
  };
}

function articleCell(lang: Lang, r: ComparisonRow): Paragraph[] {
  const from = r.from?.number;
  const to = r.to?.number;
  const number = from && to && from !== to ? `${from} → ${to}` : (to ?? from ?? '');
  return [
    { runs: [{ text: label(lang, 'article', { n: number }), style: 'strong' }] },
    p(r.kinds.map((k) => changeKind(lang, k)).join(', '), 'muted'),
  ];
}

function proposedCell(lang: Lang, r: ComparisonRow): Paragraph[] {
  if (r.proposed === null) return [p(label(lang, 'none'), 'muted')];
  const runs: Run[] = r.redline.map((s) =>
    s.op === 'insert'
      ? { text: s.text, style: 'ins' }
      : s.op === 'delete'
        ? { text: s.text, style: 'del' }
        : { text: s.text },
  );
  const cell: Paragraph[] = [{ runs: runs.length ? runs : [{ text: r.proposed || label(lang, 'none') }] }];
  const note = statusNote(lang, r.language);
  if (note) cell.push(note);
  return cell;
}

export function comparisonPrintable(c: Comparison, nameOf: NameOf): Printable {
  const lang = c.lang;
  const names = new Map(c.states.map((s) => [s.memberState, s.name[lang]]));
  const stateName = (code: string) => names.get(code) ?? code;
  const blocks: Block[] = [];

  blocks.push({
    kind: 'table',
    columns: [
      label(lang, 'colArticle'),
      label(lang, 'colBase', { n: c.from.number }),
      label(lang, 'colProposed', { n: c.to.number }),
      label(lang, 'colStates'),
    ],
    rows: c.rows.map((r) => [
      articleCell(lang, r),
      [p(r.base === null ? label(lang, 'none') : r.base || label(lang, 'none'), r.base === null ? 'muted' : undefined)],
      proposedCell(lang, r),
      r.comments.map((x) => commentParagraph(lang, x, stateName, nameOf)),
    ]),
  });

  if (c.generalComments.length) {
    blocks.push(heading(label(lang, 'generalComments')));
    c.generalComments.forEach((x) =>
      blocks.push({ kind: 'paragraph', paragraph: commentParagraph(lang, x, stateName, nameOf) }),
    );
  }

  blocks.push(heading(label(lang, 'positions', { n: c.to.number })));
  if (!c.round) blocks.push(para(label(lang, 'noRound', { n: c.to.number }), 'muted'));
  for (const o of c.round?.objections ?? [])
    blocks.push(para(label(lang, 'objectionLine', { state: stateName(o.memberState), reason: o.text }), 'warning'));
  if (c.round?.closedEarly)
    blocks.push(para(label(lang, 'closedEarlyLine', { reason: c.round.closedEarly.reason }), 'warning'));
  if (c.round?.settledBySilence) blocks.push(para(label(lang, 'settledBySilence'), 'warning'));
  for (const s of c.states) {
    const runs: Run[] = [
      { text: `${s.name[lang]}: `, style: 'strong' },
      { text: positionKind(lang, s.position?.kind ?? null) },
    ];
    if (s.position?.text) runs.push({ text: ` — ${s.position.text}` });
    if (s.position?.actingFor)
      runs.push({ text: ` ${label(lang, 'actingFor', { who: nameOf(s.position.actingFor) })}`, style: 'em' });
    blocks.push({ kind: 'paragraph', paragraph: { runs } });
    for (const r of s.reservations.filter((x) => x.draftVersion !== c.to.number || x.round !== s.position?.round))
      blocks.push(para(label(lang, 'reservation', { n: r.draftVersion, text: r.text ?? '' }), 'muted'));
    for (const r of s.responses)
      blocks.push(
        para(
          r.hasComments
            ? label(lang, 'response', { n: r.draftVersion, text: r.comments ?? '' })
            : label(lang, 'noComments', { n: r.draftVersion }),
          'muted',
        ),
      );
  }

  return {
    lang,
    title: `${label(lang, 'comparisonTitle')}: ${c.document.title[lang]}`,
    subtitle: [label(lang, 'comparisonOf', { from: c.from.number, to: c.to.number })],
    notices: languageNotices(lang, c.document),
    blocks,
  };
}
