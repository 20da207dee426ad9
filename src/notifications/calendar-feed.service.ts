import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import ical from 'ical-generator';
import { DataSource } from 'typeorm';
import type { Labels } from '../../workflows/kernel/types';
import type { DefinitionRegistry } from '../../workflows/registry';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { DEFINITIONS } from '../engine/engine.types';
import { CLOCK, type Clock } from '../infra/clock';
import { RUNTIME, type Runtime } from '../infra/runtime';
import { queryOne, queryRows } from '../infra/sql';
import { pageLink } from './mail-templates';
import { calendarTokenHash } from './notification-settings.service';
import { readerLocale, type Language } from './reader-locale';

const CALENDAR_NAME: Record<Language, string> = {
  en: 'amendflow: my deadlines',
  ru: 'amendflow: мои сроки',
  zh: 'amendflow：我的期限',
};
const WHY: Record<Language, Record<string, string>> = {
  en: { answer: 'Your state’s answer is owed', own: 'On you', follow: 'A partner you follow' },
  ru: { answer: 'Ожидается ответ вашего государства', own: 'За вами', follow: 'Партнёр, за которым вы следите' },
  zh: { answer: '待贵国答复', own: '由您负责', follow: '您关注的伙伴' },
};

interface DeadlineRow {
  id: string;
  instance_id: string;
  label: Labels;
  due_at: Date;
  definition_id: string;
  definition_version: number;
  subject: string;
  why: 'answer' | 'own' | 'follow';
}

/**
 * A reader's private iCalendar feed (a revocable token in the address, stored hashed): the open
 * deadlines that concern them — the rounds their member state still owes an answer in, the
 * deadlines on them (their own, or the reviews and stages of procedures they act on), and those
 * of the partners they follow — in their language. Read when the calendar asks, so always current.
 */
@Injectable()
export class CalendarFeed {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(RUNTIME) private readonly runtime: Runtime,
    @Inject(DEFINITIONS) private readonly registry: DefinitionRegistry,
  ) {}

  async feed(token: string): Promise<string> {
    const user = /^[A-Za-z0-9_-]{32}$/.test(token)
      ? await queryOne<{
          id: string;
          role: string;
          member_state: string | null;
          language: string | null;
          time_zone: string | null;
        }>(
          this.ds,
          `SELECT id, role, member_state, language, time_zone FROM app_user WHERE active AND calendar_token_hash = $1`,
          [calendarTokenHash(token)],
        )
      : null;
    if (!user)
      throw new DomainException(
        ErrorCode.NOT_FOUND,
        'This calendar address is not valid or was revoked; make a new one in your notification settings.',
      );
    const locale = readerLocale({ language: user.language, timeZone: user.time_zone, memberState: user.member_state });
    const rows = await queryRows<DeadlineRow>(
      this.ds,
      `SELECT DISTINCT ON (d.id) d.id, d.instance_id, d.label, d.due_at, i.definition_id, i.definition_version, i.subject, x.why
         FROM deadline d JOIN workflow_instance i ON i.id = d.instance_id
         JOIN LATERAL (
           SELECT 'answer' AS why WHERE d.responsible = 'approver'
              AND EXISTS (SELECT 1 FROM awaiting_answer a WHERE a.instance_id = d.instance_id AND a.member_state = $2)
           UNION ALL SELECT 'own' WHERE d.assignee = $1::text
           UNION ALL SELECT 'own' WHERE d.assignee IS NULL AND d.responsible = $3 AND $3 = 'legal_officer'
              AND (i.started_by = $1::text OR EXISTS (SELECT 1 FROM workflow_event e WHERE e.instance_id = i.id AND e.actor_id = $1::text))
           UNION ALL SELECT 'follow' WHERE i.partner IN (SELECT partner FROM partner_follow WHERE user_id::text = $1::text)
         ) x ON true
        WHERE d.status = 'open' AND i.status = 'active'
        ORDER BY d.id, x.why`,
      [user.id, user.member_state ?? '', user.role],
    );
    const lang = locale.language;
    const cal = ical({
      name: CALENDAR_NAME[lang],
      timezone: locale.timeZone,
      prodId: { company: 'SCO Secretariat', product: 'amendflow', language: lang.toUpperCase() },
    });
    const base = this.runtime.env.PUBLIC_URL ?? '';
    for (const r of rows.sort((a, b) => new Date(a.due_at).getTime() - new Date(b.due_at).getTime())) {
      const def = this.registry.get(r.definition_id, r.definition_version);
      const title = def ? `${def.measure} ${def.title[lang]}` : r.definition_id;
      const due = new Date(r.due_at);
      cal.createEvent({
        id: `deadline-${r.id}@amendflow`,
        start: due,
        end: new Date(due.getTime() + 30 * 60_000),
        stamp: this.clock.now(),
        summary: `${r.label[lang] ?? r.label.en} — ${title} (${r.subject})`,
        description: `${WHY[lang][r.why]}\n${pageLink(base, r.instance_id)}`,
        url: pageLink(base, r.instance_id),
      });
    }
    return cal.toString();
  }
}
