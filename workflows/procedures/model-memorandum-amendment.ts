/**
 * 1(d): amendments and/or additions to the draft model Memorandum granting a state or an
 * international intergovernmental organisation the status of SCO dialogue partner. The stages are
 * those of every normative amendment (normative-amendment.ts). Adoption of the new model opens a
 * 1(e) procedure for each existing memorandum it affects.
 */
import { normativeAmendmentDefinition } from './normative-amendment';

export const modelMemorandumAmendment = normativeAmendmentDefinition({
  id: 'model-memorandum-amendment',
  measure: '1(d)',
  document: 'model_memorandum',
  title: {
    en: 'Amending the model Memorandum on dialogue-partner status',
    ru: 'Изменения и дополнения в типовой Меморандум о предоставлении статуса партнёра по диалогу ШОС',
    zh: '修改给予上合组织对话伙伴地位的备忘录范本',
  },
  description:
    'Proposal, drafting, four-eyes legal review, circulation to the member states, consolidation, approval by the Council of National Coordinators by consensus, adoption; adoption opens a 1(e) procedure for each existing memorandum it affects.',
});
