/**
 * Exports are rendered on a thread of their own: the same HTML as the renderer gives on the
 * main thread, a PDF, a failure reported to the caller, and the main event loop free meanwhile.
 */
import { ExportRenderer } from '../../src/documents/render/export-renderer';
import { renderHtml } from '../../src/documents/render/html';
import { heading, para, type Printable } from '../../src/documents/render/printable';

const NO_FONTS = { text: null, bold: null, cjk: null };

describe('ExportRenderer (worker thread)', () => {
  const renderer = new ExportRenderer();
  afterAll(() => renderer.onModuleDestroy());

  const doc = (paragraphs: number): Printable => ({
    lang: 'en',
    title: 'Regulation <on> partners',
    subtitle: ['Version 3'],
    notices: [],
    blocks: [
      heading('Article 1'),
      ...Array.from({ length: paragraphs }, (_, i) => para(`Paragraph ${i}: the status of SCO partner.`)),
    ],
  });

  it('renders the same HTML as on the main thread, and a PDF', async () => {
    const small = doc(3);
    expect((await renderer.render(small, 'html', NO_FONTS)).toString('utf8')).toBe(renderHtml(small));
    const pdf = await renderer.render(small, 'pdf', NO_FONTS);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  }, 240_000);

  it('keeps the event loop answering while a large PDF renders', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      const pdf = await renderer.render(doc(4000), 'pdf', NO_FONTS);
      expect(pdf.length).toBeGreaterThan(10_000);
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(0);
  }, 240_000);

  it('reports a render that fails to its caller', async () => {
    await expect(
      renderer.render(
        { ...doc(1), blocks: [{ kind: 'table', columns: ['a'], rows: null as never }] },
        'html',
        NO_FONTS,
      ),
    ).rejects.toThrow();
    // and the thread goes on rendering
    expect((await renderer.render(doc(1), 'html', NO_FONTS)).length).toBeGreaterThan(0);
  }, 240_000);
});
