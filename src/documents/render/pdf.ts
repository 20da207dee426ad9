/**
 * PDF of an export, with pdfkit (pure JavaScript, embeds subsets of TrueType fonts). pdfkit has
 * no font fallback, so each paragraph is cut into runs by script: Chinese in the CJK font,
 * everything else in the text font. Redlines: insertions underlined in green, deletions struck
 * through in red. Tables are laid out row by row (column name, then the cell), which keeps long
 * articles readable on A4 without cell-splitting across pages.
 */
import PDFDocument from 'pdfkit';
import { CJK_CHAR, type PdfFontSet } from './pdf-fonts';
import type { Block, Paragraph, Printable, Run } from './printable';

const COLOURS = {
  text: '#111111',
  muted: '#555555',
  warning: '#8a4b00',
  ins: '#1b6e1b',
  del: '#a11d1d',
  rule: '#999999',
  notice: '#7a5c00',
};

/** Every text of a printable, to decide which fonts it needs. */
export function printableText(doc: Printable): string {
  const parts: string[] = [doc.title, ...doc.subtitle, ...doc.notices];
  const para = (x: Paragraph) => x.runs.forEach((r) => parts.push(r.text));
  for (const b of doc.blocks) {
    if (b.kind === 'heading') parts.push(b.text);
    else if (b.kind === 'paragraph') para(b.paragraph);
    else {
      parts.push(...b.columns);
      b.rows.forEach((row) => row.forEach((cell) => cell.forEach(para)));
    }
  }
  return parts.join('\n');
}

/** `onProgress(done, total)` is told after each block is laid out. */
export function renderPdf(
  doc: Printable,
  fonts: PdfFontSet,
  onProgress?: (done: number, total: number) => void,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const pdf = new PDFDocument({
      size: 'A4',
      margin: 50,
      lang: doc.lang,
      displayTitle: true,
      info: { Title: doc.title, Creator: 'amendflow' },
    });
    const chunks: Buffer[] = [];
    pdf.on('data', (c: Buffer) => chunks.push(c));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
    try {
      const plain = fonts.text ?? fonts.cjk;
      if (plain) pdf.registerFont('plain', plain.path, plain.postscriptName);
      const bold = fonts.bold ?? plain;
      if (bold) pdf.registerFont('bold', bold.path, bold.postscriptName);
      if (fonts.cjk) pdf.registerFont('cjk', fonts.cjk.path, fonts.cjk.postscriptName);
      const fontFor = (cjk: boolean, strong: boolean) =>
        cjk && fonts.cjk ? 'cjk' : plain ? (strong ? 'bold' : 'plain') : strong ? 'Helvetica-Bold' : 'Helvetica';

      const write = (runs: Run[], opts: { size: number; colour: string; strong?: boolean; gapAfter?: number }) => {
        const pieces: { text: string; font: string; run: Run }[] = [];
        for (const run of runs) {
          for (const part of splitByScript(run.text)) {
            pieces.push({
              text: part.text,
              font: fontFor(part.cjk, Boolean(opts.strong) || run.style === 'strong'),
              run,
            });
          }
        }
        const visible = pieces.filter((x) => x.text.length > 0);
        if (!visible.length) {
          pdf.moveDown(0.3);
          return;
        }
        visible.forEach((x, i) => {
          const colour =
            x.run.style === 'ins'
              ? COLOURS.ins
              : x.run.style === 'del'
                ? COLOURS.del
                : x.run.style === 'em'
                  ? COLOURS.muted
                  : opts.colour;
          pdf
            .font(x.font)
            .fontSize(opts.size)
            .fillColor(colour)
            .text(x.text, {
              continued: i < visible.length - 1,
              underline: x.run.style === 'ins',
              strike: x.run.style === 'del',
              lineGap: 2,
            });
        });
        pdf.moveDown(opts.gapAfter ?? 0.4);
      };
      const rule = () => {
        const y = pdf.y;
        pdf
          .moveTo(pdf.page.margins.left, y)
          .lineTo(pdf.page.width - pdf.page.margins.right, y)
          .lineWidth(0.5)
          .strokeColor(COLOURS.rule)
          .stroke();
        pdf.moveDown(0.4);
      };
      const paragraph = (x: Paragraph, size = 10.5) =>
        write(x.runs, {
          size,
          colour: x.tone === 'warning' ? COLOURS.warning : x.tone === 'muted' ? COLOURS.muted : COLOURS.text,
          strong: x.tone === 'warning',
        });

      write([{ text: doc.title }], { size: 17, colour: COLOURS.text, strong: true, gapAfter: 0.5 });
      doc.subtitle.forEach((s) => write([{ text: s }], { size: 10, colour: COLOURS.muted, gapAfter: 0.2 }));
      pdf.moveDown(0.4);
      doc.notices.forEach((n) => write([{ text: n }], { size: 9.5, colour: COLOURS.notice, gapAfter: 0.5 }));

      const block = (b: Block) => {
        if (b.kind === 'heading') {
          pdf.moveDown(b.level === 2 ? 0.6 : 0.3);
          write([{ text: b.text }], {
            size: b.level === 2 ? 13.5 : 11.5,
            colour: COLOURS.text,
            strong: true,
            gapAfter: 0.3,
          });
        } else if (b.kind === 'paragraph') {
          paragraph(b.paragraph);
        } else {
          for (const row of b.rows) {
            rule();
            row.forEach((cell, i) => {
              write([{ text: b.columns[i] ?? '' }], { size: 8.5, colour: COLOURS.muted, strong: true, gapAfter: 0.1 });
              if (cell.length === 0) write([{ text: '—' }], { size: 10.5, colour: COLOURS.muted });
              cell.forEach((x) => paragraph(x));
            });
          }
          rule();
        }
      };
      doc.blocks.forEach((b, i) => {
        block(b);
        onProgress?.(i + 1, doc.blocks.length);
      });
      pdf.end();
    } catch (err) {
      reject(err instanceof Error ? err : new Error(String(err)));
    }
  });
}

/** Cuts a text into runs of CJK and non-CJK characters; whitespace stays with the run it is in. */
export function splitByScript(text: string): { text: string; cjk: boolean }[] {
  const out: { text: string; cjk: boolean }[] = [];
  for (const ch of text) {
    const cjk = CJK_CHAR.test(ch);
    const last = out[out.length - 1];
    if (last && (last.cjk === cjk || /\s/.test(ch))) last.text += ch;
    else out.push({ text: ch, cjk });
  }
  return out;
}
