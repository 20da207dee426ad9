/** Fixed wording of the exports in the three languages. User text is never looked up here. */
import type { Lang } from '../draft.types';

type Words = Record<Lang, string>;

const W = {
  version: { en: 'Version {n}', ru: 'Версия {n}', zh: '第{n}版' },
  article: { en: 'Article {n}', ru: 'Статья {n}', zh: '第{n}条' },
  savedBy: { en: 'Saved by {who} on {at}', ru: 'Сохранена: {who}, {at}', zh: '保存人：{who}，{at}' },
  note: { en: 'Note: {text}', ru: 'Примечание: {text}', zh: '说明：{text}' },
  authentic: {
    en: 'Russian and Chinese texts are equally authentic.',
    ru: 'Тексты на русском и китайском языках имеют одинаковую силу.',
    zh: '俄文和中文文本同等作准。',
  },
  englishWorking: {
    en: 'English is a working text, not authentic, and may be out of date.',
    ru: 'Текст на английском языке является рабочим, не аутентичным, и может быть устаревшим.',
    zh: '英文为工作文本，不具作准效力，可能未及时更新。',
  },
  outOfDate: {
    en: 'Out of date: not yet updated after a change in the {other} text.',
    ru: 'Текст устарел: не обновлён после изменения текста на {other} языке.',
    zh: '本文本已过时：{other}文本修改后尚未相应更新。',
  },
  possiblyStale: {
    en: 'Working text, possibly stale: the authentic texts changed after it.',
    ru: 'Рабочий текст, возможно устаревший: аутентичные тексты изменены позднее.',
    zh: '工作文本，可能已过时：作准文本此后有修改。',
  },
  driftWarning: {
    en: 'The Russian and Chinese texts disagree in {n} article(s): this version cannot be sent on until both are updated.',
    ru: 'Тексты на русском и китайском языках расходятся в {n} статье(ях): эту версию нельзя направить дальше, пока оба текста не обновлены.',
    zh: '俄文和中文文本有{n}条不一致：两种文本均更新前，本版本不能提交。',
  },
  comparisonTitle: { en: 'Comparison table', ru: 'Сравнительная таблица', zh: '对照表' },
  comparisonOf: {
    en: 'Version {from} compared with version {to}',
    ru: 'Сравнение версии {from} с версией {to}',
    zh: '第{from}版与第{to}版对照',
  },
  colArticle: { en: 'Article', ru: 'Статья', zh: '条款' },
  colBase: { en: 'Base text (version {n})', ru: 'Исходный текст (версия {n})', zh: '原文本（第{n}版）' },
  colProposed: {
    en: 'Proposed text (version {n})',
    ru: 'Предлагаемая редакция (версия {n})',
    zh: '拟议文本（第{n}版）',
  },
  colStates: { en: 'Comments of the member states', ru: 'Замечания государств-членов', zh: '成员国意见' },
  positions: {
    en: 'Positions of the member states on version {n}',
    ru: 'Позиции государств-членов по версии {n}',
    zh: '成员国对第{n}版的立场',
  },
  noRound: {
    en: 'No member state has been asked for its position on version {n} yet.',
    ru: 'Позиции государств-членов по версии {n} ещё не запрашивались.',
    zh: '尚未就第{n}版征求成员国立场。',
  },
  reservation: {
    en: 'Reservation (version {n}): {text}',
    ru: 'Оговорка (версия {n}): {text}',
    zh: '保留意见（第{n}版）：{text}',
  },
  response: {
    en: 'Comments on version {n}: {text}',
    ru: 'Замечания по версии {n}: {text}',
    zh: '对第{n}版的意见：{text}',
  },
  noComments: { en: 'No comments on version {n}.', ru: 'Замечаний по версии {n} нет.', zh: '对第{n}版无意见。' },
  actingFor: { en: '(acting for {who})', ru: '(исполняющий обязанности за {who})', zh: '（代理{who}）' },
  secretariat: { en: 'Secretariat', ru: 'Секретариат', zh: '秘书处' },
  generalComments: { en: 'General comments', ru: 'Общие замечания', zh: '一般性意见' },
  onVersion: { en: 'on version {n}', ru: 'к версии {n}', zh: '针对第{n}版' },
  none: { en: '—', ru: '—', zh: '—' },
  objectionLine: { en: '{state} objected: {reason}', ru: '{state} возражает: {reason}', zh: '{state}反对：{reason}' },
  closedEarlyLine: {
    en: 'The round was closed early, as it could not reach consensus: {reason}',
    ru: 'Раунд закрыт досрочно, поскольку консенсус не мог быть достигнут: {reason}',
    zh: '因无法达成协商一致，本轮提前结束：{reason}',
  },
  settledBySilence: {
    en: 'Consensus reached under the silence procedure: states that did not answer by the deadline are counted as agreeing.',
    ru: 'Консенсус достигнут в порядке процедуры умолчания: государства, не ответившие в срок, считаются согласившимися.',
    zh: '协商一致系按默许程序达成：未在期限内答复的国家视为同意。',
  },
  // report (1(a))
  reportTitle: { en: 'Final information', ru: 'Итоговая информация', zh: '最终信息' },
  criteria: { en: 'Criteria', ru: 'Критерии', zh: '标准' },
  memorandumWith: {
    en: 'Memorandum with {partner} ({id})',
    ru: 'Меморандум с партнёром {partner} ({id})',
    zh: '与{partner}签署的备忘录（{id}）',
  },
  assessedBy: { en: 'Assessed by {who} on {at}', ru: 'Оценка: {who}, {at}', zh: '评估人：{who}，{at}' },
  notAssessed: {
    en: 'Assessment awaited from {who}, due {at}',
    ru: 'Ожидается оценка от {who}, срок {at}',
    zh: '待{who}评估，截止{at}',
  },
  findings: { en: 'Findings', ru: 'Выводы', zh: '结论' },
  noFindings: { en: 'No findings.', ru: 'Выводов нет.', zh: '无结论。' },
  suggests: { en: 'feeds measure {m}', ru: 'для меры {m}', zh: '用于措施{m}' },
  linkedTo: { en: 'linked to procedure {ids}', ru: 'связано с процедурой {ids}', zh: '关联程序{ids}' },
  summary: { en: 'Summary', ru: 'Сводка', zh: '摘要' },
  severityLabel: { en: 'importance: {s}', ru: 'значимость: {s}', zh: '重要程度：{s}' },
  reportStatus: { en: 'Status of the analysis: {state}', ru: 'Стадия анализа: {state}', zh: '分析所处阶段：{state}' },
  approvedVersion: {
    en: 'Approved by consensus: version {n}',
    ru: 'Одобрено консенсусом: версия {n}',
    zh: '已以协商一致方式批准：第{n}版',
  },
  notApproved: {
    en: 'Not yet approved by the member states.',
    ru: 'Ещё не одобрено государствами-членами.',
    zh: '尚未获成员国批准。',
  },
  findingCount: {
    en: '{n} finding(s) from {m} assessment(s)',
    ru: 'Выводов: {n}; оценок: {m}',
    zh: '共{n}项结论，来自{m}份评估',
  },
  text: {
    en: 'Text of the final information (version {n})',
    ru: 'Текст итоговой информации (версия {n})',
    zh: '最终信息文本（第{n}版）',
  },
} satisfies Record<string, Words>;

