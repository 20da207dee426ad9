/** Who consents to a non-member's accession, as the engine reads it from a treaty's reference data. */
import { treatyConsentFacts } from '../../src/engine/world.service';
import type { TreatyData } from '../../src/reference/reference.types';

const MEMBER_STATES = ['UZ', 'BY', 'CN', 'IN', 'IR', 'KG', 'KZ', 'PK', 'RU', 'TJ'];
const AT = new Date('2026-11-30T10:00:00Z');

const treaty = (extra: Partial<TreatyData>): TreatyData => ({
  id: 'sco-convention-extremism-2017',
  title_en: null,
  title_ru: null,
  title_zh: null,
  signature_date: null,
  signature_place: null,
  open_for_accession: true,
  accession_article: null,
  accession_conditions: null,
  depositary: null,
  entry_into_force: null,
  notes: null,
  sources: [{ url: 'https://example.test' }],
  ...extra,
});

describe('treaty consent facts', () => {
  it('the member states of the moment, where the final clause names them', () => {
    expect(treatyConsentFacts(treaty({ consent_given_by: 'member_states' }), MEMBER_STATES, AT)).toEqual({
      treatyId: 'sco-convention-extremism-2017',
      consentGivenBy: 'member_states',
      electorate: [...MEMBER_STATES].sort(),
      knownParties: [],
    });
  });

  it('the Parties that had become party by that day, when the list is complete', () => {
    const parties = {
      complete: true,
      list: [
        { code: 'RU', since: '2019-10-12', source: 's' },
        { code: 'CN', since: '2026-11-30', source: 's' },
        { code: 'TJ', since: '2026-12-01', source: 's' },
      ],
    };
    expect(treatyConsentFacts(treaty({ parties }), MEMBER_STATES, AT)).toMatchObject({
      consentGivenBy: 'parties',
      electorate: ['CN', 'RU'],
    });
  });

  it('unknown (null) when the data do not know the Parties, or know only some of them', () => {
    for (const parties of [undefined, null, { complete: true, list: [] }])
      expect(treatyConsentFacts(treaty({ parties }), MEMBER_STATES, AT)).toMatchObject({
        consentGivenBy: 'parties',
        electorate: null,
        knownParties: [],
      });
    const partial = { complete: false, list: [{ code: 'RU', since: '2019-10-12', source: 's' }] };
    expect(treatyConsentFacts(treaty({ consent_given_by: null, parties: partial }), MEMBER_STATES, AT)).toEqual({
      treatyId: 'sco-convention-extremism-2017',
      consentGivenBy: 'parties',
      electorate: null,
      knownParties: ['RU'],
    });
  });
});
