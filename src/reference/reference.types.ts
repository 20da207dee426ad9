import type { ReferenceKind } from './reference-record.entity';

/**
 * Shapes of the reference records as stored in `reference_record.data`: the
 * records of src/reference/data/*.json, field for field. Every field may be
 * null ("not confirmed"); administrators may add fields in later versions,
 * hence the index signatures.
 */

export interface SourceRef {
  url: string;
  supports?: string[];
  note?: string | null;
  [field: string]: unknown;
}

/** Date truncated to its precision: "2023-05-04", "2023-05" or "2023". */
export type DatePrecision = 'day' | 'month' | 'year';

export interface MemberStateData {
  code: string;
  name_en: string | null;
  name_en_full: string | null;
  name_ru: string | null;
  name_ru_full: string | null;
  name_zh: string | null;
  accession_year: number | null;
  accession_date: string | null;
  founding_member: boolean | null;
  notes: string | null;
  sources: SourceRef[];
  [field: string]: unknown;
}

export interface MemorandumData {
  signature_date: string | null;
  signature_date_precision: DatePrecision | null;
  place: string | null;
  /** `on_signature` | `after_internal_procedures` | null (not confirmed). */
  entry_into_force_mode: string | null;
  signatories: string[] | null;
  note: string | null;
  [field: string]: unknown;
}

export interface PartnerData {
  code: string;
  /** `state` or `organisation`. */
  kind: string | null;
  name_en: string | null;
  name_en_full: string | null;
  name_ru: string | null;
  name_ru_full: string | null;
  name_zh: string | null;
  /**
   * `dialogue_partner` | `observer` in the 2024 files; `sco_partner` after the
   * 2025 merger. Deliberately open: a new status is a new data version, not code.
   */
  status: string;
  status_decided: string | null;
  status_decided_precision: DatePrecision | null;
  status_decided_by: string | null;
  /** null for observers (by design) and where no memorandum exists. */
  memorandum: MemorandumData | null;
  notes: string | null;
  sources: SourceRef[];
  [field: string]: unknown;
}

/** One Party to a treaty and the date it became party (YYYY-MM-DD), with the source that says so. */
export interface TreatyParty {
  code: string;
  since: string;
  source: string;
}

/**
 * The Parties to a treaty as far as the data know them: `complete` only when the list is the
 * whole of them (a list of the Parties found so far is not an electorate).
 */
export interface TreatyParties {
  complete: boolean;
  list: TreatyParty[];
}

export interface TreatyData {
  id: string;
  title_en: string | null;
  title_ru: string | null;
  title_zh: string | null;
  signature_date: string | null;
  signature_place: string | null;
  open_for_accession: boolean | null;
  accession_article: string | null;
  accession_conditions: string | null;
  depositary: string | null;
  entry_into_force: string | null;
  /**
   * Who consents to a non-member's accession: the treaty's Parties (the rule, also when null: not
   * confirmed), or the SCO member states where the final clause names them (e.g. art. 23 of the
   * 2014 road-transport agreement). Absent in versions recorded before it was kept.
   */
  consent_given_by?: 'parties' | 'member_states' | null;
  /** The Parties with their dates; null (or absent) when the data do not know them. */
  parties?: TreatyParties | null;
  notes: string | null;
  sources: SourceRef[];
  [field: string]: unknown;
}

export interface BodyData {
  id: string;
  name_en: string | null;
  name_ru: string | null;
  name_zh: string | null;
  seat: string | null;
  role: string | null;
  /**
   * The kinds of document the body adopts (`regulation`, `model_memorandum`); an empty list: none
   * of them; null or absent: not confirmed. Added to the baseline by migration 1700000053000.
   */
  adopts?: string[] | null;
  sources: SourceRef[];
  [field: string]: unknown;
}

export interface ReferenceDataByKind {
  member_state: MemberStateData;
  partner: PartnerData;
  treaty: TreatyData;
  body: BodyData;
}

/** Name (or title, for treaties) in the working language and the two official languages. */
export interface LocalisedName {
  en: string | null;
  ru: string | null;
  zh: string | null;
}

/** One record as valid at a given moment. */
export interface ReferenceItem<T = Record<string, unknown>> {
  kind: ReferenceKind;
  code: string;
  name: LocalisedName;
  version: number;
  validFrom: Date;
  /** When this version stopped being valid (a later version exists), else null. */
  validTo: Date | null;
  /** The whole record, nulls kept ("not confirmed"). */
  data: T;
}

export interface PartnerItem extends ReferenceItem<PartnerData> {
  status: string;
  /** `mem-<code>` when the partner holds a signed memorandum (signature date recorded), else null. */
  memorandumId: string | null;
}

export interface MemorandumRef {
  partner: string;
  memorandumId: string;
}

/** One stored version, with who recorded it, when and why. */
export interface ReferenceVersion<T = Record<string, unknown>> extends ReferenceItem<T> {
  recordedBy: string;
  recordedAt: Date;
  note: string | null;
  /** When the record ended with this version (no successor): who ended it and why. */
  endedBy: string | null;
  endNote: string | null;
}

export interface RecordEndOptions {
  by: string;
  /** Why the record ends, on which source. */
  note: string;
  /** End of validity (exclusive): the record is not valid from this moment on. */
  validTo: Date;
}

/** A committed change of the reference data, as told to those who follow it. */
export interface ReferenceChange {
  kind: ReferenceKind;
  code: string;
  /** The moment from which the change holds (a new version's start, or a record's end). */
  effectiveFrom: Date;
  note: string;
}

export interface RecordChangeOptions {
  /** Who records the change (user id or name); stored as `recorded_by`. */
  by: string;
  /** Why, and on which source; stored with the version. */
  note: string;
  /** Start of validity of the new version; the current version ends there. */
  validFrom: Date;
  /** Add a record whose code does not exist yet (otherwise an unknown code is NOT_FOUND). */
  create?: boolean;
}
