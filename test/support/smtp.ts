/**
 * A real SMTP server for tests (`smtp-server` on loopback, port 0) that parses what it receives
 * with `mailparser`. `refuse` scripts answers to RCPT TO per recipient: each listed code is used
 * once, in order, then the recipient is accepted.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  subject: string;
  text: string;
  html: string;
  language: string | null;
  reference: string | null;
}

export interface TestSmtp {
  url: string;
  received: ReceivedMail[];
  /** RCPT TO answers per recipient address (lower case): e.g. [451] refuses once for now, [550] for good. */
  refuse: Map<string, number[]>;
  /** How many RCPT TO each address received (accepted or not). */
  attempts: Map<string, number>;
  close(): Promise<void>;
}

export async function startSmtp(): Promise<TestSmtp> {
  const received: ReceivedMail[] = [];
  const refuse = new Map<string, number[]>();
  const attempts = new Map<string, number>();
  const server = new SMTPServer({
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const who = address.address.toLowerCase();
      attempts.set(who, (attempts.get(who) ?? 0) + 1);
      const code = refuse.get(who)?.shift();
      if (code) {
        const err = Object.assign(new Error(code >= 500 ? 'Mailbox unavailable' : 'Try again later'), {
          responseCode: code,
        });
        return callback(err);
      }
      callback();
    },
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((m) => {
          const to = (Array.isArray(m.to) ? m.to : m.to ? [m.to] : []).flatMap((a) =>
            a.value.map((v) => (v.address ?? '').toLowerCase()),
          );
          const header = (name: string) => {
            const v = m.headers.get(name);
            return typeof v === 'string' ? v : null;
          };
          received.push({
            to,
            subject: m.subject ?? '',
            text: m.text ?? '',
            html: typeof m.html === 'string' ? m.html : '',
            language: header('content-language'),
            reference: header('x-amendflow-reference'),
          });
          callback();
        })
        .catch((err: Error) => callback(err));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    refuse,
    attempts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
