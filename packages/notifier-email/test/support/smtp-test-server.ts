import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface TestSmtpServer {
  port: number;
  /** Parsed messages, in the order they arrived. */
  messages: ParsedMail[];
  /** Envelope recipients per message. */
  recipients: string[][];
  /** How each session ended up: whether it was on TLS and who logged in. */
  sessions: Array<{ secure: boolean; user: string | undefined }>;
  reset(): void;
  close(): Promise<void>;
}

export interface TestSmtpServerOptions {
  /** Require AUTH PLAIN/LOGIN with these credentials (offered after STARTTLS only, as real servers do). */
  credentials?: { user: string; password: string };
  /** Offer STARTTLS with smtp-server's built-in self-signed certificate. */
  starttls?: boolean;
  /** Implicit TLS from the first byte. */
  secure?: boolean;
  /** Answer RCPT TO with this error. */
  rejectRecipient?: { responseCode: number; message: string };
}

function smtpError(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode });
}

/** An in-process SMTP server (smtp-server) on 127.0.0.1 that parses what it receives with mailparser. */
export async function startSmtpServer(options: TestSmtpServerOptions = {}): Promise<TestSmtpServer> {
  const messages: ParsedMail[] = [];
  const recipients: string[][] = [];
  const sessions: TestSmtpServer['sessions'] = [];
  const serverOptions: SMTPServerOptions = {
    logger: false,
    secure: options.secure ?? false,
    authOptional: options.credentials === undefined,
    authMethods: ['PLAIN', 'LOGIN'],
    disabledCommands: [
      ...(options.credentials === undefined ? ['AUTH'] : []),
      ...(options.starttls || options.secure ? [] : ['STARTTLS']),
    ],
    onAuth(auth, _session, callback) {
      const expected = options.credentials;
      if (expected && auth.username === expected.user && auth.password === expected.password)
        return callback(null, { user: auth.username });
      return callback(smtpError('Authentication failed', 535));
    },
    onRcptTo(address, _session, callback) {
      const rejection = options.rejectRecipient;
      if (rejection) return callback(smtpError(rejection.message, rejection.responseCode));
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          messages.push(mail);
          recipients.push(session.envelope.rcptTo.map((item) => item.address));
          sessions.push({ secure: session.secure, user: typeof session.user === 'string' ? session.user : undefined });
          callback();
        },
        (error: Error) => callback(error),
      );
    },
  };
  const server = new SMTPServer(serverOptions);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    messages,
    recipients,
    sessions,
    reset() {
      messages.length = 0;
      recipients.length = 0;
      sessions.length = 0;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
