import { createHash, randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { NOTICE_TOPICS, type NoticeTopic } from '../../workflows/kernel/types';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { CLOCK, type Clock } from '../infra/clock';
import { RUNTIME, type Runtime } from '../infra/runtime';
import { execute, queryOne, queryRows } from '../infra/sql';
import { ReferenceService } from '../reference/reference.service';
import {
  DELIVERIES,
  type Delivery,
  type NotificationSettingsDto,
  type UpdateNotificationSettingsDto,
} from './notification-settings.dto';
import { isTimeZone, readerLocale, type Language } from './reader-locale';

/** The hash a calendar token is stored as (the token itself is shown once, in the URL). */
export const calendarTokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

interface SettingsRow {
  language: Language | null;
  time_zone: string | null;
  member_state: string | null;
  digest_hour: number;
  calendar: boolean;
}

/** Each reader's language, time zone, digest hour, delivery per topic, followed partners and calendar token. */
@Injectable()
export class NotificationSettings {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(RUNTIME) private readonly runtime: Runtime,
    private readonly reference: ReferenceService,
  ) {}

  async get(userId: string): Promise<NotificationSettingsDto> {
    const u = await queryOne<SettingsRow>(
      this.ds,
      `SELECT language, time_zone, member_state, digest_hour, calendar_token_hash IS NOT NULL AS calendar FROM app_user WHERE id = $1`,
      [userId],
    );
    if (!u) throw new DomainException(ErrorCode.NOT_FOUND, 'Your account no longer exists.');
    const prefs = await queryRows<{ topic: NoticeTopic; delivery: Delivery }>(
      this.ds,
      `SELECT topic, delivery FROM notification_preference WHERE user_id = $1`,
      [userId],
    );
    const chosen = new Map(prefs.map((p) => [p.topic, p.delivery]));
    const follows = await queryRows<{ partner: string }>(
      this.ds,
      `SELECT partner FROM partner_follow WHERE user_id = $1 ORDER BY partner`,
      [userId],
    );
    const locale = readerLocale({ language: u.language, timeZone: u.time_zone, memberState: u.member_state });
    return {
      language: u.language,
      timeZone: u.time_zone,
      effectiveLanguage: locale.language,
      effectiveTimeZone: locale.timeZone,
      digestHour: u.digest_hour,
      preferences: Object.fromEntries(NOTICE_TOPICS.map((t) => [t, chosen.get(t) ?? 'email'])) as Record<
        NoticeTopic,
        Delivery
      >,
      followedPartners: follows.map((f) => f.partner),
      mailEnabled: !!this.runtime.env.SMTP_URL,
      calendar: u.calendar,
    };
  }

  /** Checks everything first; writes nothing unless all of it is valid. */
  async update(userId: string, dto: UpdateNotificationSettingsDto): Promise<NotificationSettingsDto> {
    if (typeof dto.timeZone === 'string' && !isTimeZone(dto.timeZone))
      throw new DomainException(
        ErrorCode.INVALID_PAYLOAD,
        `timeZone: "${dto.timeZone}" is not a time zone this service knows; use an IANA name such as Asia/Almaty or Europe/Moscow.`,
        { field: 'timeZone' },
      );
    const prefs = Object.entries(dto.preferences ?? {});
    const badTopic = prefs.find(([t]) => !(NOTICE_TOPICS as readonly string[]).includes(t));
    if (badTopic)
      throw new DomainException(
        ErrorCode.INVALID_PAYLOAD,
        `preferences: there is no topic "${badTopic[0]}"; the topics are ${NOTICE_TOPICS.join(', ')}.`,
        { field: `preferences.${badTopic[0]}` },
      );
    const badDelivery = prefs.find(([, d]) => !(DELIVERIES as readonly unknown[]).includes(d));
    if (badDelivery)
      throw new DomainException(
        ErrorCode.INVALID_PAYLOAD,
        `preferences.${badDelivery[0]}: choose in_app (in the application only), email (a mail at once) or digest (in the daily mail).`,
        { field: `preferences.${badDelivery[0]}` },
      );
    let partners: string[] | null = null;
    if (dto.followedPartners) {
      const known = new Set((await this.reference.partners(this.clock.now())).map((p) => p.code));
      const unknown = dto.followedPartners.filter((p) => !known.has(p));
      if (unknown.length)
        throw new DomainException(
          ErrorCode.INVALID_PAYLOAD,
          `followedPartners: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not a partner in the reference data; use partner codes from /reference/partners.`,
          { field: 'followedPartners' },
        );
      partners = [...new Set(dto.followedPartners)];
    }
    const now = this.clock.now();
    await this.ds.transaction(async (m) => {
      if (dto.language !== undefined)
        await execute(m, `UPDATE app_user SET language = $2 WHERE id = $1`, [userId, dto.language]);
      if (dto.timeZone !== undefined)
        await execute(m, `UPDATE app_user SET time_zone = $2 WHERE id = $1`, [userId, dto.timeZone]);
      if (dto.digestHour !== undefined)
        await execute(m, `UPDATE app_user SET digest_hour = $2 WHERE id = $1`, [userId, dto.digestHour]);
      for (const [topic, delivery] of prefs)
        await execute(
          m,
          `INSERT INTO notification_preference (user_id, topic, delivery, updated_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (user_id, topic) DO UPDATE SET delivery = EXCLUDED.delivery, updated_at = EXCLUDED.updated_at`,
          [userId, topic, delivery, now],
        );
      if (partners) {
        await execute(m, `DELETE FROM partner_follow WHERE user_id = $1`, [userId]);
        if (partners.length)
          await execute(
            m,
            `INSERT INTO partner_follow (user_id, partner, created_at) SELECT $1, p, $3 FROM unnest($2::text[]) AS p`,
            [userId, partners, now],
          );
      }
    });
    return this.get(userId);
  }

  /** A new private calendar address for the user; the previous one stops working. */
  async newCalendarToken(userId: string): Promise<{ url: string }> {
    const token = randomBytes(24).toString('base64url');
    await execute(this.ds, `UPDATE app_user SET calendar_token_hash = $2 WHERE id = $1`, [
      userId,
      calendarTokenHash(token),
    ]);
    return { url: `${this.runtime.env.PUBLIC_URL ?? ''}/calendar/${token}.ics` };
  }

  async revokeCalendar(userId: string): Promise<void> {
    await execute(this.ds, `UPDATE app_user SET calendar_token_hash = NULL WHERE id = $1`, [userId]);
  }
}
