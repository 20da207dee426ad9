/**
 * A small, format-neutral description of an export (headings, paragraphs of styled runs,
 * tables), built once and rendered to HTML (html.ts) or PDF (pdf.ts), so both formats say the
 * same thing.
 */
import type { Lang } from '../draft.types';

export type RunStyle = 'ins' | 'del' | 'strong' | 'em';
export interface Run {
  text: string;
  style?: RunStyle;
}
export type Paragraph = { runs: Run[]; tone?: 'muted' | 'warning' };

export type Block =
  | { kind: 'heading'; level: 2 | 3; text: string }
  | { kind: 'paragraph'; paragraph: Paragraph }
  | { kind: 'table'; columns: string[]; rows: Paragraph[][][] };

export interface Printable {
  lang: Lang;
  title: string;
  subtitle: string[];
  /** Shown before everything else (e.g. the text is an illustrative placeholder). */
  notices: string[];
  blocks: Block[];
}

export const p = (text: string, tone?: Paragraph['tone']): Paragraph =>
  tone ? { runs: [{ text }], tone } : { runs: [{ text }] };
export const para = (text: string, tone?: Paragraph['tone']): Block => ({
  kind: 'paragraph',
  paragraph: p(text, tone),
});
export const heading = (text: string, level: 2 | 3 = 2): Block => ({ kind: 'heading', level, text });
