import type { Comparison } from '../../src/documents/draft-review.service';
import { comparisonPrintable } from '../../src/documents/render/draft-printables';
import { printableText } from '../../src/documents/render/pdf';

/** A comparison with no articles: only the positions part of the export is looked at. */
function comparison(round: Comparison['round']): Comparison {
  const name = (en: string) => ({ en, ru: en, zh: en });
  return {
    document: {
      id: 'd',
      instanceId: 'i',
      title: { en: 'Draft', ru: 'Проект', zh: '草案' },
      source: { kind: 'blank', ref: null, notice: null },
      createdBy: 'officer-1',
      createdAt: '2025-01-06T09:00:00.000Z',
    },
    procedure: { id: 'i', definitionId: 'model-memorandum-amendment', state: 'consolidation' },
    lang: 'en',
    from: { number: 1, createdAt: '2025-01-06T09:00:00.000Z', authorId: 'officer-1', note: 'v1' },
    to: { number: 2, createdAt: '2025-01-07T09:00:00.000Z', authorId: 'officer-1', note: 'v2' },
    round,
    states: [
      { memberState: 'IN', name: name('India'), position: null, reservations: [], responses: [] },
      { memberState: 'PK', name: name('Pakistan'), position: null, reservations: [], responses: [] },
    ],
    rows: [],
    generalComments: [],
    summary: { added: 0, removed: 0, moved: 0, renumbered: 0, changed: 0, unchanged: 0 },
  };
}

describe('the comparison export states how the round on the proposed version ended', () => {
  it('lists every objection and the early close with its reason', () => {
    const text = printableText(
      comparisonPrintable(
        comparison({
          number: 1,
          stage: 'cnc_approval',
          outcome: 'objected',
          objection: { memberState: 'IN', reason: 'Art. 5' },
          objections: [
            { memberState: 'IN', text: 'Art. 5' },
            { memberState: 'PK', text: 'Art. 9' },
          ],
          settledBySilence: false,
          closedEarly: { by: 'manager-1', reason: 'No consensus possible', at: '2025-01-08T09:00:00.000Z' },
        }),
        (id) => id,
      ),
    );
    expect(text).toContain('India objected: Art. 5');
    expect(text).toContain('Pakistan objected: Art. 9');
    expect(text).toContain('The round was closed early, as it could not reach consensus: No consensus possible');
    expect(text).not.toContain('silence procedure');
  });

  it('says when the consensus was reached under the silence procedure', () => {
    const text = printableText(
      comparisonPrintable(
        comparison({
          number: 1,
          stage: 'consensus',
          outcome: 'consensus',
          objection: null,
          objections: [],
          settledBySilence: true,
          closedEarly: null,
        }),
        (id) => id,
      ),
    );
    expect(text).toContain('Consensus reached under the silence procedure');
  });
});
