import type { QueryRunner } from 'typeorm';

/**
 * The rule for evidence tables (docs/evidence.md, "Append-only record"): a table whose rows are
 * evidence (events, answers, comments, signatures, key records, checkpoints, audit entries) is
 * append-only twice over:
 *
 * - a trigger refuses UPDATE, DELETE and TRUNCATE whoever the caller (`evidence_append_only()`);
 * - the application's role (`APP_ROLE`) holds no UPDATE, DELETE or TRUNCATE on it.
 *
 * A migration that creates an evidence table calls `makeEvidenceTable(q, 'table_name')` right
 * after `CREATE TABLE` (the role's default privileges grant it everything first), and
 * `dropEvidenceTable(q, 'table_name')` in `down` before dropping it. The migration
 * 1700000050000-AppendOnlyEvidence creates the function, the role and the default privileges,
 * so only later migrations can use this helper.
 */

/** The role the service connects as in production: it reads and appends, never rewrites evidence. */
export const APP_ROLE = 'amendflow_app';

/** The trigger function every evidence table shares (created by 1700000050000-AppendOnlyEvidence). */
export const EVIDENCE_FUNCTION = 'evidence_append_only';

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

function checked(table: string): string {
  if (!IDENTIFIER.test(table)) throw new Error(`"${table}" is not a plain table name`);
  return table;
}

/** Makes `table` append-only: row and statement triggers, and no UPDATE/DELETE/TRUNCATE for the app role. */
export async function makeEvidenceTable(q: QueryRunner, table: string): Promise<void> {
  const t = checked(table);
  await q.query(
    `CREATE TRIGGER ${t}_evidence_rows BEFORE UPDATE OR DELETE ON ${t} FOR EACH ROW EXECUTE FUNCTION ${EVIDENCE_FUNCTION}()`,
  );
  await q.query(
    `CREATE TRIGGER ${t}_evidence_truncate BEFORE TRUNCATE ON ${t} FOR EACH STATEMENT EXECUTE FUNCTION ${EVIDENCE_FUNCTION}()`,
  );
  await revokeRewrite(q, t);
}

/** Takes back what the role may do on an evidence table whose triggers exist already (draft tables, audit log). */
export async function revokeRewrite(q: QueryRunner, table: string): Promise<void> {
  const t = checked(table);
  await q.query(`GRANT SELECT, INSERT ON ${t} TO ${APP_ROLE}`);
  await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON ${t} FROM ${APP_ROLE}`);
}

/** The reverse of makeEvidenceTable (for `down`). */
export async function dropEvidenceTable(q: QueryRunner, table: string): Promise<void> {
  const t = checked(table);
  await q.query(`DROP TRIGGER IF EXISTS ${t}_evidence_rows ON ${t}`);
  await q.query(`DROP TRIGGER IF EXISTS ${t}_evidence_truncate ON ${t}`);
}
