/**
 * 1(c): amendments and/or additions to the Regulation on the status of SCO dialogue partner
 * (Dushanbe, 28 August 2008). The stages are those of every normative amendment; see
 * normative-amendment.ts for them and the reasons behind each refinement.
 */
import { normativeAmendmentDefinition } from './normative-amendment';

export const regulationAmendment = normativeAmendmentDefinition({
  id: 'regulation-amendment',
  measure: '1(c)',
  document: 'regulation',
  title: {
    en: 'Amending the Regulation on the status of SCO dialogue partner',
    ru: 'Изменения и дополнения в Положение о статусе партнёра по диалогу ШОС',
    zh: '修改上合组织对话伙伴地位条例',
  },
  description:
    'Proposal, drafting, four-eyes legal review, circulation to the member states, consolidation, approval by the Council of National Coordinators by consensus, adoption; adoption opens a 1(e) procedure for each existing memorandum it affects.',
});
