import type { DataSource } from 'typeorm';

/**
 * Runs statements as the insider the evidence rules guard against: the database superuser, with
 * triggers switched off for this transaction only (`session_replication_role = replica`), so an
 * UPDATE or DELETE of evidence rows goes through. Tampering tests use it; nothing else may.
 */
export async function asInsider(ds: DataSource, statements: [string, unknown[]?][]): Promise<void> {
  await ds.transaction(async (m) => {
    await m.query(`SET LOCAL session_replication_role = replica`);
    for (const [sql, params] of statements) await m.query(sql, params ?? []);
  });
}
