// Interface strings in the SCO's official languages and the English working language.
// Stage labels and titles come from the API in all three.

const STRINGS = {
  en: {
    signIn: 'Sign in', signOut: 'Sign out', email: 'Email', password: 'Password', language: 'Language',
    myProcedures: 'My procedures', allProcedures: 'Procedures', start: 'Start a procedure', inbox: 'Inbox', history: 'My state\'s history', dashboard: 'Dashboard',
    procedure: 'Procedure', stage: 'Stage', status: 'Status', subject: 'Subject', nextDeadline: 'Next deadline', updated: 'Updated', measure: 'Measure',
    definition: 'Definition', startIt: 'Start', started: 'Procedure started', send: 'Send', actions: 'What you can do now', noActions: 'Nothing for you to do in this stage.',
    diagram: 'Stages', approvals: 'Approval matrix', timeline: 'Timeline', deadlines: 'Deadlines', children: 'Procedures opened by this one', draft: 'Draft',
    notAvailable: 'Not available yet on this server.', none: 'None', when: 'When', who: 'Who', event: 'Event', details: 'Details', round: 'Round', version: 'Version',
    memberState: 'Member state', position: 'Position', text: 'Text', due: 'Due', daysLeft: 'Days left', overdue: 'overdue', answer: 'Answer', kind: 'Answer',
    agree: 'Agree', agree_with_reservation: 'Agree with a reservation', object: 'Object', comments: 'Comments', no_comments: 'No comments', no_answer: 'No answer yet',
    answered: 'Answer recorded', inboxEmpty: 'Nothing waits for your answer.', draftVersion: 'Draft version',
    byProcedure: 'Active procedures by procedure and stage', count: 'Count', overdueItems: 'Overdue', dueThisWeek: 'Due this week',
    holding: 'Member states holding up open rounds', items: 'Items', waitingDays: 'Waiting (days)', objections: 'Objections in the latest rounds', reason: 'Reason',
    current: 'Current stage', loading: 'Loading…', open: 'Open', required: 'required', outcome: 'Outcome', activeOnly: 'Active procedures',
  },
  ru: {
    signIn: 'Войти', signOut: 'Выйти', email: 'Эл. почта', password: 'Пароль', language: 'Язык',
    myProcedures: 'Мои процедуры', allProcedures: 'Процедуры', start: 'Начать процедуру', inbox: 'Входящие', history: 'История ответов государства', dashboard: 'Сводка',
    procedure: 'Процедура', stage: 'Этап', status: 'Статус', subject: 'Предмет', nextDeadline: 'Ближайший срок', updated: 'Обновлено', measure: 'Мера',
    definition: 'Вид процедуры', startIt: 'Начать', started: 'Процедура начата', send: 'Отправить', actions: 'Доступные действия', noActions: 'На этом этапе действий для вас нет.',
    diagram: 'Этапы', approvals: 'Матрица согласования', timeline: 'Хронология', deadlines: 'Сроки', children: 'Порождённые процедуры', draft: 'Проект',
    notAvailable: 'Пока недоступно на этом сервере.', none: 'Нет', when: 'Когда', who: 'Кто', event: 'Событие', details: 'Подробности', round: 'Раунд', version: 'Версия',
    memberState: 'Государство-член', position: 'Позиция', text: 'Текст', due: 'Срок', daysLeft: 'Осталось дней', overdue: 'просрочено', answer: 'Ответить', kind: 'Ответ',
    agree: 'Согласны', agree_with_reservation: 'Согласны с оговоркой', object: 'Возражаем', comments: 'Есть замечания', no_comments: 'Замечаний нет', no_answer: 'Ответа нет',
    answered: 'Ответ записан', inboxEmpty: 'Нет вопросов, ожидающих ответа.', draftVersion: 'Версия проекта',
    byProcedure: 'Активные процедуры по видам и этапам', count: 'Количество', overdueItems: 'Просрочено', dueThisWeek: 'Срок на этой неделе',
    holding: 'Государства, задерживающие открытые раунды', items: 'Вопросов', waitingDays: 'Ожидание (дней)', objections: 'Возражения в последних раундах', reason: 'Основание',
    current: 'Текущий этап', loading: 'Загрузка…', open: 'Открыть', required: 'обязательно', outcome: 'Итог', activeOnly: 'Активные процедуры',
  },
  zh: {
    signIn: '登录', signOut: '退出', email: '电子邮件', password: '密码', language: '语言',
    myProcedures: '我的程序', allProcedures: '程序', start: '启动程序', inbox: '待办', history: '本国答复记录', dashboard: '概览',
    procedure: '程序', stage: '阶段', status: '状态', subject: '事项', nextDeadline: '最近期限', updated: '更新时间', measure: '措施',
    definition: '程序类型', startIt: '启动', started: '程序已启动', send: '发送', actions: '当前可执行的操作', noActions: '本阶段没有您的操作。',
    diagram: '阶段图', approvals: '审批矩阵', timeline: '时间线', deadlines: '期限', children: '由此启动的程序', draft: '草案',
    notAvailable: '此服务器暂不提供。', none: '无', when: '时间', who: '操作人', event: '事件', details: '详情', round: '轮次', version: '版本',
    memberState: '成员国', position: '立场', text: '文本', due: '期限', daysLeft: '剩余天数', overdue: '已逾期', answer: '答复', kind: '答复',
    agree: '同意', agree_with_reservation: '有保留地同意', object: '反对', comments: '有意见', no_comments: '无意见', no_answer: '尚未答复',
    answered: '答复已记录', inboxEmpty: '没有等待您答复的事项。', draftVersion: '草案版本',
    byProcedure: '按程序和阶段统计的进行中程序', count: '数量', overdueItems: '已逾期', dueThisWeek: '本周到期',
    holding: '未在进行中的轮次答复的成员国', items: '事项', waitingDays: '等待天数', objections: '最近轮次中的反对意见', reason: '理由',
    current: '当前阶段', loading: '加载中…', open: '打开', required: '必填', outcome: '结果', activeOnly: '进行中的程序',
  },
};

