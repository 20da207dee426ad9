/**
 * Server-side HTML of an export. Every piece of text (titles, article texts, comments, names)
 * goes through `escapeHtml`: text is stored as typed, so a comment holding `<script>` is shown as
 * those characters and never runs. The page loads nothing (the response also carries a CSP that
 * forbids scripts).
 */
import type { Block, Paragraph, Printable, Run } from './printable';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

/** The Content-Security-Policy sent with every HTML export. */
export const EXPORT_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const TAG: Record<NonNullable<Run['style']>, string> = { ins: 'ins', del: 'del', strong: 'strong', em: 'em' };

function run(r: Run): string {
  const text = escapeHtml(r.text);
  return r.style ? `<${TAG[r.style]}>${text}</${TAG[r.style]}>` : text;
}

function paragraph(x: Paragraph): string {
  return `<p${x.tone ? ` class="${x.tone}"` : ''}>${x.runs.map(run).join('')}</p>`;
}

function block(b: Block): string {
  switch (b.kind) {
    case 'heading':
      return `<h${b.level}>${escapeHtml(b.text)}</h${b.level}>`;
    case 'paragraph':
      return paragraph(b.paragraph);
    case 'table':
      return [
        '<table>',
        `<thead><tr>${b.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr></thead>`,
        '<tbody>',
        ...b.rows.map((row) => `<tr>${row.map((cell) => `<td>${cell.map(paragraph).join('')}</td>`).join('')}</tr>`),
        '</tbody></table>',
      ].join('\n');
  }
}

const STYLE = `
body { font-family: "Noto Sans", "DejaVu Sans", "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif; margin: 2em; color: #111; line-height: 1.45; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 1.6em; } h3 { font-size: 1.05em; margin-bottom: .3em; }
p { white-space: pre-wrap; margin: .3em 0; }
.subtitle { color: #444; } .muted { color: #666; font-size: .92em; } .warning { color: #8a4b00; font-weight: bold; }
.notice { border: 1px solid #c9a227; background: #fff8e1; padding: .6em .8em; }
table { border-collapse: collapse; width: 100%; margin-top: 1em; } th, td { border: 1px solid #999; padding: .4em .5em; vertical-align: top; text-align: left; }
ins { background: #dff5df; text-decoration: underline; } del { background: #fbe0e0; text-decoration: line-through; }
`;

/** `onProgress(done, total)` is told after each block. */
export function renderHtml(doc: Printable, onProgress?: (done: number, total: number) => void): string {
  const total = doc.blocks.length;
  const blocks = doc.blocks.map((b, i) => {
    const out = block(b);
    onProgress?.(i + 1, total);
    return out;
  });
  return [
    '<!DOCTYPE html>',
    `<html lang="${doc.lang}">`,
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(EXPORT_CSP)}">`,
    `<title>${escapeHtml(doc.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(doc.title)}</h1>`,
    ...doc.subtitle.map((s) => `<p class="subtitle">${escapeHtml(s)}</p>`),
    ...doc.notices.map((n) => `<p class="notice">${escapeHtml(n)}</p>`),
    ...blocks,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
