import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import { RUNTIME, type Runtime } from '../infra/runtime';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Our own id of the mail (the notification or digest), in the Message-ID and a header. */
  reference: string;
  language: string;
}

/**
 * What the mail server answered, per recipient: the addresses it accepted and those it rejected
 * (at RCPT TO or after DATA), its last answer, and the Message-ID the mail went with. An accepted
 * address only means the server took the mail: a bounce may still come later, to MAIL_FROM.
 */
export interface MailDelivery {
  accepted: string[];
  rejected: string[];
  response: string | null;
  messageId: string;
}

/** What the mail server answered when it did not take a mail. */
export class MailRefused extends Error {
  constructor(
    message: string,
    /** 5xx: the server will never take it (a refusal); otherwise it may later (retry). */
    readonly permanent: boolean,
    /** Per recipient, what the server said (who it rejected and its answer). */
    readonly delivery: MailDelivery,
  ) {
    super(message);
  }
}

/** The addresses of nodemailer's `accepted`/`rejected` lists (strings or `{ address }`). */
function addresses(list: unknown): string[] {
  if (!Array.isArray(list)) return [];
  const items: readonly unknown[] = list;
  return items
    .map((a) =>
      typeof a === 'string'
        ? a
        : typeof a === 'object' && a !== null && 'address' in a && typeof a.address === 'string'
          ? a.address
          : '',
    )
    .filter(Boolean)
    .map((a) => a.toLowerCase());
}

const answer = (v: unknown): string | null => (typeof v === 'string' && v ? v.slice(0, 1000) : null);

/**
 * The SMTP connection (nodemailer, pooled): one per process, set from SMTP_URL and MAIL_FROM.
 * Without SMTP_URL mail is off and notifications stay in the application.
 */
@Injectable()
export class MailTransport implements OnModuleDestroy {
  private readonly log = new Logger('Mail');
  private transporter: Transporter | null = null;

  constructor(@Inject(RUNTIME) private readonly runtime: Runtime) {}

  get enabled(): boolean {
    return !!this.runtime.env.SMTP_URL && !!this.runtime.env.MAIL_FROM;
  }

  get publicUrl(): string {
    return this.runtime.env.PUBLIC_URL ?? '';
  }

  private connection(): Transporter {
    if (!this.transporter) {
      const url = this.runtime.env.SMTP_URL;
      if (!url) throw new Error('Mail is off: SMTP_URL is not set');
      this.transporter = createTransport(url, { from: this.runtime.env.MAIL_FROM });
    }
    return this.transporter;
  }

  /**
   * Sends one mail; returns what the server answered per recipient, or throws MailRefused with
   * the server's answer when it did not take it.
   */
  async send(mail: OutgoingMail): Promise<MailDelivery> {
    const domain = new URL(this.publicUrl || 'http://amendflow.invalid').hostname;
    const messageId = `<${mail.reference}@${domain}>`;
    const to = mail.to.toLowerCase();
    let info: { accepted?: unknown; rejected?: unknown; response?: unknown };
    try {
      info = await this.connection().sendMail({
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId,
        headers: { 'X-Amendflow-Reference': mail.reference, 'Content-Language': mail.language },
      });
    } catch (err) {
      const e = err as { responseCode?: number; response?: string; message?: string; rejected?: unknown };
      const code = e.responseCode ?? 0;
      const said = (e.response ?? e.message ?? 'the mail server did not answer').slice(0, 1000);
      const rejected = addresses(e.rejected);
      const permanent = code >= 500 && code < 600;
      throw new MailRefused(said, permanent, {
        accepted: [],
        // a recipient is rejected only when the server said so for good; a 4xx is tried again
        rejected: rejected.length ? rejected : permanent ? [to] : [],
        response: answer(e.response) ?? said,
        messageId,
      });
    }
    const delivery: MailDelivery = {
      accepted: addresses(info.accepted),
      rejected: addresses(info.rejected),
      response: answer(info.response),
      messageId,
    };
    if (delivery.rejected.length || !delivery.accepted.includes(to))
      throw new MailRefused(`refused: ${delivery.response ?? 'recipient rejected'}`, true, delivery);
    return delivery;
  }

  onModuleDestroy(): void {
    this.transporter?.close();
    this.transporter = null;
  }

  /** Said once at boot: where mail goes, or that it is off. */
  announce(): void {
    if (this.enabled) {
      const u = new URL(this.runtime.env.SMTP_URL as string);
      this.log.log(`Notification mail goes through ${u.protocol}//${u.host} from ${this.runtime.env.MAIL_FROM}`);
    } else {
      this.log.log('Mail is off (SMTP_URL and MAIL_FROM not set): notifications are shown in the application only');
    }
  }
}
