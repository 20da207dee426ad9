/**
 * Versioned reference data against the real test database: the 4 July 2024
 * baseline seeded by the migration, at-date queries, versions recorded through
 * the API (Laos and the 2025 "SCO partner" status, with no code change),
 * validation, and nothing written on bad input.
 */
import type { DataSource } from 'typeorm';
import { revertMigrations, runMigrations } from '../../src/infra/migrations';
import { ReferenceService } from '../../src/reference/reference.service';
import type { PartnerItem, ReferenceItem, ReferenceVersion } from '../../src/reference/reference.types';
import { bearer, signedIn } from '../support/auth';
import { createEmptyDatabase } from '../support/databases';
import { createTestApp, type TestApp } from '../support/test-app';
import { withPg } from '../setup/test-infra';

const BASELINE = '2024-07-04';
const MEMBER_STATES_2024 = ['BY', 'CN', 'IN', 'IR', 'KG', 'KZ', 'PK', 'RU', 'TJ', 'UZ'];
const DIALOGUE_PARTNERS_2024 = ['AE', 'AM', 'AZ', 'BH', 'EG', 'KH', 'KW', 'LK', 'MM', 'MV', 'NP', 'QA', 'SA', 'TR'];
const OBSERVERS_2024 = ['AF', 'MN'];
const TIANJIN = '2025-09-01';
const TIANJIN_SOURCES = [
  {
    url: 'https://tass.com/world/2012137',
    supports: ['status'],
    note: 'Tianjin Declaration: observer and dialogue-partner statuses merged into "SCO partner"',
  },
  {
    url: 'https://report.az/ru/drugie-strany/strany-shos-prinyali-reshenie-sozdat-edinyj-status-partner-shos',
    supports: ['status'],
  },
];

type Json = Record<string, unknown>;

