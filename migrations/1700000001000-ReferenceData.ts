import type { MigrationInterface, QueryRunner } from 'typeorm';
import bodiesFile from '../src/reference/data/bodies.json';
import memberStatesFile from '../src/reference/data/member-states.json';
import partnersFile from '../src/reference/data/partners.json';
import treatiesFile from '../src/reference/data/treaties.json';

/**
 * Versioned reference data (member states, partners and observers, treaties,
 * bodies) and its baseline of 4 July 2024, seeded from src/reference/data/*.json.
 *
 * A record is never overwritten: a change closes the current version
 * (`valid_to`) and adds the next one (see ReferenceService.recordChange).
 * At most one version per (kind, code) is open (`valid_to is null`).
 *
 * The seed is version 1 of every record, valid from the files' `as_of`
 * date, except records whose own date is later: Laos was granted its status
 * on 1 September 2025, so its version 1 starts then and Laos is not a partner
 * at the baseline. Nulls are kept as nulls ("not confirmed").
 */
export class ReferenceData1700000001000 implements MigrationInterface {
  name = 'ReferenceData1700000001000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      create table reference_record (
        id uuid primary key default gen_random_uuid(),
        kind text not null,
        code text not null,
        version integer not null,
        valid_from timestamptz not null,
        valid_to timestamptz null,
        data jsonb not null,
        recorded_by text not null,
        recorded_at timestamptz not null default now(),
        note text null,
        constraint reference_record_kind_check check (kind in ('member_state', 'partner', 'treaty', 'body')),
        constraint reference_record_code_check check (length(code) between 1 and 64),
        constraint reference_record_version_check check (version >= 1),
        constraint reference_record_period_check check (valid_to is null or valid_to >= valid_from),
        constraint reference_record_data_check check (jsonb_typeof(data) = 'object'),
        constraint reference_record_kind_code_version_uq unique (kind, code, version)
      )
    `);
    await queryRunner.query(`
      create unique index reference_record_current_uq
        on reference_record (kind, code) where valid_to is null
    `);
    await queryRunner.query(`
      comment on table reference_record is
        'Versioned SCO reference data. Rows are never updated except to close a version (valid_to); a change is a new version.'
    `);

    for (const row of baselineRows()) {
      await queryRunner.query(
        `insert into reference_record (kind, code, version, valid_from, valid_to, data, recorded_by, note)
         values ($1, $2, 1, $3::timestamptz, null, $4::jsonb, 'seed', $5)`,
        [row.kind, row.code, row.validFrom, JSON.stringify(row.data), row.note],
      );
    }
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`drop index if exists reference_record_current_uq`);
    await queryRunner.query(`drop table if exists reference_record`);
  }
}

const BASELINE_NOTE = 'Baseline of 4 July 2024 from reference files';

interface BaselineRow {
  kind: 'member_state' | 'partner' | 'treaty' | 'body';
  code: string;
  validFrom: string;
  data: Record<string, unknown>;
  note: string;
}

/** First day of a date truncated to its precision: "2004" → 2004-01-01, "2023-05" → 2023-05-01. */
function startOf(value: string): string {
  if (/^\d{4}$/.test(value)) return `${value}-01-01`;
  if (/^\d{4}-\d{2}$/.test(value)) return `${value}-01`;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  throw new Error(`Unreadable date in the reference files: ${value}`);
}

/** Midnight UTC of a date (YYYY-MM-DD); the at-date queries use the same convention. */
function utc(date: string): string {
  return `${date}T00:00:00Z`;
}

function baselineRows(): BaselineRow[] {
  const rows: BaselineRow[] = [];

  const memberStatesAsOf = startOf(memberStatesFile.as_of);
  for (const state of memberStatesFile.member_states) {
    const joined = state.accession_date ? startOf(state.accession_date) : memberStatesAsOf;
    const from = joined > memberStatesAsOf ? joined : memberStatesAsOf;
    rows.push({
      kind: 'member_state',
      code: state.code,
      validFrom: utc(from),
      data: state,
      note: from === memberStatesAsOf ? BASELINE_NOTE : `${BASELINE_NOTE}; valid from the accession date ${from}`,
    });
  }

  const partnersAsOf = startOf(partnersFile.as_of);
  for (const partner of partnersFile.partners) {
    const decided = partner.status_decided ? startOf(partner.status_decided) : partnersAsOf;
    const from = decided > partnersAsOf ? decided : partnersAsOf;
    rows.push({
      kind: 'partner',
      code: partner.code,
      validFrom: utc(from),
      data: partner,
      note:
        from === partnersAsOf
          ? BASELINE_NOTE
          : `${BASELINE_NOTE}; status granted after the baseline, valid from the status date ${from}`,
    });
  }

  for (const treaty of treatiesFile.treaties) {
    rows.push({
      kind: 'treaty',
      code: treaty.id,
      validFrom: utc(startOf(treatiesFile.as_of)),
      data: treaty,
      note: BASELINE_NOTE,
    });
  }

  for (const body of bodiesFile.bodies) {
    rows.push({
      kind: 'body',
      code: body.id,
      validFrom: utc(startOf(bodiesFile.as_of)),
      data: body,
      note: BASELINE_NOTE,
    });
  }

  return rows;
}
