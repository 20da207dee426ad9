import { DEFAULT_DIFF_BUDGET, diffArticles, DiffBudgetExceeded, redline } from '../../src/documents/draft-diff';
import type { DraftArticle } from '../../src/documents/draft.types';

const art = (id: string, number: string, ru = `текст ${id}`): DraftArticle => ({
  articleId: id,
  position: 0,
  number,
  text: { ru, zh: `文本${id}`, en: `text ${id}` },
  updatedAtVersion: { ru: 1, zh: 1, en: 1 },
  outOfDate: [],
  confirmed: [],
});
const positioned = (list: DraftArticle[]) => list.map((a, i) => ({ ...a, position: i + 1 }));

describe('article-by-article diff', () => {
  it('tells moves from shifts: only articles out of the common order have moved', () => {
    const from = positioned([art('a', '1'), art('b', '2'), art('c', '3'), art('d', '4')]);
    const to = positioned([art('x', '1'), art('a', '2'), art('d', '3'), art('b', '4'), art('c', '5')]);
    const { articles, summary } = diffArticles(from, to, []);
    expect(articles.map((r) => [r.articleId, r.kinds])).toEqual([
      ['x', ['added']],
      ['a', ['renumbered']],
      ['d', ['moved', 'renumbered']],
      ['b', ['renumbered']],
      ['c', ['renumbered']],
    ]);
    expect(summary).toMatchObject({ added: 1, moved: 1, renumbered: 4, removed: 0 });
  });

  it('lists a removed article after its predecessor in the old version', () => {
    const from = positioned([art('a', '1'), art('b', '2'), art('c', '3')]);
    const to = positioned([art('a', '1'), art('c', '2')]);
    expect(diffArticles(from, to, []).articles.map((r) => [r.articleId, r.kinds])).toEqual([
      ['a', ['unchanged']],
      ['b', ['removed']],
      ['c', ['renumbered']],
    ]);
  });

  it('redlines Russian by word, Chinese by word (no spaces), English with diffWordsWithSpace', () => {
    expect(
      redline(
        'ru',
        'Государства-члены уведомляют Секретариат.',
        'Государства-члены незамедлительно уведомляют Секретариат.',
      ),
    ).toEqual([
      { op: 'equal', text: 'Государства-члены ' },
      { op: 'insert', text: 'незамедлительно ' },
      { op: 'equal', text: 'уведомляют Секретариат.' },
    ]);
    const zh = redline('zh', '成员国应当通知秘书处。', '成员国可以通知秘书处。');
    expect(zh.filter((s) => s.op !== 'equal')).toEqual([
      { op: 'delete', text: '应当' },
      { op: 'insert', text: '可以' },
    ]);
    const en = redline('en', 'The status is granted.', 'The status may be granted.');
    const join = (ops: string[]) =>
      en
        .filter((s) => ops.includes(s.op))
        .map((s) => s.text)
        .join('');
    expect(join(['equal', 'delete'])).toBe('The status is granted.');
    expect(join(['equal', 'insert'])).toBe('The status may be granted.');
    expect(join(['delete'])).toBe('is');
    expect(en.filter((s) => s.op === 'insert').map((s) => s.text.trim())).toEqual(['may', 'be']);
    expect(redline('ru', 'Абзац один.\nАбзац два.', 'Абзац один.\n\nАбзац два.')).toEqual([
      { op: 'equal', text: 'Абзац один.\n' },
      { op: 'insert', text: '\n' },
      { op: 'equal', text: 'Абзац два.' },
    ]);
  });

  describe('budget', () => {
    const words = (n: number, seed: string) => Array.from({ length: n }, (_, i) => `${seed}${i * 7919}`).join(' ');
    const over = (fn: () => unknown): DiffBudgetExceeded => {
      try {
        fn();
      } catch (err) {
        if (err instanceof DiffBudgetExceeded) return err;
        throw err;
      }
      throw new Error('expected the comparison to exceed its budget');
    };

    it('refuses more text than a comparison may cover before doing any work (size)', () => {
      const from = positioned([art('a', '1', 'a'.repeat(600))]);
      const to = positioned([art('a', '1', 'b'.repeat(600))]);
      const err = over(() => diffArticles(from, to, ['ru'], { ...DEFAULT_DIFF_BUDGET, maxChars: 1000 }));
      expect(err.reason).toBe('size');
      expect(err.message).toBe(
        'These versions hold 1200 characters in the languages compared, more than the 1000 a comparison may cover: compare one language at a time (lang).',
      );
      // one language fits where three did not
      expect(() => diffArticles(from, to, ['zh'], { ...DEFAULT_DIFF_BUDGET, maxChars: 1000 })).not.toThrow();
    });

    it('gives up on texts that differ beyond the edit length (effort)', () => {
      const from = positioned([art('a', '1', words(400, 'x'))]);
      const to = positioned([art('a', '1', words(400, 'y'))]);
      const err = over(() => diffArticles(from, to, ['ru'], { ...DEFAULT_DIFF_BUDGET, maxEditLength: 50 }));
      expect(err.reason).toBe('effort');
      expect(err.message).toMatch(/^These versions differ too much to compare word by word within the time allowed/);
      // the default edit length covers it (the time allowed is wall-clock: generous here, as a
      // loaded machine spends seconds on what takes milliseconds on a quiet one)
      const roomy = { ...DEFAULT_DIFF_BUDGET, timeoutMs: 120_000 };
      expect(diffArticles(from, to, ['ru'], roomy).articles[0].kinds).toEqual(['changed']);
    });

    it('gives up when the time allowed is spent', () => {
      const many = (seed: string) =>
        positioned(Array.from({ length: 40 }, (_, i) => art(`a${i}`, String(i + 1), words(3000, `${seed}${i}-`))));
      const err = over(() =>
        diffArticles(many('p'), many('q'), ['en', 'ru'], { timeoutMs: 1, maxEditLength: 1e9, maxChars: 1e9 }),
      );
      expect(err.reason).toBe('effort');
    });
  });
});