describe('Reference data (e2e)', () => {
  let t: TestApp;
  let admin: { token: string; userId: string };
  let officerToken: string;
  let reference: ReferenceService;
  let db: DataSource;

  const get = (path: string) => t.http().get(path).set(bearer(officerToken));
  const post = (path: string, body: unknown) =>
    t
      .http()
      .post(path)
      .set(bearer(admin.token))
      .send(body as object);
  const rowCount = async (): Promise<number> =>
    Number((await db.query(`select count(*)::int as n from reference_record`))[0].n);
  const openRows = async (kind: string, code: string): Promise<Array<{ version: number; valid_to: Date | null }>> =>
    db.query(`select version, valid_to from reference_record where kind = $1 and code = $2 and valid_to is null`, [
      kind,
      code,
    ]);
  const currentData = async (kind: string, code: string): Promise<Json> => {
    const versions = (await get(`/reference/${kind}/${code}/history`).expect(200)).body as Array<{
      data: Json;
      validTo: string | null;
    }>;
    return versions.find((v) => v.validTo === null)!.data;
  };

  beforeAll(async () => {
    t = await createTestApp();
    const a = await signedIn(t.app, { role: 'admin' });
    admin = { token: a.token, userId: a.user.id };
    officerToken = (await signedIn(t.app, { role: 'legal_officer' })).token;
    reference = t.app.get(ReferenceService);
    db = t.dataSource;
  });

  afterAll(async () => {
    await t?.close();
  });

  describe('the 4 July 2024 baseline', () => {
    it('has the 10 member states, sorted, with names in en/ru/zh', async () => {
      const res = await get(`/reference/member-states?at=${BASELINE}`).expect(200);
      const states = res.body as Array<ReferenceItem & { validFrom: string }>;
      expect(states.map((s) => s.code)).toEqual(MEMBER_STATES_2024);
      const kz = states.find((s) => s.code === 'KZ')!;
      expect(kz.name).toEqual({ en: 'Kazakhstan', ru: 'Казахстан', zh: expect.any(String) });
      expect(kz.version).toBe(1);
      expect(kz.validFrom).toBe('2024-07-04T00:00:00.000Z');
      expect(kz.validTo).toBeNull();
      expect(kz.data).toMatchObject({ code: 'KZ', founding_member: true, sources: expect.any(Array) });
      expect(await reference.memberStateCodes(new Date(BASELINE))).toEqual(MEMBER_STATES_2024);
    });

    it('keeps nulls as nulls ("not confirmed")', async () => {
      const states = (await get(`/reference/member-states?at=${BASELINE}`).expect(200)).body as ReferenceItem[];
      const by = states.find((s) => s.code === 'BY')!;
      expect(by.data).toHaveProperty('name_en_full', null);
      const india = states.find((s) => s.code === 'IN')!;
      expect(india.data).toHaveProperty('accession_date', null);

      const partners = (await get(`/reference/partners?at=${BASELINE}`).expect(200)).body as PartnerItem[];
      const lk = partners.find((p) => p.code === 'LK')!;
      expect(lk.data.memorandum).toMatchObject({
        signature_date: '2010-05',
        signature_date_precision: 'month',
        place: null,
        entry_into_force_mode: null,
        signatories: null,
      });
      const treaties = (await get(`/reference/treaties?at=${BASELINE}`).expect(200)).body as ReferenceItem[];
      const shanghai = treaties.find((x) => x.code === 'shanghai-convention-2001')!;
      expect(shanghai.name.zh).toBeNull();
      expect(shanghai.data).toMatchObject({ open_for_accession: null, accession_article: null, depositary: null });
    });

    it('has the 14 dialogue partners with memoranda and the two observers, and not Laos', async () => {
      const partners = (await get(`/reference/partners?at=${BASELINE}`).expect(200)).body as PartnerItem[];
      expect(partners.map((p) => p.code)).toEqual([...DIALOGUE_PARTNERS_2024, ...OBSERVERS_2024].sort());
      const dialogue = partners.filter((p) => p.status === 'dialogue_partner');
      expect(dialogue.map((p) => p.code)).toEqual(DIALOGUE_PARTNERS_2024);
      for (const p of dialogue) expect(p.memorandumId).toBe(`mem-${p.code}`);
      for (const code of OBSERVERS_2024) {
        const o = partners.find((p) => p.code === code)!;
        expect(o).toMatchObject({ status: 'observer', memorandumId: null });
        expect(o.data.memorandum).toBeNull();
      }
      expect(partners.find((p) => p.code === 'LA')).toBeUndefined();

      expect(await reference.memoranda(new Date(BASELINE))).toEqual(
        DIALOGUE_PARTNERS_2024.map((code) => ({ partner: code, memorandumId: `mem-${code}` })),
      );
    });

    it('has Laos only from its status date, 1 September 2025', async () => {
      const before = (await get('/reference/partners?at=2025-08-31').expect(200)).body as PartnerItem[];
      expect(before.map((p) => p.code)).not.toContain('LA');
      const on = (await get(`/reference/partners?at=${TIANJIN}`).expect(200)).body as PartnerItem[];
      const la = on.find((p) => p.code === 'LA')!;
      expect(la).toMatchObject({ status: 'dialogue_partner', version: 1, validFrom: '2025-09-01T00:00:00.000Z' });
      // granted, memorandum still to be signed: not a memorandum to analyse or amend
      expect(la.memorandumId).toBeNull();
      expect((await reference.memoranda(new Date(TIANJIN))).map((m) => m.partner)).not.toContain('LA');

      const history = (await get('/reference/partner/LA/history').expect(200)).body as ReferenceVersion[];
      expect(history).toHaveLength(1);
      expect(history[0]).toMatchObject({ version: 1, recordedBy: 'seed', validTo: null });
      expect(history[0].note).toContain('Baseline of 4 July 2024 from reference files');
    });

    it('has the treaties and bodies', async () => {
      const treaties = (await get(`/reference/treaties?at=${BASELINE}`).expect(200)).body as ReferenceItem[];
      expect(treaties.map((x) => x.code)).toEqual([
        'sco-agreement-info-security-2009',
        'sco-agreement-road-transport-2014',
        'sco-convention-extremism-2017',
        'sco-convention-terrorism-2009',
        'shanghai-convention-2001',
      ]);
      expect(treaties.find((x) => x.code === 'sco-agreement-road-transport-2014')!.name.en).toEqual(expect.any(String));

      const bodies = (await get('/reference/bodies').expect(200)).body as ReferenceItem[];
      expect(bodies.map((b) => b.code)).toEqual(['cfm', 'chg', 'chs', 'cnc', 'rats-ec', 'secretariat']);
      expect(bodies.find((b) => b.code === 'cnc')!.name).toEqual({
        en: expect.any(String),
        ru: expect.any(String),
        zh: expect.any(String),
      });
      expect((await reference.bodies()).length).toBe(6);
    });

    it('is recorded as version 1 by the seed, with its note', async () => {
      const history = (await get('/reference/member-states/KZ/history').expect(200)).body as ReferenceVersion[];
      expect(history).toEqual([
        expect.objectContaining({
          kind: 'member_state',
          code: 'KZ',
          version: 1,
          recordedBy: 'seed',
          note: 'Baseline of 4 July 2024 from reference files',
          validTo: null,
        }),
      ]);
      // the stored kind name works as well as the list path
      await get('/reference/member_state/KZ/history').expect(200);
      const one = (await get(`/reference/member-states/BY?at=${BASELINE}`).expect(200)).body as ReferenceItem;
      expect(one).toMatchObject({ code: 'BY', version: 1 });
    });

    it('has nothing before the baseline', async () => {
      expect((await get('/reference/member-states?at=2024-07-03').expect(200)).body).toEqual([]);
    });
  });

  describe('validation and unknown records', () => {
    it('rejects a bad ?at= with a 400 naming the parameter', async () => {
      for (const at of ['2024-13-01', '2024-02-30', 'yesterday', '2024-7-4', '2024-07-04T00:00:00Z', '']) {
        for (const list of ['member-states', 'partners', 'treaties', 'bodies']) {
          const res = await get(`/reference/${list}?at=${encodeURIComponent(at)}`).expect(400);
          expect(res.body).toMatchObject({ statusCode: 400, error: 'INVALID_PAYLOAD' });
          expect(res.body.message).toContain('"at"');
          expect(res.body.message).toContain('YYYY-MM-DD');
        }
      }
    });

    it('answers 404 with a message for an unknown code, 400 for an unknown kind', async () => {
      const missing = await get('/reference/partners/XX/history').expect(404);
      expect(missing.body).toMatchObject({ error: 'NOT_FOUND', message: 'No partner with code "XX" exists' });
      await get('/reference/member-states/XX').expect(404);
      const notYet = await get(`/reference/partners/LA?at=${BASELINE}`).expect(404);
      expect(notYet.body.message).toContain('not valid on 2024-07-04');

      const badKind = await get('/reference/planets/XX/history').expect(400);
      expect(badKind.body.message).toContain('"kind"');
    });

    it('writes nothing on bad input', async () => {
      const before = await rowCount();
      const good = await currentData('partners', 'TR');
      const cases: Array<{ path: string; body: unknown; status: number; mentions: string }> = [
        {
          path: '/reference/partners/TR',
          body: { data: good, note: 'x', validFrom: '2025-02-30' },
          status: 400,
          mentions: '"validFrom"',
        },
        { path: '/reference/partners/TR', body: { data: good, note: 'x' }, status: 400, mentions: '"validFrom"' },
        { path: '/reference/partners/TR', body: { data: good, validFrom: TIANJIN }, status: 400, mentions: '"note"' },
        {
          path: '/reference/partners/TR',
          body: { data: good, note: '', validFrom: TIANJIN },
          status: 400,
          mentions: '"note"',
        },
        {
          path: '/reference/partners/TR',
          body: { data: 'sco_partner', note: 'x', validFrom: TIANJIN },
          status: 400,
          mentions: '"data"',
        },
        {
          path: '/reference/partners/TR',
          body: { data: [good], note: 'x', validFrom: TIANJIN },
          status: 400,
          mentions: '"data"',
        },
        {
          path: '/reference/partners/TR',
          body: { data: good, note: 'x', validFrom: TIANJIN, extra: 1 },
          status: 400,
          mentions: 'extra',
        },
        {
          path: '/reference/partners/TR',
          body: { data: { ...good, code: 'AZ' }, note: 'x', validFrom: TIANJIN },
          status: 400,
          mentions: '"data.code"',
        },
        {
          path: '/reference/partners/TR',
          body: { data: { ...good, sources: [] }, note: 'x', validFrom: TIANJIN },
          status: 400,
          mentions: '"data.sources"',
        },
        {
          path: '/reference/partners/TR',
          body: { data: { ...good, status: '' }, note: 'x', validFrom: TIANJIN },
          status: 400,
          mentions: '"data.status"',
        },
        {
          path: '/reference/partners/TR',
          body: { data: { ...good, memorandum: 'signed' }, note: 'x', validFrom: TIANJIN },
          status: 400,
          mentions: '"data.memorandum"',
        },
        {
          path: '/reference/partners/TR',
          body: {
            data: { code: 'TR', status: 'sco_partner', memorandum: null, sources: TIANJIN_SOURCES },
            note: 'x',
            validFrom: TIANJIN,
          },
          status: 400,
          mentions: '"data.name_en"',
        },
        {
          path: '/reference/partners/TR',
          body: { data: good, note: 'x', validFrom: '2024-07-03' },
          status: 422,
          mentions: 'earlier than the start of the current version',
        },
        {
          path: '/reference/partners/TR',
          body: { data: good, note: 'x', validFrom: TIANJIN, create: true },
          status: 409,
          mentions: 'already exists',
        },
        {
          path: '/reference/partners/XX',
          body: { data: { ...good, code: 'XX' }, note: 'x', validFrom: TIANJIN },
          status: 404,
          mentions: '"create": true',
        },
        {
          path: '/reference/partners/xx',
          body: { data: { ...good, code: 'xx' }, note: 'x', validFrom: TIANJIN, create: true },
          status: 400,
          mentions: 'not a valid partner code',
        },
        {
          path: '/reference/planets/TR',
          body: { data: good, note: 'x', validFrom: TIANJIN },
          status: 400,
          mentions: '"kind"',
        },
      ];
      for (const c of cases) {
        const res = await post(c.path, c.body);
        expect({ case: c, status: res.status }).toEqual({ case: c, status: c.status });
        expect(res.body.message).toContain(c.mentions);
      }
      expect(await rowCount()).toBe(before);
      expect(await openRows('partner', 'TR')).toEqual([{ version: 1, valid_to: null }]);
      expect(await currentData('partners', 'TR')).toEqual(good);
    });
  });

  describe('schema', () => {
    const insert = (kind: string, code: string, version: number, validTo: string | null) =>
      db.query(
        `insert into reference_record (kind, code, version, valid_from, valid_to, data, recorded_by) values ($1, $2, $3, '2024-07-04', $4, '{}'::jsonb, 'test')`,
        [kind, code, version, validTo],
      );

    it('allows one current version per record, unique version numbers and known kinds only', async () => {
      const before = await rowCount();
      await expect(insert('partner', 'TR', 2, null)).rejects.toMatchObject({
        driverError: { code: '23505', constraint: 'reference_record_current_uq' },
      });
      await expect(insert('partner', 'TR', 1, '2025-01-01')).rejects.toMatchObject({
        driverError: { code: '23505', constraint: 'reference_record_kind_code_version_uq' },
      });
      await expect(insert('planet', 'MA', 1, null)).rejects.toMatchObject({
        driverError: { code: '23514', constraint: 'reference_record_kind_check' },
      });
      await expect(insert('partner', 'QQ', 1, '2024-07-03')).rejects.toMatchObject({
        driverError: { code: '23514', constraint: 'reference_record_period_check' },
      });
      expect(await rowCount()).toBe(before);
    });

    it('reverts and re-applies cleanly', async () => {
      const scratch = await createEmptyDatabase();
      try {
        await runMigrations(scratch.url);
        await revertMigrations(scratch.url, Number.POSITIVE_INFINITY);
        expect(await withPg(scratch.url, (c) => c.query(`select to_regclass('reference_record') as t`))).toMatchObject({
          rows: [{ t: null }],
        });
        await runMigrations(scratch.url);
        const counts = await withPg(scratch.url, (c) =>
          c.query(`select kind, count(*)::int as n from reference_record group by kind order by kind`),
        );
        expect(counts.rows).toEqual([
          // six bodies, four with a second version saying what they adopt (migration 1700000053000)
          { kind: 'body', n: 10 },
          { kind: 'member_state', n: 10 },
          { kind: 'partner', n: 17 },
          // 5 treaties, 2 of them with a second version saying who consents to accession (1700000054100)
          { kind: 'treaty', n: 7 },
        ]);
      } finally {
        await scratch.drop();
      }
    });
  });

  describe('2025: Laos and the "SCO partner" status, as new versions', () => {
    let before2025: PartnerItem[];

    beforeAll(async () => {
      // read first, so the in-memory copy is warm and must be refreshed by the changes
      before2025 = (await get(`/reference/partners?at=${TIANJIN}`).expect(200)).body as PartnerItem[];
      expect(before2025.map((p) => p.status).sort()).toEqual([
        ...Array(15).fill('dialogue_partner'),
        'observer',
        'observer',
      ]);

      // Tianjin, 1 September 2025: every observer and dialogue partner (Laos included) becomes an "SCO partner".
      for (const p of before2025) {
        const res = await post(`/reference/partners/${p.code}`, {
          data: { ...p.data, status: 'sco_partner', sources: [...(p.data.sources as unknown[]), ...TIANJIN_SOURCES] },
          note: 'Tianjin Declaration of 1 September 2025: observer and dialogue-partner statuses merged into "SCO partner"',
          validFrom: TIANJIN,
        });
        expect(res.status).toBe(201);
      }
    });

    it('answers the 2024 picture for 2024 dates and the 2025 picture after Tianjin', async () => {
      const at2024 = (await get(`/reference/partners?at=${BASELINE}`).expect(200)).body as PartnerItem[];
      expect(at2024.map((p) => p.code)).toEqual([...DIALOGUE_PARTNERS_2024, ...OBSERVERS_2024].sort());
      expect(at2024.filter((p) => p.status === 'dialogue_partner')).toHaveLength(14);
      expect(at2024.filter((p) => p.status === 'observer').map((p) => p.code)).toEqual(OBSERVERS_2024);

      const eve = (await get('/reference/partners?at=2025-08-31').expect(200)).body as PartnerItem[];
      expect(eve.map((p) => [p.code, p.status])).toEqual(at2024.map((p) => [p.code, p.status]));

      const at2025 = (await get(`/reference/partners?at=${TIANJIN}`).expect(200)).body as PartnerItem[];
      expect(at2025).toHaveLength(17);
      expect(at2025.map((p) => p.code)).toContain('LA');
      expect(new Set(at2025.map((p) => p.status))).toEqual(new Set(['sco_partner']));
      expect(at2025.every((p) => p.version === 2)).toBe(true);

      // today (the app clock) is after Tianjin
      expect((await reference.partners()).map((p) => p.status)).toEqual(Array(17).fill('sco_partner'));
    });

    it('keeps memoranda as they were: the 14 signed ones, not Laos (unsigned) nor the former observers', async () => {
      const expected = DIALOGUE_PARTNERS_2024.map((code) => ({ partner: code, memorandumId: `mem-${code}` }));
      expect(await reference.memoranda(new Date(BASELINE))).toEqual(expected);
      expect(await reference.memoranda(new Date(TIANJIN))).toEqual(expected);
    });

    it('never overwrites: version 1 stays as seeded, closed where version 2 starts', async () => {
      const af = (await get('/reference/partners/AF/history').expect(200)).body as ReferenceVersion[];
      expect(af.map((v) => [v.version, v.validFrom, v.validTo, (v.data as Json).status])).toEqual([
        [1, '2024-07-04T00:00:00.000Z', '2025-09-01T00:00:00.000Z', 'observer'],
        [2, '2025-09-01T00:00:00.000Z', null, 'sco_partner'],
      ]);
      expect(af[1]).toMatchObject({ recordedBy: admin.userId, note: expect.stringContaining('Tianjin') });
      expect(af[0]).toMatchObject({ recordedBy: 'seed' });

      const la = (await get('/reference/partners/LA/history').expect(200)).body as ReferenceVersion[];
      expect(la.map((v) => [v.version, v.validFrom, v.validTo, (v.data as Json).status])).toEqual([
        [1, '2025-09-01T00:00:00.000Z', '2025-09-01T00:00:00.000Z', 'dialogue_partner'],
        [2, '2025-09-01T00:00:00.000Z', null, 'sco_partner'],
      ]);

      const rows = await db.query<{ total: number; open: number }[]>(
        `select count(*)::int as total, count(*) filter (where valid_to is null)::int as open from reference_record where kind = 'partner'`,
      );
      expect(rows[0]).toEqual({ total: 34, open: 17 });
      // member states untouched
      expect(await reference.memberStateCodes()).toEqual(MEMBER_STATES_2024);
    });

    it('adds a record only when asked to, and answers 409 when it exists', async () => {
      // ZZ is a user-assigned ISO code, not a real state: a made-up future partner, valid from 2030.
      const data = {
        code: 'ZZ',
        kind: 'state',
        name_en: 'Testland',
        name_en_full: null,
        name_ru: null,
        name_ru_full: null,
        name_zh: null,
        status: 'sco_partner',
        status_decided: null,
        status_decided_precision: null,
        status_decided_by: null,
        memorandum: null,
        notes: null,
        sources: [{ url: 'https://example.org/test-source', supports: ['code'] }],
      };
      const created = await post('/reference/partners/ZZ', {
        data,
        note: 'test record',
        validFrom: '2030-01-01',
        create: true,
      }).expect(201);
      expect(created.body).toMatchObject({
        kind: 'partner',
        code: 'ZZ',
        version: 1,
        validFrom: '2030-01-01T00:00:00.000Z',
        validTo: null,
        recordedBy: admin.userId,
      });
      expect(created.body.data).toEqual(data);
      await post('/reference/partners/ZZ', { data, note: 'again', validFrom: '2030-01-01', create: true }).expect(409);
      expect((await reference.partners()).map((p) => p.code)).not.toContain('ZZ');
      expect((await reference.partners(new Date('2030-01-01'))).map((p) => p.code)).toContain('ZZ');

      // two administrators at once: both versions are kept, in order, and one stays current
      const answers = await Promise.all(
        [1, 2, 3, 4, 5].map((n) =>
          post('/reference/partners/ZZ', {
            data: { ...data, notes: `change ${n}` },
            note: `change ${n}`,
            validFrom: '2030-02-01',
          }),
        ),
      );
      expect(answers.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
      expect(answers.map((r) => r.body.version as number).sort()).toEqual([2, 3, 4, 5, 6]);
      expect(await openRows('partner', 'ZZ')).toEqual([{ version: 6, valid_to: null }]);
      const zz = (await get('/reference/partners/ZZ/history').expect(200)).body as ReferenceVersion[];
      expect(zz.map((v) => v.version)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(zz.slice(0, -1).every((v) => v.validTo !== null)).toBe(true);
    });
  });
});
