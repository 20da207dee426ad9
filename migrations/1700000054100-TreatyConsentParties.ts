import type { MigrationInterface, QueryRunner } from 'typeorm';

const RECORDED_BY = 'migration 1700000054100';
const MFA_RU = 'https://www.mid.ru/en/web/guest/foreign_policy/news/-/asset_publisher/cKNonkJE02Bw/content/id/3891639';
const GARANT_ART_23 = 'https://base.garant.ru/71167678/74d7c78a3a1e33cef2750a2b7b35d2ed';

interface Change {
  code: string;
  note: string;
  /** Fields added to the record. */
  fields: Record<string, unknown>;
  /** The source (by URL) that supports the new fields, and which fields. */
  source: { url: string; supports: string[] };
}

/**
 * The 1(b) consent round asks the Parties to a treaty (or whoever its final clause names), so the
 * treaty records now say who consents (`consent_given_by`) and who the Parties are (`parties`:
 * the list with the date each became party, `complete` only when it is the whole list), from the
 * sources already cited. A new version of each record that gains a fact, through the versioned
 * mechanism (the current version is closed, the next one added), valid from the start of the one
 * it replaces: the final clauses did not change, the data learned them. Where the sources say
 * nothing, nothing is recorded ("not known"), and the consent stage says what to record first.
 *
 * - Road-transport agreement (2014), art. 23: a non-member accedes on the written consent of the
 *   SCO member states, so the clause names them (`consent_given_by: member_states`).
 * - Convention on Countering Extremism (2017): Russia is a Party since 12 October 2019 (its entry
 *   into force for Russia, Russian MFA); the other Parties are not confirmed, so the list is
 *   marked incomplete.
 */
const CHANGES: Change[] = [
  {
    code: 'sco-agreement-road-transport-2014',
    note: 'Consent to accession: art. 23 names the SCO member states (written consent of each), per the cited text of art. 23',
    fields: { consent_given_by: 'member_states', parties: null },
    source: { url: GARANT_ART_23, supports: ['consent_given_by'] },
  },
  {
    code: 'sco-convention-extremism-2017',
    note: 'Parties: Russia since 2019-10-12 (entry into force for Russia, Russian MFA); the list is not complete',
    fields: {
      consent_given_by: null,
      parties: { complete: false, list: [{ code: 'RU', since: '2019-10-12', source: MFA_RU }] },
    },
    source: { url: MFA_RU, supports: ['parties'] },
  },
];

interface CurrentRow {
  id: string;
  version: number;
  valid_from: Date;
  data: Record<string, unknown> & { sources?: { url: string; supports?: string[] }[] };
}

export class TreatyConsentParties1700000054100 implements MigrationInterface {
  name = 'TreatyConsentParties1700000054100';

  async up(q: QueryRunner): Promise<void> {
    for (const change of CHANGES) {
      const rows = (await q.query(
        `SELECT id, version, valid_from, data FROM reference_record WHERE kind = 'treaty' AND code = $1 AND valid_to IS NULL`,
        [change.code],
      )) as CurrentRow[];
      const current = rows[0];
      // An administrator may have removed or replaced the record: then there is nothing to add to.
      if (!current) continue;
      const sources = (current.data.sources ?? []).map((s) =>
        s.url === change.source.url
          ? { ...s, supports: [...new Set([...(s.supports ?? []), ...change.source.supports])] }
          : s,
      );
      if (!sources.some((s) => s.url === change.source.url)) sources.push({ ...change.source });
      const data = { ...current.data, ...change.fields, sources };
      await q.query(`UPDATE reference_record SET valid_to = valid_from WHERE id = $1`, [current.id]);
      await q.query(
        `INSERT INTO reference_record (kind, code, version, valid_from, valid_to, data, recorded_by, note)
         VALUES ('treaty', $1, $2, $3, NULL, $4::jsonb, $5, $6)`,
        [change.code, current.version + 1, current.valid_from, JSON.stringify(data), RECORDED_BY, change.note],
      );
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const change of CHANGES) {
      const added = (await q.query(
        `SELECT version FROM reference_record WHERE kind = 'treaty' AND code = $1 AND recorded_by = $2`,
        [change.code, RECORDED_BY],
      )) as { version: number }[];
      for (const { version } of added) {
        await q.query(`DELETE FROM reference_record WHERE kind = 'treaty' AND code = $1 AND version = $2`, [
          change.code,
          version,
        ]);
        await q.query(
          `UPDATE reference_record SET valid_to = NULL WHERE kind = 'treaty' AND code = $1 AND version = $2`,
          [change.code, version - 1],
        );
      }
    }
  }
}
