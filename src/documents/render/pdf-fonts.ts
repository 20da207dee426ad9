/**
 * Fonts for the PDF exports, taken from the machine (Debian packages), never downloaded.
 *
 * A PDF shows only glyphs its embedded fonts have, so Chinese needs a CJK font; without one the
 * export would print empty boxes. When a text needs a font the machine lacks, the export is
 * refused with 503 naming the Debian package to install; the HTML export needs no font files.
 *
 * Latin and Cyrillic use a text font (DejaVu Sans, Liberation or Noto Sans), Chinese the CJK
 * font (WenQuanYi Micro Hei, WenQuanYi Zen Hei or Noto Sans CJK). Known paths are tried first,
 * then fontconfig (`fc-list`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { DomainException, ErrorCode } from '../../common/domain.exception';

export interface FontFace {
  path: string;
  /** The face to use inside a font collection (.ttc). */
  postscriptName?: string;
}

export interface PdfFontSet {
  text: FontFace | null;
  bold: FontFace | null;
  cjk: FontFace | null;
}

export interface FontCandidates {
  text: FontFace[];
  bold: FontFace[];
  cjk: FontFace[];
}

export const CJK_FONT_PACKAGE = 'fonts-wqy-microhei';
export const TEXT_FONT_PACKAGE = 'fonts-dejavu-core';

export const DEFAULT_FONT_CANDIDATES: FontCandidates = {
  text: [
    { path: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf' },
    { path: '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf' },
    { path: '/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf' },
  ],
  bold: [
    { path: '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf' },
    { path: '/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf' },
    { path: '/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf' },
  ],
  cjk: [
    { path: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', postscriptName: 'WenQuanYiMicroHei' },
    { path: '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc', postscriptName: 'WenQuanYiZenHei' },
    { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', postscriptName: 'NotoSansCJKsc-Regular' },
  ],
};

/** Characters only a CJK font has: Han, kana, hangul, CJK punctuation, full-width forms. */
export const CJK_CHAR =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303F\u3100-\u312F\uFF00-\uFFEF]/u;
const NON_LATIN1 = /[\u0100-\u{10FFFF}]/u;

export class PdfFontLocator {
  private found: PdfFontSet | null = null;

  constructor(
    private readonly candidates: FontCandidates = DEFAULT_FONT_CANDIDATES,
    private readonly useFontconfig = true,
  ) {}

  /** The fonts for a document whose text is `sample`; 503 naming the package when one it needs is missing. */
  fontsFor(sample: string): PdfFontSet {
    const fonts = this.locate();
    if (CJK_CHAR.test(sample) && !fonts.cjk)
      throw new DomainException(
        ErrorCode.UNAVAILABLE,
        `The PDF export needs a Chinese (CJK) font and this server has none: install the Debian package ${CJK_FONT_PACKAGE} (or fonts-noto-cjk). The HTML export works without it.`,
        { missingFont: 'CJK', package: CJK_FONT_PACKAGE },
      );
    if (!fonts.text && !fonts.cjk && NON_LATIN1.test(sample))
      throw new DomainException(
        ErrorCode.UNAVAILABLE,
        `The PDF export needs a font with Cyrillic letters and this server has none: install the Debian package ${TEXT_FONT_PACKAGE}. The HTML export works without it.`,
        { missingFont: 'text', package: TEXT_FONT_PACKAGE },
      );
    return fonts;
  }

  private locate(): PdfFontSet {
    if (this.found) return this.found;
    const pick = (list: FontFace[]) => list.find((f) => existsSync(f.path)) ?? null;
    const set: PdfFontSet = {
      text: pick(this.candidates.text) ?? this.fromFontconfig(':lang=ru:style=Book') ?? this.fromFontconfig(':lang=ru'),
      bold: pick(this.candidates.bold),
      cjk: pick(this.candidates.cjk) ?? this.fromFontconfig(':lang=zh'),
    };
    // Only a complete answer is kept: a font installed while the service runs is picked up next time.
    if (set.text && set.cjk) this.found = set;
    return set;
  }

  private fromFontconfig(pattern: string): FontFace | null {
    if (!this.useFontconfig) return null;
    try {
      const out = execFileSync('fc-list', [pattern, '-f', '%{file}\t%{postscriptname}\n'], {
        encoding: 'utf8',
        timeout: 5000,
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const faces = out
        .split('\n')
        .map((l) => l.split('\t'))
        .filter(([file]) => file && /\.(ttf|ttc|otf)$/i.test(file) && existsSync(file))
        .map(([file, ps]) =>
          file.toLowerCase().endsWith('.ttc') ? { path: file, postscriptName: ps?.split(',')[0] } : { path: file },
        );
      // TrueType outlines embed most reliably; prefer them to CFF-based OpenType files.
      return faces.find((f) => !f.path.toLowerCase().endsWith('.otf')) ?? faces[0] ?? null;
    } catch {
      return null;
    }
  }
}
