import { DifyConfigError } from '@dify-logs/core';
import { configValues, definePlugin, z } from '@dify-logs/core/adapter-kit';

const { nonEmpty, secretText, wholeNumber, listOf } = configValues;

/** `notification.email`. */
export const emailSection = z.strictObject({
  host: nonEmpty,
  port: wholeNumber(1, 65_535).default(587),
  user: nonEmpty.optional(),
  password: secretText.optional(),
  from: nonEmpty.optional(),
  to: listOf(nonEmpty, 1),
});

/** The original tool's SMTP_* variables. */
export const EMAIL_VARIABLES = [
  { name: 'SMTP_HOST', key: 'notification.email.host', description: 'mail server', required: true },
  { name: 'SMTP_PORT', key: 'notification.email.port', description: 'mail server port' },
  { name: 'SMTP_USER', key: 'notification.email.user', description: 'mail login' },
  { name: 'SMTP_PASSWORD', key: 'notification.email.password', description: 'mail login' },
  { name: 'SMTP_TO', key: 'notification.email.to', description: 'comma list of recipients', required: true },
  { name: 'SMTP_FROM', key: 'notification.email.from', description: 'sender address' },
] as const;

/**
 * `notification.type: [email]`: SMTP through nodemailer (loaded when the notifier is created). Port 465 is implicit
 * TLS.
 */
export const plugin = definePlugin({
  kind: 'notifier',
  type: 'email',
  description: 'e-mail over SMTP',
  schema: emailSection,
  env: EMAIL_VARIABLES,
  async create(email: z.output<typeof emailSection>) {
    const from = email.from ?? email.user;
    if (!from)
      throw new DifyConfigError(
        'notification.email.from',
        'is required when notification.email.user is not an address (SMTP_FROM)',
      );
    const { createEmailNotifier } = await import('./email-notifier.js');
    return createEmailNotifier({
      name: 'email',
      host: email.host,
      port: email.port,
      secure: email.port === 465,
      ...(email.user ? { user: email.user } : {}),
      ...(email.password ? { password: email.password } : {}),
      from,
      to: email.to,
    });
  },
});
