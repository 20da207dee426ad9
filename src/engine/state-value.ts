/**
 * A machine's state value from its active leaf paths ("a.b", "c"): what a migration maps a
 * procedure to, and what a replay of a `$migrated` event restores. Pure: the engine and the
 * evidence verifier share it.
 */
export function pathsToValue(paths: string[]): unknown {
  if (paths.length === 1 && !paths[0].includes('.')) return paths[0];
  const value: Record<string, unknown> = {};
  for (const p of paths) {
    const parts = p.split('.');
    let node = value;
    for (let i = 0; i < parts.length - 1; i++) node = (node[parts[i]] ??= {}) as Record<string, unknown>;
    node[parts[parts.length - 1]] = {};
  }
  const collapse = (v: Record<string, unknown>): unknown => {
    const entries = Object.entries(v);
    if (entries.length === 1 && Object.keys(entries[0][1] as object).length === 0) return entries[0][0];
    return Object.fromEntries(
      entries.map(([k, c]) => [k, Object.keys(c as object).length ? collapse(c as Record<string, unknown>) : {}]),
    );
  };
  return collapse(value);
}
