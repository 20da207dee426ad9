import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from '../../src/common/json-depth';

describe('jsonNestsDeeperThan', () => {
  const nest = (n: number) => Buffer.from(`${'{"a":['.repeat(n)}1${']}'.repeat(n)}`);

  it('counts objects and arrays, up to the limit inclusive', () => {
    expect(jsonNestsDeeperThan(nest(MAX_JSON_DEPTH / 2))).toBe(false); // 2 levels per repetition
    expect(jsonNestsDeeperThan(nest(MAX_JSON_DEPTH / 2 + 1))).toBe(true);
    expect(jsonNestsDeeperThan(Buffer.from('[[[]]]'), 3)).toBe(false);
    expect(jsonNestsDeeperThan(Buffer.from('[[[[]]]]'), 3)).toBe(true);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonNestsDeeperThan(Buffer.from(JSON.stringify({ s: '['.repeat(1000) })))).toBe(false);
    expect(jsonNestsDeeperThan(Buffer.from(JSON.stringify({ s: `\\"${'{'.repeat(1000)}` })))).toBe(false);
    expect(jsonNestsDeeperThan(Buffer.from(JSON.stringify({ s: 'é—中文🙂', t: [[['x']]] })), 3)).toBe(true);
  });

  it('sequences of shallow values are not deep', () => {
    expect(jsonNestsDeeperThan(Buffer.from(JSON.stringify(Array.from({ length: 10_000 }, () => [1]))))).toBe(false);
  });
});
