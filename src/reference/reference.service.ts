import { Inject, Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { BodyFacts } from '../../workflows/kernel/types';
import { DomainException, ErrorCode, ErrorReason } from '../common/domain.exception';
import { PgErrorCode, pgErrorCode } from '../common/pg-errors';
import { CLOCK, type Clock } from '../infra/clock';
import { execute } from '../infra/sql';
import { isReferenceKind, ReferenceRecord, type ReferenceKind } from './reference-record.entity';
import type {
  BodyData,
  LocalisedName,
  MemberStateData,
  MemorandumRef,
  PartnerData,
  PartnerItem,
  RecordChangeOptions,
  RecordEndOptions,
  ReferenceChange,
  ReferenceDataByKind,
  ReferenceItem,
  ReferenceVersion,
  TreatyData,
} from './reference.types';

/** Human label of each kind, for messages. */
export const KIND_LABEL: Readonly<Record<ReferenceKind, string>> = Object.freeze({
  member_state: 'member state',
  partner: 'partner',
  treaty: 'treaty',
  body: 'body',
});

/** Field of `data` that repeats the record's code. */
const IDENTITY_FIELD: Readonly<Record<ReferenceKind, 'code' | 'id'>> = Object.freeze({
  member_state: 'code',
  partner: 'code',
  treaty: 'id',
  body: 'id',
});

/** Fields every version of a kind must carry (their value may be null: "not confirmed"). */
const NAME_FIELDS: Readonly<Record<ReferenceKind, readonly [string, string, string]>> = Object.freeze({
  member_state: ['name_en', 'name_ru', 'name_zh'],
  partner: ['name_en', 'name_ru', 'name_zh'],
  treaty: ['title_en', 'title_ru', 'title_zh'],
  body: ['name_en', 'name_ru', 'name_zh'],
});

/** Accepted codes per kind: ISO 3166-1 alpha-2 for states, short upper-case codes for partner organisations, slugs otherwise. */
export const CODE_PATTERN: Readonly<Record<ReferenceKind, RegExp>> = Object.freeze({
  member_state: /^[A-Z]{2}$/,
  partner: /^[A-Z][A-Z0-9]{1,15}$/,
  treaty: /^[a-z0-9]+(?:-[a-z0-9]+)*$/,
  body: /^[a-z0-9]+(?:-[a-z0-9]+)*$/,
});

const CODE_FORMAT_HINT: Readonly<Record<ReferenceKind, string>> = Object.freeze({
  member_state: 'an ISO 3166-1 alpha-2 code such as "KZ"',
  partner:
    'an ISO 3166-1 alpha-2 code such as "LA", or an upper-case code of up to 16 letters/digits for an organisation',
  treaty: 'a lower-case slug such as "sco-convention-extremism-2017"',
  body: 'a lower-case slug such as "cnc"',
});

export function memorandumIdOf(partnerCode: string): string {
  return `mem-${partnerCode}`;
}

/**
 * Versioned SCO reference data: member states, partners and observers (with
 * their memoranda), treaties and bodies.
 *
 * Reads are answered from an in-memory copy of the whole `reference_record`
 * table (a few dozen rows per kind), so every at-date query, including those
 * for versions dated in the future, needs one tiny query and no more: the
 * copy is tagged with `reference_data_version` (bumped by a trigger in the
 * transaction of every change, migration 1700000030100) and reloaded when the
 * stored version differs. A change committed through one process is thereby
 * seen by every other process (API or worker) on its next read, so the
 * electorate of a round or a cascade never depends on which process applied
 * the event.
 */
@Injectable()
export class ReferenceService {
  private snapshot: { version: string; rows: Promise<ReferenceRecord[]> } | null = null;
  private readonly followers: ((change: ReferenceChange) => Promise<void>)[] = [];
  private memorandaMemo: { key: string; value: MemorandumRef[] } | null = null;

  constructor(
    private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  // ---------------------------------------------------------------- reads

  /** Member states valid at `at` (default: now), sorted by code. */
  async memberStates(at?: Date): Promise<ReferenceItem<MemberStateData>[]> {
    return (await this.validAt('member_state', at)).map((r) => toItem<MemberStateData>(r));
  }

  /**
   * Codes of the member states valid at `at` (default: now), sorted: the electorate of a consensus.
   * `db`: the caller's transaction, so a check inside one needs no second pooled connection.
   */
  async memberStateCodes(at?: Date, db?: EntityManager, knownVersion?: string): Promise<string[]> {
    return (await this.validAt('member_state', at, db, knownVersion)).map((r) => r.code);
  }

  /** Partners valid at `at` (default: now), of every status (dialogue partners, observers, ...), sorted by code. */
  async partners(at?: Date): Promise<PartnerItem[]> {
    return (await this.validAt('partner', at)).map(toPartnerItem);
  }

  /**
   * Partners holding a signed memorandum at `at` (default: now), sorted by partner code;
   * `memorandumId` is `mem-<code>` (see holdsMemorandum for what counts as held).
   */
  async memoranda(at?: Date, db?: EntityManager, knownVersion?: string): Promise<MemorandumRef[]> {
    // Read with every workflow event: the list is rebuilt only when the valid records change.
    const records = await this.validAt('partner', at, db, knownVersion);
    const key = records.map((r) => r.id).join(',');
    if (this.memorandaMemo?.key === key) return this.memorandaMemo.value;
    const value = Object.freeze(
      records
        .map(toPartnerItem)
        .filter((p): p is PartnerItem & { memorandumId: string } => p.memorandumId !== null)
        .map((p) => Object.freeze({ partner: p.code, memorandumId: p.memorandumId })),
    ) as MemorandumRef[];
    this.memorandaMemo = { key, value };
    return value;
  }

  /** Treaties valid at `at` (default: now), sorted by id. */
  async treaties(at?: Date): Promise<ReferenceItem<TreatyData>[]> {
    return (await this.validAt('treaty', at)).map((r) => toItem<TreatyData>(r));
  }

  /** Bodies valid at `at` (default: now), sorted by id. */
  async bodies(at?: Date): Promise<ReferenceItem<BodyData>[]> {
    return (await this.validAt('body', at)).map((r) => toItem<BodyData>(r));
  }

  /**
   * The bodies valid at `at` with what each may adopt (`adopts`: the kinds of document the data
   * confirm it adopts; null when the data do not say), for the machines' adoption rules.
   */
  async bodyFacts(at?: Date, db?: EntityManager, knownVersion?: string): Promise<BodyFacts[]> {
    return (await this.validAt('body', at, db, knownVersion)).map((r) => {
      const data = r.data as BodyData;
      const adopts = Array.isArray(data.adopts) ? data.adopts.filter((k): k is string => typeof k === 'string') : null;
      return { id: r.code, name: typeof data.name_en === 'string' ? data.name_en : null, adopts };
    });
  }

  /** One record as valid at `at` (default: now), or null when it is not valid then (or unknown). */
  async find<K extends ReferenceKind>(
    kind: K,
    code: string,
    at?: Date,
    db?: EntityManager,
    knownVersion?: string,
  ): Promise<ReferenceItem<ReferenceDataByKind[K]> | null> {
    assertKind(kind);
    const moment = this.moment(at);
    const row = (await this.rows(db, knownVersion)).find(
      (r) => r.kind === kind && r.code === code && isValidAt(r, moment),
    );
    return row ? toItem<ReferenceDataByKind[K]>(row) : null;
  }

  /** Every version of a record, oldest first. Unknown record: NOT_FOUND. */
  async history(kind: ReferenceKind, code: string): Promise<ReferenceVersion[]> {
    assertKind(kind);
    const versions = (await this.rows()).filter((r) => r.kind === kind && r.code === code);
    if (versions.length === 0) throw notFound(kind, code);
    return versions.map(toVersion);
  }

  // --------------------------------------------------------------- writes

  /**
   * Records a new version of a record: in one transaction, closes the
   * current version at `validFrom` and inserts the next one with `data` (the
   * whole record). Stored data is never updated in place.
   *
   * - `validFrom` must not be earlier than the current version's own start
   *   (versions follow each other; a same-day correction is allowed).
   * - An unknown code is NOT_FOUND unless `create` is set; `create` on an
   *   existing code is CONFLICT.
   * - `data` must be an object repeating the code (`code`, or `id` for
   *   treaties and bodies; filled in when absent), carrying the three name
   *   (title) fields, a non-empty `sources` array and, for partners, a
   *   `status` and a `memorandum` (object or null). Any status value is
   *   accepted (e.g. `sco_partner`): statuses are data.
   */
  async recordChange(
    kind: ReferenceKind,
    code: string,
    data: Record<string, unknown>,
    options: RecordChangeOptions,
  ): Promise<ReferenceVersion> {
    assertKind(kind);
    const record = checkData(kind, code, data);
    const by = options.by?.trim();
    const note = options.note?.trim();
    if (!by) throw invalid('by', 'the author of the change is required');
    if (!note) throw invalid('note', 'a note saying what changed and on which source is required');
    const validFrom = options.validFrom;
    if (!(validFrom instanceof Date) || Number.isNaN(validFrom.getTime()))
      throw invalid('validFrom', 'must be a valid date');

    let saved: ReferenceRecord;
    try {
      saved = await this.dataSource.transaction(async (em) => {
        // One change per record at a time (also for a record being created, which has no row to lock yet);
        // the reads below then see the committed result of any change that went first.
        await execute(em, `select pg_advisory_xact_lock(hashtext('reference_record'), hashtext($1))`, [
          `${kind}:${code}`,
        ]);
        const current = await em
          .createQueryBuilder(ReferenceRecord, 'r')
          .where('r.kind = :kind and r.code = :code and r.validTo is null', { kind, code })
          .getOne();
        const { max } = (await em
          .createQueryBuilder(ReferenceRecord, 'r')
          .select('coalesce(max(r.version), 0)', 'max')
          .where('r.kind = :kind and r.code = :code', { kind, code })
          .getRawOne<{ max: number | string }>()) ?? { max: 0 };
        const lastVersion = Number(max);

        if (lastVersion === 0 && !options.create) {
          throw new DomainException(
            ErrorCode.NOT_FOUND,
            `No ${KIND_LABEL[kind]} with code "${code}" exists; to add a new record, send "create": true`,
            { kind, code },
          );
        }
        if (lastVersion > 0 && options.create) {
          throw new DomainException(
            ErrorCode.CONFLICT,
            `The ${KIND_LABEL[kind]} "${code}" already exists (version ${lastVersion}); record a new version without "create"`,
            {
              kind,
              code,
              version: lastVersion,
            },
          );
        }
        if (lastVersion === 0 && !CODE_PATTERN[kind].test(code)) {
          throw invalid(
            'code',
            `"${code}" is not a valid ${KIND_LABEL[kind]} code: expected ${CODE_FORMAT_HINT[kind]}`,
          );
        }
        if (current) {
          if (validFrom.getTime() < current.validFrom.getTime()) {
            throw new DomainException(
              ErrorCode.UNPROCESSABLE,
              `validFrom ${isoDate(validFrom)} is earlier than the start of the current version ${current.version} (${isoDate(current.validFrom)}); a version cannot start before the one it replaces`,
              { kind, code, currentVersion: current.version, currentValidFrom: current.validFrom.toISOString() },
            );
          }
          await closeVersion(em, current.id, validFrom);
        } else if (lastVersion > 0) {
          // Every version is closed: the record had ended. The new one must not overlap the last.
          const last = await em.findOneByOrFail(ReferenceRecord, { kind, code, version: lastVersion });
          if (last.validTo && validFrom.getTime() < last.validTo.getTime()) {
            throw new DomainException(
              ErrorCode.UNPROCESSABLE,
              `validFrom ${isoDate(validFrom)} is earlier than the end of the last version ${last.version} (${isoDate(last.validTo)})`,
              { kind, code },
            );
          }
        }

        const next = em.create(ReferenceRecord, {
          kind,
          code,
          version: lastVersion + 1,
          validFrom,
          validTo: null,
          data: record,
          recordedBy: by,
          recordedAt: this.clock.now(),
          note,
        });
        return em.save(ReferenceRecord, next);
      });
    } catch (err) {
      if (pgErrorCode(err) === PgErrorCode.UNIQUE_VIOLATION) {
        throw new DomainException(
          ErrorCode.CONFLICT,
          `The ${KIND_LABEL[kind]} "${code}" was changed at the same time by someone else; reload and try again`,
          {
            reason: ErrorReason.CONCURRENT_UPDATE,
            kind,
            code,
          },
        );
      }
      throw err;
    } finally {
      // Also after a failure: the transaction may have committed before the error surfaced.
      this.invalidate();
    }
    await this.tell({ kind, code, effectiveFrom: validFrom, note });
    return toVersion(saved);
  }

  /**
   * Ends a record without a successor (a member state ceases to be a member): closes its current
   * version at `validTo` and keeps who ended it and why on that version. The record stays in the
   * history; at-date reads before `validTo` still find it.
   *
   * - An unknown code is NOT_FOUND; a record that has already ended is CONFLICT.
   * - `validTo` must not be earlier than the start of the current version (UNPROCESSABLE).
   */
  async endRecord(kind: ReferenceKind, code: string, options: RecordEndOptions): Promise<ReferenceVersion> {
    assertKind(kind);
    const by = options.by?.trim();
    const note = options.note?.trim();
    if (!by) throw invalid('by', 'the author of the change is required');
    if (!note) throw invalid('note', 'a note saying why the record ends and on which source is required');
    const validTo = options.validTo;
    if (!(validTo instanceof Date) || Number.isNaN(validTo.getTime())) throw invalid('validTo', 'must be a valid date');
    let ended: ReferenceRecord;
    try {
      ended = await this.dataSource.transaction(async (em) => {
        await execute(em, `select pg_advisory_xact_lock(hashtext('reference_record'), hashtext($1))`, [
          `${kind}:${code}`,
        ]);
        const versions = await em.find(ReferenceRecord, { where: { kind, code }, order: { version: 'ASC' } });
        if (!versions.length)
          throw new DomainException(ErrorCode.NOT_FOUND, `No ${KIND_LABEL[kind]} with code "${code}" exists`, {
            kind,
            code,
          });
        const current = versions.find((v) => v.validTo === null);
        if (!current) {
          const last = versions[versions.length - 1];
          throw new DomainException(
            ErrorCode.CONFLICT,
            `The ${KIND_LABEL[kind]} "${code}" has already ended (${last.validTo ? isoDate(last.validTo) : 'unknown date'}); record a new version to restore it`,
            { kind, code },
          );
        }
        if (validTo.getTime() < current.validFrom.getTime())
          throw new DomainException(
            ErrorCode.UNPROCESSABLE,
            `validTo ${isoDate(validTo)} is earlier than the start of the current version ${current.version} (${isoDate(current.validFrom)}); a record cannot end before its current version starts`,
            { kind, code, currentVersion: current.version, currentValidFrom: current.validFrom.toISOString() },
          );
        const result = await em
          .createQueryBuilder()
          .update(ReferenceRecord)
          .set({ validTo, endedBy: by, endNote: note })
          .where('id = :id and valid_to is null', { id: current.id })
          .execute();
        if (result.affected !== 1)
          throw new DomainException(
            ErrorCode.CONFLICT,
            `The ${KIND_LABEL[kind]} "${code}" was changed at the same time by someone else; reload and try again`,
            { reason: ErrorReason.CONCURRENT_UPDATE, kind, code },
          );
        return em.findOneByOrFail(ReferenceRecord, { id: current.id });
      });
    } finally {
      this.invalidate();
    }
    await this.tell({ kind, code, effectiveFrom: validTo, note });
    return toVersion(ended);
  }

  /**
   * Follows committed changes: `follower` is called after each change has committed (the engine
   * brings open consensus rounds to the new membership this way). A follower that fails is
   * logged by its owner; the change stands.
   */
  follow(follower: (change: ReferenceChange) => Promise<void>): void {
    this.followers.push(follower);
  }

  private async tell(change: ReferenceChange): Promise<void> {
    for (const follower of this.followers) await follower(change);
  }

  /** Drops the in-memory copy; the next read reloads it from the database. */
  invalidate(): void {
    this.snapshot = null;
  }

  // -------------------------------------------------------------- helpers

  private moment(at?: Date): Date {
    const moment = at ?? this.clock.now();
    if (!(moment instanceof Date) || Number.isNaN(moment.getTime())) throw invalid('at', 'must be a valid date');
    return moment;
  }

  private async validAt(
    kind: ReferenceKind,
    at?: Date,
    db?: EntityManager,
    knownVersion?: string,
  ): Promise<ReferenceRecord[]> {
    const moment = this.moment(at);
    return (await this.rows(db, knownVersion)).filter((r) => r.kind === kind && isValidAt(r, moment));
  }

  /** The stored reference data's version (a counter every change raises), read on `db` when given. */
  async version(db?: EntityManager): Promise<string> {
    const runner = db ?? this.dataSource.manager;
    const [row] = await runner.query<{ version: string }[]>(
      `SELECT version::text AS version FROM reference_data_version`,
    );
    return row.version;
  }

  /**
   * Every stored version, sorted by kind, code, version (cached while the stored version is unchanged).
   * `knownVersion`: the caller read `reference_data_version` itself in its transaction (the engine
   * does, in the statement that locks the instance), so it is not read again.
   */
  private async rows(db?: EntityManager, knownVersion?: string): Promise<ReferenceRecord[]> {
    // On the caller's transaction when given: a request holding one connection never waits for a
    // second (with every pooled connection held that way, none would ever come free).
    const runner = db ?? this.dataSource.manager;
    // Read before the rows: a change committed in between makes the copy newer than its tag, and the next read reloads.
    const version = knownVersion ?? (await this.version(runner));
    if (this.snapshot?.version !== version) {
      const loading = runner
        .getRepository(ReferenceRecord)
        .find({ order: { kind: 'ASC', code: 'ASC', version: 'ASC' } })
        .then((rows) => Object.freeze(rows.map(freezeRow)) as ReferenceRecord[]);
      const snapshot = { version, rows: loading };
      this.snapshot = snapshot;
      loading.catch(() => {
        if (this.snapshot === snapshot) this.snapshot = null; // never cache a failure
      });
    }
    return this.snapshot.rows;
  }
}

async function closeVersion(em: EntityManager, id: string, validTo: Date): Promise<void> {
  // The one update ever made to a stored version: closing it.
  const result = await em
    .createQueryBuilder()
    .update(ReferenceRecord)
    .set({ validTo })
    .where('id = :id and valid_to is null', { id })
    .execute();
  if (result.affected !== 1) {
    throw Object.assign(new Error('the current version was closed concurrently'), {
      driverError: { code: PgErrorCode.UNIQUE_VIOLATION },
    });
  }
}

function isValidAt(row: ReferenceRecord, moment: Date): boolean {
  const t = moment.getTime();
  return row.validFrom.getTime() <= t && (row.validTo === null || t < row.validTo.getTime());
}

function freezeRow(row: ReferenceRecord): ReferenceRecord {
  deepFreeze(row.data);
  return Object.freeze(row);
}

function deepFreeze(value: unknown): void {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
}

function nameOf(kind: ReferenceKind, data: Record<string, unknown>): LocalisedName {
  const [en, ru, zh] = NAME_FIELDS[kind];
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  return { en: text(data[en]), ru: text(data[ru]), zh: text(data[zh]) };
}

function toItem<T>(row: ReferenceRecord): ReferenceItem<T> {
  return {
    kind: row.kind,
    code: row.code,
    name: nameOf(row.kind, row.data),
    version: row.version,
    validFrom: row.validFrom,
    validTo: row.validTo,
    data: row.data as T,
  };
}

/**
 * A partner holds a memorandum once its signature is recorded, at any
 * precision ("2010-05" counts). A memorandum entry without a signature date
 * is not (yet) confirmed as signed, e.g. Laos in 2025 ("still to be signed"),
 * and observers have none: neither has a memorandum to analyse or amend.
 */
export function holdsMemorandum(data: Pick<PartnerData, 'memorandum'>): boolean {
  const memorandum = data.memorandum as unknown;
  return (
    memorandum !== null &&
    typeof memorandum === 'object' &&
    typeof (memorandum as { signature_date?: unknown }).signature_date === 'string' &&
    (memorandum as { signature_date: string }).signature_date !== ''
  );
}

function toPartnerItem(row: ReferenceRecord): PartnerItem {
  const item = toItem<PartnerData>(row);
  return {
    ...item,
    status: typeof item.data.status === 'string' ? item.data.status : '',
    memorandumId: holdsMemorandum(item.data) ? memorandumIdOf(row.code) : null,
  };
}

function toVersion(row: ReferenceRecord): ReferenceVersion {
  return {
    ...toItem<Record<string, unknown>>(row),
    recordedBy: row.recordedBy,
    recordedAt: row.recordedAt,
    note: row.note,
    endedBy: row.endedBy ?? null,
    endNote: row.endNote ?? null,
  };
}

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function assertKind(kind: unknown): asserts kind is ReferenceKind {
  if (!isReferenceKind(kind)) {
    throw invalid('kind', `must be one of member_state, partner, treaty, body (got ${JSON.stringify(kind)})`);
  }
}

function invalid(field: string, problem: string): DomainException {
  return new DomainException(ErrorCode.INVALID_PAYLOAD, `Invalid field "${field}": ${problem}`, {
    fields: [{ field, problems: [problem] }],
  });
}

function notFound(kind: ReferenceKind, code: string): DomainException {
  return new DomainException(ErrorCode.NOT_FOUND, `No ${KIND_LABEL[kind]} with code "${code}" exists`, { kind, code });
}

/** A value as a person would type it: a string as it is, anything else as JSON. */
function describeValue(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Checks a new version's data; returns a copy with the identity field filled in. */
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A treaty's consent rule and Parties, when given, have the shape the 1(b) consent round reads. */
function checkTreatyParties(record: Record<string, unknown>): void {
  const by = record.consent_given_by;
  if (by !== undefined && by !== null && by !== 'parties' && by !== 'member_states')
    throw invalid(
      'data.consent_given_by',
      'must be "parties", "member_states" (where the final clause names the SCO member states) or null (not confirmed)',
    );
  const parties = record.parties;
  if (parties === undefined || parties === null) return;
  if (!isPlainObject(parties) || typeof parties.complete !== 'boolean' || !Array.isArray(parties.list))
    throw invalid(
      'data.parties',
      'must be null (not known) or {complete, list}: complete is true only when the list holds every Party',
    );
  const seen = new Set<string>();
  parties.list.forEach((p, i) => {
    if (!isPlainObject(p) || typeof p.code !== 'string' || !/^[A-Z]{2}$/.test(p.code))
      throw invalid(`data.parties.list[${i}].code`, 'must be the ISO 3166-1 alpha-2 code of the Party, e.g. "KZ"');
    if (typeof p.since !== 'string' || !DAY.test(p.since) || Number.isNaN(Date.parse(`${p.since}T00:00:00Z`)))
      throw invalid(`data.parties.list[${i}].since`, 'must be the date the state became party, YYYY-MM-DD');
    if (typeof p.source !== 'string' || p.source.trim() === '')
      throw invalid(
        `data.parties.list[${i}].source`,
        'must name the source (URL or reference) that the state is a Party',
      );
    if (seen.has(p.code)) throw invalid(`data.parties.list[${i}].code`, `${p.code} is listed twice`);
    seen.add(p.code);
  });
}

function checkData(kind: ReferenceKind, code: string, data: unknown): Record<string, unknown> {
  if (!isPlainObject(data)) throw invalid('data', 'must be an object (the whole record)');
  const idField = IDENTITY_FIELD[kind];
  const record: Record<string, unknown> = structuredClone(data);
  if (record[idField] === undefined || record[idField] === null) {
    record[idField] = code;
  } else if (record[idField] !== code) {
    throw invalid(
      `data.${idField}`,
      `is "${describeValue(record[idField])}" but the record is "${code}"; the code of a record cannot change`,
    );
  }
  for (const field of NAME_FIELDS[kind]) {
    if (!(field in record)) throw invalid(`data.${field}`, 'is required (null when not confirmed)');
    if (record[field] !== null && typeof record[field] !== 'string')
      throw invalid(`data.${field}`, 'must be a string or null');
  }
  const sources = record.sources;
  if (!Array.isArray(sources) || sources.length === 0) {
    throw invalid('data.sources', 'must be a non-empty array of {url, supports, note}: every fact needs a source');
  }
  sources.forEach((s, i) => {
    if (!isPlainObject(s) || typeof s.url !== 'string' || s.url.trim() === '') {
      throw invalid(`data.sources[${i}]`, 'must be an object with a non-empty "url"');
    }
  });
  if (kind === 'treaty') checkTreatyParties(record);
  if (kind === 'partner') {
    if (typeof record.status !== 'string' || !/^[a-z][a-z_]{0,63}$/.test(record.status)) {
      throw invalid(
        'data.status',
        'must be a lower-case status word such as "dialogue_partner", "observer" or "sco_partner"',
      );
    }
    if (!('memorandum' in record) || (record.memorandum !== null && !isPlainObject(record.memorandum))) {
      throw invalid('data.memorandum', 'must be an object or null (no memorandum)');
    }
  }
  return record;
}
