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

/** What the mail server answered when it did not take a mail. */
export class MailRefused extends Error {
  constructor(
    message: string,
    /** 5xx: the server will never take it (a refusal); otherwise it may later (retry). */
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

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

  /** Sends one mail; throws MailRefused with the server's answer when it does not take it. */
  async send(mail: OutgoingMail): Promise<void> {
    const domain = new URL(this.publicUrl || 'http://amendflow.invalid').hostname;
    try {
      const info = (await this.connection().sendMail({
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: `<${mail.reference}@${domain}>`,
        headers: { 'X-Amendflow-Reference': mail.reference, 'Content-Language': mail.language },
      })) as { rejected?: unknown[]; response?: string };
      if (info.rejected?.length) throw new MailRefused(`refused: ${info.response ?? 'recipient rejected'}`, true);
    } catch (err) {
      if (err instanceof MailRefused) throw err;
      const e = err as { responseCode?: number; response?: string; message?: string };
      const code = e.responseCode ?? 0;
      throw new MailRefused(
        (e.response ?? e.message ?? 'the mail server did not answer').slice(0, 1000),
        code >= 500 && code < 600,
      );
    }
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
