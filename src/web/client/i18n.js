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
