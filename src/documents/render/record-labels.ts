/** Fixed wording of the procedure record's export in the three languages. User text is never looked up here. */
import type { Lang } from '../draft.types';

type Words = Record<Lang, string>;

const W = {
  recordTitle: { en: 'Procedure record', ru: 'Запись о процедуре', zh: '程序记录' },
  stage: { en: 'Stage: {state}', ru: 'Стадия: {state}', zh: '所处阶段：{state}' },
  originalStays: {
    en: "Corrections never replace an entry: the original stays in the procedure's history, and a correction takes effect only once a second officer confirms it.",
    ru: 'Исправления не заменяют записи: первоначальная запись остаётся в истории процедуры, а исправление вступает в силу только после подтверждения вторым сотрудником.',
    zh: '更正不替换原记录：原记录保留在程序历史中，更正须经另一名官员确认后方生效。',
  },
  adoption: { en: 'Adoption', ru: 'Утверждение', zh: '通过' },
  submittedTo: { en: 'Submitted to: {body} ({at})', ru: 'Внесено в: {body} ({at})', zh: '提交机构：{body}（{at}）' },
  decision: { en: 'Decision No. {n} of {date}', ru: 'Решение № {n} от {date}', zh: '{date}第{n}号决定' },
  notDecided: {
    en: 'No adopting decision recorded yet.',
    ru: 'Решение об утверждении ещё не записано.',
    zh: '尚未记录通过决定。',
  },
  signing: { en: 'Signing', ru: 'Подписание', zh: '签署' },
  signedOn: {
    en: 'Signed on {date} in {place} (version {n})',
    ru: 'Подписано {date}, {place} (версия {n})',
    zh: '{date}于{place}签署（第{n}版）',
  },
  forSco: { en: 'For the SCO', ru: 'За ШОС', zh: '代表上海合作组织' },
  forPartner: { en: 'For the partner', ru: 'За партнёра', zh: '代表对话伙伴' },
  capacityUnknown: { en: 'capacity not recorded', ru: 'должность не записана', zh: '身份未记录' },
  exOfficio: {
    en: 'by virtue of office (Vienna Convention on the Law of Treaties, art. 7(2))',
    ru: 'в силу должности (Венская конвенция о праве международных договоров, ст. 7(2))',
    zh: '凭其职务（《维也纳条约法公约》第七条第二款）',
  },
  instrument: { en: 'full powers: {ref}', ru: 'полномочия: {ref}', zh: '全权证书：{ref}' },
  authorised: { en: 'authorised by {ref}', ru: 'уполномочен: {ref}', zh: '授权依据：{ref}' },
  noFullPowers: { en: 'full powers not recorded', ru: 'полномочия не записаны', zh: '全权未记录' },
  notSigned: { en: 'Not signed yet.', ru: 'Ещё не подписано.', zh: '尚未签署。' },
  notification: {
    en: "Partner's notification of completed internal procedures: {date}",
    ru: 'Уведомление партнёра о выполнении внутригосударственных процедур: {date}',
    zh: '伙伴方关于完成国内程序的通知：{date}',
  },
  inForce: { en: 'In force from {date}', ru: 'Вступил в силу {date}', zh: '自{date}起生效' },
  corrections: { en: 'Corrections', ru: 'Исправления', zh: '更正' },
  noCorrections: { en: 'No corrections.', ru: 'Исправлений нет.', zh: '无更正。' },
  colFact: { en: 'Fact', ru: 'Сведение', zh: '事项' },
  colRecorded: { en: 'Recorded value', ru: 'Записанное значение', zh: '原记录值' },
  colCorrected: { en: 'Corrected value', ru: 'Исправленное значение', zh: '更正值' },
  colReason: { en: 'Reason', ru: 'Основание', zh: '理由' },
  colReview: { en: 'Proposed and reviewed', ru: 'Предложено и рассмотрено', zh: '提出与审核' },
  proposedBy: { en: 'proposed by {who}, {at}', ru: 'предложено: {who}, {at}', zh: '提出人：{who}，{at}' },
  pending: {
    en: 'awaiting review by a second officer',
    ru: 'ожидает рассмотрения вторым сотрудником',
    zh: '待另一名官员审核',
  },
  confirmed: { en: 'confirmed by {who}, {at}', ru: 'подтверждено: {who}, {at}', zh: '确认人：{who}，{at}' },
  rejected: {
    en: 'rejected by {who}, {at}: {reason}',
    ru: 'отклонено: {who}, {at}: {reason}',
    zh: '驳回人：{who}，{at}：{reason}',
  },
} satisfies Record<string, Words>;

export type RecordLabelKey = keyof typeof W;

export function recordLabel(lang: Lang, key: RecordLabelKey, vars: Record<string, string | number> = {}): string {
  return W[key][lang].replace(/\{(\w+)\}/g, (_, k: string) => (k in vars ? String(vars[k]) : `{${k}}`));
}
