/**
 * A reader's language and time zone: their own choice when they made one, else the default of
 * their member state (the official language used with it, its capital's time zone), else the
 * Secretariat's (English, Beijing time). Pure.
 */
export const LANGUAGES = ['en', 'ru', 'zh'] as const;
export type Language = (typeof LANGUAGES)[number];

/** The language and time zone the Secretariat uses with each member state. */
const STATE_DEFAULTS: Readonly<Record<string, { language: Language; timeZone: string }>> = {
  BY: { language: 'ru', timeZone: 'Europe/Minsk' },
  CN: { language: 'zh', timeZone: 'Asia/Shanghai' },
  IN: { language: 'en', timeZone: 'Asia/Kolkata' },
  IR: { language: 'en', timeZone: 'Asia/Tehran' },
  KG: { language: 'ru', timeZone: 'Asia/Bishkek' },
  KZ: { language: 'ru', timeZone: 'Asia/Almaty' },
  PK: { language: 'en', timeZone: 'Asia/Karachi' },
  RU: { language: 'ru', timeZone: 'Europe/Moscow' },
  TJ: { language: 'ru', timeZone: 'Asia/Dushanbe' },
  UZ: { language: 'ru', timeZone: 'Asia/Tashkent' },
};
const SECRETARIAT = { language: 'en' as Language, timeZone: 'Asia/Shanghai' };

export interface ReaderLocale {
  language: Language;
  timeZone: string;
}

export function isLanguage(v: unknown): v is Language {
  return typeof v === 'string' && (LANGUAGES as readonly string[]).includes(v);
}

/** Whether the runtime knows the IANA time zone `tz` (e.g. `Asia/Almaty`). */
export function isTimeZone(tz: string): boolean {
  if (tz.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function readerLocale(user: {
  language: string | null;
  timeZone: string | null;
  memberState: string | null;
}): ReaderLocale {
  const base = (user.memberState && STATE_DEFAULTS[user.memberState]) || SECRETARIAT;
  return {
    language: isLanguage(user.language) ? user.language : base.language,
    timeZone: user.timeZone && isTimeZone(user.timeZone) ? user.timeZone : base.timeZone,
  };
}

const LOCALES: Record<Language, string> = { en: 'en-GB', ru: 'ru-RU', zh: 'zh-CN' };

/** A moment as the reader reads it: date and time in their language and time zone, the zone named. */
export function formatMoment(at: Date | string, locale: ReaderLocale): string {
  const text = new Intl.DateTimeFormat(LOCALES[locale.language], {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: locale.timeZone,
  }).format(new Date(at));
  return `${text} (${locale.timeZone})`;
}

/** The reader's calendar date and hour at `at` (for the daily digest). */
export function localClock(at: Date, timeZone: string): { date: string; hour: number } {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '00';
  return { date: `${get('year')}-${get('month')}-${get('day')}`, hour: Number(get('hour')) };
}
