/**
 * The mails, in the reader's language (en/ru/zh): a subject, a plain-text part and an HTML part
 * built from the same lines. Each mail says which procedure, which stage, what is asked of the
 * reader, the deadline in the reader's time zone, and links to the page in the web application.
 * Pure: the caller reads the notification and the reader, and sends what this returns.
 */
import type { Labels, NoticeTopic } from '../../workflows/kernel/types';
import { formatMoment, type Language, type ReaderLocale } from './reader-locale';

/** One notification as a mail renders it (the stored row's fields). */
export interface MailItem {
  topic: NoticeTopic;
  /** The machine's own sentence (English), shown as the details. */
  subject: string;
  instanceId: string | null;
  data: Record<string, unknown>;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

type Params = Record<string, string>;
type Line = (p: Params) => string;

/** The headline of each topic (the subject line), per language. */
const HEADLINES: Record<NoticeTopic, Record<Language, Line>> = {
  round_opened: {
    en: (p) => `Your state's position is asked on draft version ${p.v}`,
    ru: (p) => `Запрашивается позиция вашего государства по проекту, версия ${p.v}`,
    zh: (p) => `请就草案第${p.v}版表明贵国立场`,
  },
  version_circulated: {
    en: (p) => `Draft version ${p.v} is circulated for your state's comments`,
    ru: (p) => `Проект, версия ${p.v}, направлен вашему государству для замечаний`,
    zh: (p) => `草案第${p.v}版已分发，征求贵国意见`,
  },
  position_recorded: {
    en: (p) => `${p.state} answered on draft version ${p.v}: ${p.position}`,
    ru: (p) => `${p.state} ответило по версии ${p.v}: ${p.position}`,
    zh: (p) => `${p.state}已就第${p.v}版作出答复：${p.position}`,
  },
  objection: {
    en: (p) => `${p.state} objects to draft version ${p.v}`,
    ru: (p) => `${p.state} возражает против версии ${p.v}`,
    zh: (p) => `${p.state}反对第${p.v}版`,
  },
  round_settled: {
    en: (p) => `Round ${p.round} on draft version ${p.v} has ended: ${p.outcome}`,
    ru: (p) => `Раунд ${p.round} по версии ${p.v} завершён: ${p.outcome}`,
    zh: (p) => `关于第${p.v}版的第${p.round}轮已结束：${p.outcome}`,
  },
  review_requested: {
    en: (p) => `Legal review of draft version ${p.v} requested`,
    ru: (p) => `Требуется правовая экспертиза проекта, версия ${p.v}`,
    zh: (p) => `请对草案第${p.v}版进行法律审查`,
  },
  stage_reached: {
    en: (p) => `The procedure has reached the stage "${p.stage}"`,
    ru: (p) => `Процедура перешла на этап «${p.stage}»`,
    zh: (p) => `程序已进入"${p.stage}"阶段`,
  },
  procedure_opened: {
    en: () => 'A new procedure is open',
    ru: () => 'Открыта новая процедура',
    zh: () => '已开启新程序',
  },
  deadline_extended: {
    en: (p) => `Deadline extended: ${p.stage}`,
    ru: (p) => `Срок продлён: ${p.stage}`,
    zh: (p) => `期限已延长：${p.stage}`,
  },
  withdrawn: {
    en: () => 'The procedure has been withdrawn',
    ru: () => 'Процедура отозвана',
    zh: () => '程序已撤回',
  },
  correction_proposed: {
    en: (p) => `Correction ${p.correction} of the record awaits confirmation`,
    ru: (p) => `Исправление записи № ${p.correction} ожидает подтверждения`,
    zh: (p) => `第${p.correction}号记录更正待确认`,
  },
  correction_recorded: {
    en: (p) =>
      p.decision === 'rejected'
        ? `Correction ${p.correction} of the record was rejected`
        : `The record was corrected (correction ${p.correction})`,
    ru: (p) =>
      p.decision === 'rejected'
        ? `Исправление записи № ${p.correction} отклонено`
        : `Запись исправлена (исправление № ${p.correction})`,
    zh: (p) =>
      p.decision === 'rejected' ? `第${p.correction}号记录更正已被驳回` : `记录已更正（第${p.correction}号更正）`,
  },
  reminder: {
    en: (p) => `Reminder: ${p.stage}, due ${p.due}`,
    ru: (p) => `Напоминание: ${p.stage}, срок ${p.due}`,
    zh: (p) => `提醒：${p.stage}，截止 ${p.due}`,
  },
  escalation: {
    en: (p) => `Overdue: ${p.stage}`,
    ru: (p) => `Срок истёк: ${p.stage}`,
    zh: (p) => `已逾期：${p.stage}`,
  },
  info: {
    en: (p) => `For your information: ${p.stage}`,
    ru: (p) => `К сведению: ${p.stage}`,
    zh: (p) => `通知：${p.stage}`,
  },
};

/** What is asked of the reader, per topic (null: for information only). */
const ASKED: Partial<Record<NoticeTopic, Record<Language, string>>> = {
  round_opened: {
    en: "Record your state's position (agree, agree with a reservation, or object with a reason) before the deadline.",
    ru: 'Сообщите позицию вашего государства (согласие, согласие с оговоркой или возражение с обоснованием) до истечения срока.',
    zh: '请在截止日期前表明贵国立场（同意、附保留同意，或说明理由的反对）。',
  },
  version_circulated: {
    en: "Send your state's comments, or say that it has none, before the deadline.",
    ru: 'Направьте замечания вашего государства или сообщите об их отсутствии до истечения срока.',
    zh: '请在截止日期前提交贵国意见，或说明无意见。',
  },
  review_requested: {
    en: 'Review the draft version (nobody reviews a version they drafted).',
    ru: 'Проведите экспертизу версии проекта (версию не проверяет её автор).',
    zh: '请审查该版本草案（起草人不得审查本人起草的版本）。',
  },
  objection: {
    en: 'Consider the objection and prepare a new version.',
    ru: 'Рассмотрите возражение и подготовьте новую версию.',
    zh: '请研究该异议并拟订新版本。',
  },
  reminder: {
    en: 'Your answer is still awaited.',
    ru: 'Ваш ответ всё ещё ожидается.',
    zh: '仍在等待您的答复。',
  },
  escalation: {
    en: 'The deadline has passed: please step in.',
    ru: 'Срок истёк: требуется ваше вмешательство.',
    zh: '期限已过，请介入。',
  },
  correction_proposed: {
    en: 'Check the correction against its source, then confirm or reject it (another officer than the one who proposed it).',
    ru: 'Сверьте исправление с источником и подтвердите или отклоните его (это делает не тот сотрудник, который его предложил).',
    zh: '请对照来源核查该更正，然后予以确认或驳回（须由提出人以外的官员处理）。',
  },
  procedure_opened: {
    en: 'Take the procedure up.',
    ru: 'Возьмите процедуру в работу.',
    zh: '请接手该程序。',
  },
};

const WORDS: Record<Language, Record<string, string>> = {
  en: {
    procedure: 'Procedure',
    stage: 'Stage',
    asked: 'What is asked',
    fyi: 'Nothing is asked of you: for your information.',
    deadline: 'Deadline',
    reason: 'Reason',
    details: 'Details',
    open: 'Open in amendflow',
    consensus: 'consensus',
    objected: 'objection',
    closed: 'circulation closed',
    agree: 'agrees',
    agree_with_reservation: 'agrees with a reservation',
    object: 'objects',
    comments: 'comments',
    no_comments: 'no comments',
    digest: 'Your daily summary',
    items: 'notifications',
    preferences: 'Change what you receive and how: your notification settings in amendflow.',
    unknown: 'unknown',
    correction: 'Correction',
    noAnswerNeeded: 'No answer is needed from your state any more.',
  },
  ru: {
    procedure: 'Процедура',
    stage: 'Этап',
    asked: 'Что требуется',
    fyi: 'От вас ничего не требуется: для сведения.',
    deadline: 'Срок',
    reason: 'Причина',
    details: 'Подробности',
    open: 'Открыть в amendflow',
    consensus: 'консенсус',
    objected: 'возражение',
    closed: 'рассылка закрыта',
    agree: 'согласие',
    agree_with_reservation: 'согласие с оговоркой',
    object: 'возражение',
    comments: 'замечания',
    no_comments: 'замечаний нет',
    digest: 'Ваша ежедневная сводка',
    items: 'уведомл.',
    preferences: 'Что и как вы получаете, настраивается в разделе уведомлений amendflow.',
    unknown: 'неизвестно',
    correction: 'Исправление',
    noAnswerNeeded: 'Ответ вашего государства больше не требуется.',
  },
  zh: {
    procedure: '程序',
    stage: '阶段',
    asked: '需要您做的',
    fyi: '无需您采取行动，仅供参考。',
    deadline: '截止日期',
    reason: '理由',
    details: '详情',
    open: '在 amendflow 中打开',
    consensus: '协商一致',
    objected: '有异议',
    closed: '分发已结束',
    agree: '同意',
    agree_with_reservation: '附保留同意',
    object: '反对',
    comments: '有意见',
    no_comments: '无意见',
    digest: '您的每日摘要',
    items: '条通知',
    preferences: '可在 amendflow 的通知设置中更改接收内容和方式。',
    unknown: '未知',
    correction: '更正',
    noAnswerNeeded: '贵国无需再作答复。',
  },
};

const text = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);
const shownValue = (v: unknown): string => (typeof v === 'string' ? `"${v}"` : (JSON.stringify(v) ?? ''));
const labelIn = (v: unknown, lang: Language): string | null => {
  if (typeof v !== 'object' || v === null) return null;
  const l = v as Partial<Labels>;
  return l[lang] ?? l.en ?? null;
};

