import { silentLogger } from '@dify-logs/core';
import type { Notifier, NotificationMessage, NotificationReceipt } from '@dify-logs/core/adapter-kit';
import { createTransport, type SendMailOptions, type Transporter } from 'nodemailer';
import { collectAttachments } from './attachments.js';
import { resolveEmailOptions, type EmailNotifierOptions, type ResolvedEmailOptions } from './options.js';
import { renderEmail } from './render-email.js';
import { smtpError } from './smtp-errors.js';

/** The password in the forms it could take in a server reply (plain, base64, AUTH PLAIN's base64 token). */
function secretsOf(options: ResolvedEmailOptions): string[] {
  const password = options.password;
  if (password === undefined || password === '') return [];
  const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  return [password, base64(password), base64(`\u0000${options.user ?? ''}\u0000${password}`)];
}

function ownTransport(options: ResolvedEmailOptions): Transporter {
  const auth = options.user ? { user: options.user, pass: options.password ?? '' } : undefined;
  return createTransport({
    host: options.host,
    port: options.port,
    secure: options.secure ?? false,
    requireTLS: options.requireTLS ?? false,
    ...(auth ? { auth } : {}),
    ...(options.tls ? { tls: { ...options.tls } } : {}),
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
    dnsTimeout: options.timeoutMs,
    logger: false,
    debug: false,
  });
}

/**
 * An e-mail notifier over SMTP (nodemailer): one message per `send`, HTML with a plain-text alternative,
 * small report files attached when `attachReports` is set. No I/O until the first `send`; `close()` closes
 * the transport it created, never one passed in as `transport`.
 */
export function createEmailNotifier(input: EmailNotifierOptions): Notifier {
  const options = resolveEmailOptions(input);
  const { name } = options;
  const logger = (options.logger ?? silentLogger).child({ adapter: name });
  const secrets = secretsOf(options);
  let owned: Transporter | undefined;
  const transport = (): Transporter => options.transport ?? (owned ??= ownTransport(options));

  async function compose(message: NotificationMessage): Promise<SendMailOptions> {
    const { attachments, attached } = options.attachReports
      ? await collectAttachments(message, options.attachReports, logger)
      : { attachments: [], attached: new Set<string>() };
    const email = renderEmail(message, { subjectPrefix: options.subjectPrefix, attached });
    return {
      from: options.from,
      to: options.to,
      ...(options.cc.length > 0 ? { cc: options.cc } : {}),
      subject: email.subject,
      text: email.text,
      html: email.html,
      attachments,
      disableFileAccess: true,
      disableUrlAccess: true,
    };
  }

  return {
    name,
    capabilities: { markdown: false },
    async send(message): Promise<NotificationReceipt> {
      const mail = await compose(message);
      try {
        const info = (await transport().sendMail(mail)) as { messageId?: unknown };
        logger.debug({ kind: message.kind, attachments: mail.attachments?.length ?? 0 }, 'sent');
        return typeof info?.messageId === 'string' ? { notifier: name, id: info.messageId } : { notifier: name };
      } catch (error) {
        throw smtpError(name, error, secrets);
      }
    },
    async close() {
      owned?.close();
      owned = undefined;
    },
  };
}
