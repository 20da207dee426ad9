import { renderDigest, renderNotification, type MailItem } from '../../src/notifications/mail-templates';
import { formatMoment, localClock, readerLocale } from '../../src/notifications/reader-locale';

const item: MailItem = {
  topic: 'objection',
  subject: 'CN objects to draft version 3: Art. 5 unacceptable',
  instanceId: '5b0e8c1e-2a7c-4a38-9d5e-0c1f8f1b2a11',
  data: {
    measure: '1(d)',
    topicTitle: { en: 'Model memorandum amendment', ru: 'Изменение типового меморандума', zh: '修改示范备忘录' },
    procedureSubject: 'model_memorandum',
    stage: { en: 'Approval by the CNC', ru: 'Одобрение СНК', zh: '国家协调员理事会批准' },
    deadline: { key: 'cnc_approval', dueAt: '2026-03-01T09:00:00.000Z' },
    details: { memberState: 'CN', text: 'Art. 5 unacceptable', draftVersion: 3, round: 1 },
  },
};
const names = { CN: { en: 'China', ru: 'Китай', zh: '中国' } };

describe('notification mail templates', () => {
  it('the reader language and time zone: their own choice, else their member state’s, else the Secretariat’s', () => {
    expect(readerLocale({ language: null, timeZone: null, memberState: 'KZ' })).toEqual({
      language: 'ru',
      timeZone: 'Asia/Almaty',
    });
    expect(readerLocale({ language: 'en', timeZone: 'Europe/Paris', memberState: 'CN' })).toEqual({
      language: 'en',
      timeZone: 'Europe/Paris',
    });
    expect(readerLocale({ language: 'xx', timeZone: 'Not/AZone', memberState: null })).toEqual({
      language: 'en',
      timeZone: 'Asia/Shanghai',
    });
    expect(localClock(new Date('2026-12-02T20:30:00Z'), 'Asia/Shanghai')).toEqual({ date: '2026-12-03', hour: 4 });
  });

  it('renders an objection in each language, with the reason, the deadline in the reader’s zone and the link', () => {
    const en = renderNotification(item, { language: 'en', timeZone: 'Asia/Kolkata' }, 'https://a.test', names);
    expect(en.subject).toBe('[1(d)] China objects to draft version 3');
    expect(en.text).toContain('Procedure: 1(d) Model memorandum amendment (model_memorandum)');
    expect(en.text).toContain('Stage: Approval by the CNC');
    expect(en.text).toContain('Reason: Art. 5 unacceptable');
    expect(en.text).toContain(
      `Deadline: ${formatMoment('2026-03-01T09:00:00.000Z', { language: 'en', timeZone: 'Asia/Kolkata' })}`,
    );
    expect(en.text).toContain('14:30'); // 09:00 UTC in India
    expect(en.text).toContain('Open in amendflow: https://a.test/app/#/procedure/5b0e8c1e-2a7c-4a38-9d5e-0c1f8f1b2a11');
    const ru = renderNotification(item, { language: 'ru', timeZone: 'Europe/Moscow' }, 'https://a.test', names);
    expect(ru.subject).toBe('[1(d)] Китай возражает против версии 3');
    expect(ru.text).toContain('Этап: Одобрение СНК');
    expect(ru.text).toContain('12:00'); // Moscow
    const zh = renderNotification(item, { language: 'zh', timeZone: 'Asia/Shanghai' }, 'https://a.test', names);
    expect(zh.subject).toBe('[1(d)] 中国反对第3版');
    expect(zh.html).toContain('<html lang="zh">');
    expect(zh.html).toContain('href="https://a.test/app/#/procedure/5b0e8c1e-2a7c-4a38-9d5e-0c1f8f1b2a11"');
  });

  it('escapes what people wrote in the HTML part', () => {
    const evil = { ...item, subject: '<script>alert(1)</script>' };
    const m = renderNotification(evil, { language: 'en', timeZone: 'UTC' }, 'https://a.test', names);
    expect(m.html).not.toContain('<script>');
    expect(m.html).toContain('&lt;script&gt;');
  });

  it('a digest holds every item, oldest first', () => {
    const d = renderDigest(
      [item, { ...item, topic: 'reminder', subject: 'Due soon' }],
      { language: 'en', timeZone: 'UTC' },
      'https://a.test',
      names,
      '2026-12-02',
    );
    expect(d.subject).toBe('Your daily summary, 2026-12-02: 2 notifications');
    expect(d.text.indexOf('China objects')).toBeLessThan(d.text.indexOf('Reminder: Approval by the CNC'));
  });

  describe('corrections and withdrawals, in each language', () => {
    const base = { ...item.data, deadline: undefined };
    const correction = (decision: string, reason: string): MailItem => ({
      topic: decision === 'proposed' ? 'correction_proposed' : 'correction_recorded',
      subject: `Correction 12 ${decision}: the decision date from "2025-01-03" to "2025-01-02" (${reason})`,
      instanceId: item.instanceId,
      data: {
        ...base,
        details: {
          correction: 12,
          decision,
          field: 'adoption.date',
          label: 'the decision date',
          oldValue: '2025-01-03',
          newValue: '2025-01-02',
          reason,
          memberState: null,
        },
      },
    });
    const at = (lang: 'en' | 'ru' | 'zh', m: MailItem) =>
      renderNotification(m, { language: lang, timeZone: 'UTC' }, 'https://a.test', names);

    it('a proposed correction asks for a second officer’s confirmation, with the change and the reason', () => {
      const m = correction('proposed', 'Typo in the minutes');
      const en = at('en', m);
      expect(en.subject).toBe('[1(d)] Correction 12 of the record awaits confirmation');
      expect(en.text).toContain('What is asked: Check the correction against its source, then confirm or reject it');
      expect(en.text).toContain('Correction: the decision date: "2025-01-03" → "2025-01-02"');
      expect(en.text).toContain('Reason: Typo in the minutes');
      expect(en.text).toContain('Open in amendflow: https://a.test/app/#/procedure/');
      expect(at('ru', m).subject).toBe('[1(d)] Исправление записи № 12 ожидает подтверждения');
      expect(at('ru', m).text).toContain('Исправление: the decision date: "2025-01-03" → "2025-01-02"');
      expect(at('ru', m).text).toContain('Что требуется: Сверьте исправление с источником');
      expect(at('zh', m).subject).toBe('[1(d)] 第12号记录更正待确认');
      expect(at('zh', m).text).toContain('需要您做的: 请对照来源核查该更正');
    });

    it('a confirmed or rejected correction is for information, with the rejection’s reason', () => {
      const confirmed = correction('confirmed', 'Typo in the minutes');
      expect(at('en', confirmed).subject).toBe('[1(d)] The record was corrected (correction 12)');
      expect(at('en', confirmed).text).toContain('What is asked: Nothing is asked of you: for your information.');
      expect(at('ru', confirmed).subject).toBe('[1(d)] Запись исправлена (исправление № 12)');
      expect(at('zh', confirmed).subject).toBe('[1(d)] 记录已更正（第12号更正）');
      const rejected = correction('rejected', 'The minutes are right');
      expect(at('en', rejected).subject).toBe('[1(d)] Correction 12 of the record was rejected');
      expect(at('en', rejected).text).toContain('Reason: The minutes are right');
      expect(at('ru', rejected).subject).toBe('[1(d)] Исправление записи № 12 отклонено');
      expect(at('zh', rejected).subject).toBe('[1(d)] 第12号记录更正已被驳回');
    });

    it('a withdrawal releases the states that owed an answer; the officers are told for information', () => {
      const toState: MailItem = {
        topic: 'withdrawn',
        subject:
          "The procedure was withdrawn while your state's answer on draft version 3 was awaited: no answer is needed any more",
        instanceId: item.instanceId,
        data: { ...base, details: { reason: 'Superseded', owedBy: ['KZ'], owing: ['KZ'], draftVersion: 3 } },
      };
      const toOfficers: MailItem = {
        ...toState,
        subject: 'The procedure was withdrawn: Superseded',
        data: { ...base, details: { reason: 'Superseded', owedBy: ['KZ'] } },
      };
      expect(at('en', toState).subject).toBe('[1(d)] The procedure has been withdrawn');
      expect(at('en', toState).text).toContain('What is asked: No answer is needed from your state any more.');
      expect(at('en', toState).text).toContain('Reason: Superseded');
      expect(at('ru', toState).text).toContain('Что требуется: Ответ вашего государства больше не требуется.');
      expect(at('ru', toState).subject).toBe('[1(d)] Процедура отозвана');
      expect(at('zh', toState).text).toContain('需要您做的: 贵国无需再作答复。');
      expect(at('en', toOfficers).text).toContain('What is asked: Nothing is asked of you: for your information.');
    });
  });
});
