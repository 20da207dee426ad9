import { DomainException } from '../../src/common/domain.exception';
import { PdfFontLocator } from '../../src/documents/render/pdf-fonts';
import { splitByScript } from '../../src/documents/render/pdf';

describe('PDF fonts', () => {
  it('refuses with 503 naming the package when a Chinese text has no CJK font, instead of printing boxes', () => {
    const none = new PdfFontLocator({ text: [], bold: [], cjk: [] }, false);
    let err: unknown;
    try {
      none.fontsFor('Статья 1. 第1条');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DomainException);
    expect((err as DomainException).status).toBe(503);
    expect((err as DomainException).message).toMatch(/needs a Chinese \(CJK\) font .* fonts-wqy-microhei/);
  });

  it('refuses Cyrillic without any font, and accepts plain Latin with the built-in font', () => {
    const none = new PdfFontLocator({ text: [], bold: [], cjk: [] }, false);
    expect(() => none.fontsFor('Статья 1')).toThrow(/fonts-dejavu-core/);
    expect(none.fontsFor('Article 1')).toEqual({ text: null, bold: null, cjk: null });
  });

  it('cuts text into CJK and other runs, spaces staying in their run', () => {
    expect(splitByScript('Китай: 建议 增加。 Done')).toEqual([
      { text: 'Китай: ', cjk: false },
      { text: '建议 增加。 ', cjk: true },
      { text: 'Done', cjk: false },
    ]);
  });
});