// Drafts, notifications, dashboard.
const MORE = {
  en: {
    noDraft: 'This procedure has no draft yet.', createDraft: 'Create the draft', source: 'Start from', source_regulation: 'The Regulation (current text)',
    source_model_memorandum: 'The model Memorandum', source_memorandum: 'An existing memorandum', source_blank: 'A blank draft', memorandum: 'Memorandum',
    ownMemorandum: "The procedure's memorandum", title: 'Title', titleHint: 'Title in the three languages: required for a blank draft, otherwise the source\'s title is used.',
    driftTitle: 'Russian and Chinese texts disagree', driftArticles: 'articles', driftBlocks: 'This version cannot be circulated or submitted until both authentic texts are updated in a new version.',
    englishStale: 'English working text possibly stale in articles', noVersion: 'No version yet.', versions: 'Versions', exportLanguage: 'Export language', note: 'Note',
    articles: 'Articles', drift: 'Drifted', from: 'from', to: 'to', allLanguages: 'All languages', editNewVersion: 'Edit into a new version', writeFirstVersion: 'Write the first version',
    redline: 'Redline', comparison: 'Comparison table', consolidation: 'Consolidation', consolidationHint: 'Comments and positions on the "from" version, article by article', outOfDate: 'out of date', possiblyStale: 'possibly stale', upToDate: 'up to date',
    latestVersion: 'latest', secretariat: 'Secretariat', addComment: 'Comment on this', comment: 'Add comment', generalComments: 'General comments', article: 'Art.',
    workingText: 'working text', noteHint: 'What this version changes and why', confirmMatches: 'checked: still matches', moveUp: 'Move up', moveDown: 'Move down',
    remove: 'Remove', newArticle: 'new', newVersionFrom: 'New version based on version', addArticle: 'Add an article', saveVersion: 'Save as a new version',
    change_added: 'added', change_removed: 'removed', change_moved: 'moved', change_renumbered: 'renumbered', change_changed: 'changed', change_unchanged: 'unchanged',
    base: 'Base text', proposed: 'Proposed text', reservations: 'Reservations', unanswered: 'No answer from', noNextVersion: 'No next version yet',
    addressed: 'Changed in the next version', notAddressed: 'Not changed in the next version', nextVersion: 'Next version', openDraftVersion: 'Open draft version',
    notifications: 'Notifications', markAllRead: 'Mark all read', markRead: 'Mark read', kind_reminder: 'Reminder', kind_escalation: 'Escalation', kind_info: 'Information',
    allPartners: 'All partners', allActive: 'All active procedures', anyProcedure: 'All procedures', partner: 'Partner', generatedAt: 'Figures as of', stageDurations: 'Average time per stage', doneCount: 'Completed', since: 'Since',
    averageDays: 'Average (days)', samples: 'Stages measured', daysOverdue: 'Days overdue', extend: 'Extend', newDueDate: 'New due date',
  },
  ru: {
    noDraft: 'У процедуры ещё нет проекта.', createDraft: 'Создать проект', source: 'Основа', source_regulation: 'Положение (действующий текст)',
    source_model_memorandum: 'Типовой меморандум', source_memorandum: 'Действующий меморандум', source_blank: 'Пустой проект', memorandum: 'Меморандум',
    ownMemorandum: 'Меморандум процедуры', title: 'Название', titleHint: 'Название на трёх языках: обязательно для пустого проекта, иначе берётся название основы.',
    driftTitle: 'Тексты на русском и китайском языках расходятся', driftArticles: 'статьи', driftBlocks: 'Эту версию нельзя разослать или представить, пока оба аутентичных текста не будут обновлены в новой версии.',
    englishStale: 'Рабочий английский текст, возможно, устарел в статьях', noVersion: 'Версий ещё нет.', versions: 'Версии', exportLanguage: 'Язык выгрузки', note: 'Примечание',
    articles: 'Статей', drift: 'Расхождения', from: 'с', to: 'по', allLanguages: 'Все языки', editNewVersion: 'Редактировать в новую версию', writeFirstVersion: 'Написать первую версию',
    redline: 'Правка', comparison: 'Сравнительная таблица', consolidation: 'Обобщение', consolidationHint: 'Замечания и позиции по версии «с», постатейно', outOfDate: 'устарел', possiblyStale: 'возможно, устарел', upToDate: 'актуален',
    latestVersion: 'последняя', secretariat: 'Секретариат', addComment: 'Замечание', comment: 'Добавить замечание', generalComments: 'Общие замечания', article: 'Ст.',
    workingText: 'рабочий текст', noteHint: 'Что меняет эта версия и почему', confirmMatches: 'проверено: соответствует', moveUp: 'Выше', moveDown: 'Ниже',
    remove: 'Удалить', newArticle: 'новая', newVersionFrom: 'Новая версия на основе версии', addArticle: 'Добавить статью', saveVersion: 'Сохранить как новую версию',
    change_added: 'добавлена', change_removed: 'исключена', change_moved: 'перемещена', change_renumbered: 'перенумерована', change_changed: 'изменена', change_unchanged: 'без изменений',
    base: 'Базовый текст', proposed: 'Предлагаемый текст', reservations: 'Оговорки', unanswered: 'Нет ответа от', noNextVersion: 'Следующей версии ещё нет',
    addressed: 'Изменена в следующей версии', notAddressed: 'Не изменена в следующей версии', nextVersion: 'Следующая версия', openDraftVersion: 'Открыть версию проекта',
    notifications: 'Уведомления', markAllRead: 'Отметить все как прочитанные', markRead: 'Прочитано', kind_reminder: 'Напоминание', kind_escalation: 'Эскалация', kind_info: 'Сведения',
    allPartners: 'Все партнёры', allActive: 'Все активные процедуры', anyProcedure: 'Все процедуры', partner: 'Партнёр', generatedAt: 'Данные на', stageDurations: 'Средняя продолжительность этапов', doneCount: 'Завершено', since: 'С',
    averageDays: 'В среднем (дней)', samples: 'Учтено этапов', daysOverdue: 'Дней просрочки', extend: 'Продлить', newDueDate: 'Новый срок',
  },
  zh: {
    noDraft: '本程序尚无草案。', createDraft: '创建草案', source: '依据', source_regulation: '条例（现行文本）',
    source_model_memorandum: '备忘录范本', source_memorandum: '现有备忘录', source_blank: '空白草案', memorandum: '备忘录',
    ownMemorandum: '本程序的备忘录', title: '标题', titleHint: '三种语言的标题：空白草案必填，否则采用依据文件的标题。',
    driftTitle: '俄文和中文文本不一致', driftArticles: '条款', driftBlocks: '在新版本中更新两种作准文本之前，此版本不能分发或提交。',
    englishStale: '英文工作文本可能已过时的条款', noVersion: '尚无版本。', versions: '版本', exportLanguage: '导出语言', note: '说明',
    articles: '条款数', drift: '不一致', from: '从', to: '到', allLanguages: '所有语言', editNewVersion: '编辑为新版本', writeFirstVersion: '撰写第一版',
    redline: '修订对照', comparison: '对照表', consolidation: '意见汇总', consolidationHint: '按条款列出对“从”版本的意见和立场', outOfDate: '已过时', possiblyStale: '可能已过时', upToDate: '最新',
    latestVersion: '最新', secretariat: '秘书处', addComment: '意见', comment: '添加意见', generalComments: '一般意见', article: '第',
    workingText: '工作文本', noteHint: '本版本的修改内容及理由', confirmMatches: '已核对：仍一致', moveUp: '上移', moveDown: '下移',
    remove: '删除', newArticle: '新', newVersionFrom: '基于版本的新版本', addArticle: '添加条款', saveVersion: '保存为新版本',
    change_added: '新增', change_removed: '删除', change_moved: '移动', change_renumbered: '重新编号', change_changed: '修改', change_unchanged: '未改',
    base: '原文本', proposed: '建议文本', reservations: '保留', unanswered: '未答复', noNextVersion: '尚无下一版本',
    addressed: '下一版本已修改', notAddressed: '下一版本未修改', nextVersion: '下一版本', openDraftVersion: '打开草案版本',
    notifications: '通知', markAllRead: '全部标为已读', markRead: '标为已读', kind_reminder: '提醒', kind_escalation: '升级', kind_info: '信息',
    allPartners: '所有伙伴', allActive: '所有进行中的程序', anyProcedure: '所有程序', partner: '伙伴', generatedAt: '数据截至', stageDurations: '各阶段平均用时', doneCount: '已完成', since: '起始',
    averageDays: '平均（天）', samples: '统计阶段数', daysOverdue: '逾期天数', extend: '延长', newDueDate: '新期限',
  },
};
for (const l of Object.keys(MORE)) Object.assign(STRINGS[l], MORE[l]);

export const LANGS = ['en', 'ru', 'zh'];

export function lang() {
  const l = localStorage.getItem('amendflow.lang');
  return LANGS.includes(l) ? l : 'en';
}

export function setLang(l) {
  if (LANGS.includes(l)) localStorage.setItem('amendflow.lang', l);
  document.documentElement.lang = lang();
}

/** Interface string. */
export function t(key) {
  return STRINGS[lang()][key] ?? STRINGS.en[key] ?? key;
}

/** A label object {en, ru, zh} from the API, in the chosen language. */
export function label(l, fallback) {
  if (!l) return fallback ?? '';
  if (typeof l === 'string') return l;
  return l[lang()] || l.en || fallback || '';
}
