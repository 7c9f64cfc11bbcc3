import { DifyConfigError } from '@dify-logs/core';
import type { Notifier } from '@dify-logs/core';
import { createEmailNotifier } from './email-notifier.js';
import type { EmailNotifierOptions } from './options.js';

type Environment = Readonly<Record<string, string | undefined>>;

function value(env: Environment, variable: string): string | undefined {
  const text = env[variable];
  return text === undefined || text.trim() === '' ? undefined : text.trim();
}

/**
 * The options the original tool's variables describe: SMTP_HOST, SMTP_PORT (465 means implicit TLS,
 * any other port uses STARTTLS when the server offers it), SMTP_USER, SMTP_PASSWORD (not trimmed),
 * SMTP_FROM (default: SMTP_USER when it is an address) and SMTP_TO (comma list).
 */
export function emailOptionsFromEnv(env: Environment, overrides: Partial<EmailNotifierOptions> = {}): EmailNotifierOptions {
  const portText = value(env, 'SMTP_PORT');
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65_535)) {
    throw new DifyConfigError('notification.email.port', 'SMTP_PORT must be a whole number from 1 to 65535');
  }
  const user = value(env, 'SMTP_USER');
  const password = env.SMTP_PASSWORD === undefined || env.SMTP_PASSWORD.trim() === '' ? undefined : env.SMTP_PASSWORD;
  const from = value(env, 'SMTP_FROM') ?? (user?.includes('@') ? user : undefined);
  return {
    host: value(env, 'SMTP_HOST'),
    ...(port !== undefined ? { port } : {}),
    secure: port === 465,
    ...(user !== undefined ? { user } : {}),
    ...(password !== undefined ? { password } : {}),
    from: from ?? '',
    to: value(env, 'SMTP_TO') ?? '',
    ...overrides,
  };
}

/** `createEmailNotifier(emailOptionsFromEnv(env, overrides))`: validated, no I/O. */
export function emailNotifierFromEnv(env: Environment, overrides: Partial<EmailNotifierOptions> = {}): Notifier {
  return createEmailNotifier(emailOptionsFromEnv(env, overrides));
}