export type LabelKey = keyof typeof W;

export function label(lang: Lang, key: LabelKey, vars: Record<string, string | number> = {}): string {
  return W[key][lang].replace(/\{(\w+)\}/g, (_, k: string) => (k in vars ? String(vars[k]) : `{${k}}`));
}

export const LANGUAGE_NAME: Record<Lang, Record<Lang, string>> = {
  en: { en: 'English', ru: 'Russian', zh: 'Chinese' },
  ru: { en: 'английском', ru: 'русском', zh: 'китайском' },
  zh: { en: '英文', ru: '俄文', zh: '中文' },
};

const KIND: Record<string, Words> = {
  agree: { en: 'agrees', ru: 'согласие', zh: '同意' },
  agree_with_reservation: { en: 'agrees with a reservation', ru: 'согласие с оговоркой', zh: '有保留地同意' },
  object: { en: 'objects', ru: 'возражение', zh: '反对' },
  silence: {
    en: 'no answer by the deadline (counted as agreement)',
    ru: 'нет ответа в срок (считается согласием)',
    zh: '未在期限内答复（视为同意）',
  },
  none: { en: 'no answer yet', ru: 'ответа пока нет', zh: '尚未答复' },
};

export function positionKind(lang: Lang, kind: string | null): string {
  return (KIND[kind ?? 'none'] ?? KIND.none)[lang];
}

const CHANGE: Record<string, Words> = {
  added: { en: 'added', ru: 'добавлена', zh: '新增' },
  removed: { en: 'removed', ru: 'исключена', zh: '删除' },
  moved: { en: 'moved', ru: 'перемещена', zh: '移动' },
  renumbered: { en: 'renumbered', ru: 'перенумерована', zh: '重新编号' },
  changed: { en: 'changed', ru: 'изменена', zh: '修改' },
  unchanged: { en: 'unchanged', ru: 'без изменений', zh: '未修改' },
};

export function changeKind(lang: Lang, kind: string): string {
  return (CHANGE[kind] ?? { en: kind, ru: kind, zh: kind })[lang];
}

const SEVERITY: Record<string, Words> = {
  low: { en: 'low', ru: 'низкая', zh: '低' },
  medium: { en: 'medium', ru: 'средняя', zh: '中' },
  high: { en: 'high', ru: 'высокая', zh: '高' },
};

export function severity(lang: Lang, s: string): string {
  return (SEVERITY[s] ?? { en: s, ru: s, zh: s })[lang];
}

/** A date as the export shows it (UTC, YYYY-MM-DD HH:MM). */
export function when(iso: string | null): string {
  if (!iso) return '—';
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}