/** Names of the member states in each language (from the reference data), by code. */
export type StateNames = Readonly<Record<string, Partial<Labels>>>;

/** The link to a notification's page: the procedure's page, or the notification list. */
export function pageLink(publicUrl: string, instanceId: string | null): string {
  return instanceId ? `${publicUrl}/app/#/procedure/${instanceId}` : `${publicUrl}/app/#/notifications`;
}

interface Block {
  headline: string;
  lines: string[];
  link: string;
}

function block(item: MailItem, locale: ReaderLocale, publicUrl: string, names: StateNames): Block {
  const lang = locale.language;
  const w = WORDS[lang];
  const d = item.data;
  const details = (typeof d.details === 'object' && d.details !== null ? d.details : {}) as Record<string, unknown>;
  const deadline = (typeof d.deadline === 'object' && d.deadline !== null ? d.deadline : null) as {
    label?: Labels;
    dueAt?: string;
  } | null;
  const stateCode = text(details.memberState);
  const outcome = text(details.outcome);
  const position = text(details.position);
  const stage = labelIn(details.stage, lang) ?? labelIn(d.stage, lang) ?? labelIn(deadline?.label, lang) ?? w.unknown;
  const dueAt = item.topic === 'deadline_extended' ? text(details.to) : (deadline?.dueAt ?? null);
  const p: Params = {
    v: text(details.draftVersion) ?? '?',
    round: text(details.round) ?? '?',
    state: stateCode ? (names[stateCode]?.[lang] ?? names[stateCode]?.en ?? stateCode) : '',
    outcome: outcome ? (w[outcome] ?? outcome) : '',
    position: position ? (w[position] ?? position) : '',
    stage,
    due: dueAt ? formatMoment(dueAt, locale) : w.unknown,
    correction: text(details.correction) ?? '?',
    decision: text(details.decision) ?? '',
  };
  const title = labelIn(d.topicTitle, lang);
  const measure = text(d.measure);
  const subjectKey = text(d.procedureSubject);
  const procedure = [measure, title, subjectKey ? `(${subjectKey})` : null].filter(Boolean).join(' ');
  // a withdrawal told to a state that owed an answer releases it; to the officers it is for information
  const released = item.topic === 'withdrawn' && Array.isArray(details.owing);
  const asked = released ? w.noAnswerNeeded : (ASKED[item.topic]?.[lang] ?? w.fyi);
  const reason = text(details.reason) ?? (item.topic === 'objection' ? text(details.text) : null);
  const corrected =
    typeof details.label === 'string' && 'oldValue' in details && 'newValue' in details
      ? `${details.label}: ${shownValue(details.oldValue)} → ${shownValue(details.newValue)}`
      : null;
  const lines = [
    `${w.procedure}: ${procedure || w.unknown}`,
    `${w.stage}: ${stage}`,
    `${w.asked}: ${asked}`,
    ...(corrected ? [`${w.correction}: ${corrected}`] : []),
    ...(dueAt ? [`${w.deadline}: ${formatMoment(dueAt, locale)}`] : []),
    ...(reason ? [`${w.reason}: ${reason}`] : []),
    `${w.details}: ${item.subject}`,
  ];
  return { headline: HEADLINES[item.topic][lang](p), lines, link: pageLink(publicUrl, item.instanceId) };
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function htmlOf(lang: Language, title: string, blocks: Block[], footer: string): string {
  const w = WORDS[lang];
  const body = blocks
    .map(
      (b) =>
        `<h2 style="font-size:16px">${escapeHtml(b.headline)}</h2><ul>${b.lines
          .map((l) => `<li>${escapeHtml(l)}</li>`)
          .join('')}</ul><p><a href="${escapeHtml(b.link)}">${escapeHtml(w.open)}</a></p>`,
    )
    .join('<hr>');
  return `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>${body}<p style="color:#666;font-size:12px">${escapeHtml(footer)}</p></body></html>`;
}

function textOf(blocks: Block[], lang: Language, footer: string): string {
  const w = WORDS[lang];
  return `${blocks.map((b) => [b.headline, '', ...b.lines, '', `${w.open}: ${b.link}`].join('\n')).join('\n\n----\n\n')}\n\n-- \n${footer}\n`;
}

/** One notification as one mail. */
export function renderNotification(
  item: MailItem,
  locale: ReaderLocale,
  publicUrl: string,
  names: StateNames = {},
): RenderedMail {
  const b = block(item, locale, publicUrl, names);
  const measure = text(item.data.measure);
  const subject = `${measure ? `[${measure}] ` : ''}${b.headline}`;
  const footer = WORDS[locale.language].preferences;
  return { subject, text: textOf([b], locale.language, footer), html: htmlOf(locale.language, subject, [b], footer) };
}

/** A day's notifications as one mail, oldest first. */
export function renderDigest(
  items: MailItem[],
  locale: ReaderLocale,
  publicUrl: string,
  names: StateNames = {},
  localDate: string,
): RenderedMail {
  const w = WORDS[locale.language];
  const blocks = items.map((i) => block(i, locale, publicUrl, names));
  const subject = `${w.digest}, ${localDate}: ${items.length} ${w.items}`;
  return {
    subject,
    text: textOf(blocks, locale.language, w.preferences),
    html: htmlOf(locale.language, subject, blocks, w.preferences),
  };
}
