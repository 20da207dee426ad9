import type { MigrationInterface, QueryRunner } from 'typeorm';
import competencesFile from '../src/reference/data/body-competences.json';

const NOTE = 'What the body adopts (adopts), from src/reference/data/body-competences.json';

/**
 * What each body adopts, as a new version of its reference record (never an edit of the 4 July
 * 2024 baseline): the current version of each body named in body-competences.json is closed and
 * the next one carries `adopts` (and `adopts_note` where given), with the file's sources added to
 * the record's own. The new version is valid from the file's `as_of` date, or from the current
 * version's start when that is later. Bodies the file does not name keep no `adopts`: not confirmed.
 */
export class BodyCompetences1700000053000 implements MigrationInterface {
  name = 'BodyCompetences1700000053000';

  public async up(q: QueryRunner): Promise<void> {
    const asOf = `${competencesFile.as_of}T00:00:00Z`;
    for (const body of competencesFile.bodies) {
      const rows = await rowsOf<{ id: string; version: number; valid_from: Date; data: Record<string, unknown> }>(
        q,

        `select id, version, valid_from, data from reference_record where kind = 'body' and code = $1 and valid_to is null for update`,
        [body.id],
      );
      const current = rows[0];
      if (!current) continue; // the body was ended by an administrator: nothing to extend
      const from = new Date(Math.max(new Date(current.valid_from).getTime(), Date.parse(asOf)));
      const sources = Array.isArray(current.data.sources) ? (current.data.sources as unknown[]) : [];
      const data: Record<string, unknown> = {
        ...current.data,
        adopts: body.adopts,
        ...('adopts_note' in body ? { adopts_note: body.adopts_note } : {}),
        sources: [...sources, ...body.sources],
      };
      await q.query(`update reference_record set valid_to = $2 where id = $1`, [current.id, from]);
      await q.query(
        `insert into reference_record (kind, code, version, valid_from, valid_to, data, recorded_by, note)
         values ('body', $1, $2, $3, null, $4::jsonb, 'seed', $5)`,
        [body.id, current.version + 1, from, JSON.stringify(data), NOTE],
      );
    }
  }

  public async down(q: QueryRunner): Promise<void> {
    for (const body of competencesFile.bodies) {
      const rows = await rowsOf<{ id: string; version: number }>(
        q,

        `select id, version from reference_record where kind = 'body' and code = $1 and valid_to is null and note = $2`,
        [body.id, NOTE],
      );
      const added = rows[0];
      if (!added) continue;
      await q.query(`delete from reference_record where id = $1`, [added.id]);
      await q.query(`update reference_record set valid_to = null where kind = 'body' and code = $1 and version = $2`, [
        body.id,
        added.version - 1,
      ]);
    }
  }
}

/** The rows of a query, typed by the caller (the query runner answers `any`). */
function rowsOf<T>(q: QueryRunner, sql: string, params: unknown[]): Promise<T[]> {
  return q.query(sql, params) as Promise<T[]>;
}
