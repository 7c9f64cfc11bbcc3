import { DifyConfigError } from '@dify-logs/core';
import { environmentToConfig } from '@dify-logs/core/adapter-kit';
import type { Notifier } from '@dify-logs/core/adapter-kit';
import { createEmailNotifier } from './email-notifier.js';
import type { EmailNotifierOptions } from './options.js';
import { EMAIL_VARIABLES } from './plugin.js';

type Environment = Readonly<Record<string, string | undefined>>;

/**
 * The SMTP_* values, read through the plugin's declarations (core's `environmentToConfig`: the one place variables are
 * read).
 */
function emailValues(env: Environment): Record<string, string | undefined> {
  const tree = environmentToConfig(env, EMAIL_VARIABLES).tree as { notification?: { email?: Record<string, string> } };
  return tree.notification?.email ?? {};
}

/**
 * The options the original tool's variables describe: SMTP_HOST, SMTP_PORT (465 means implicit TLS,
 * any other port uses STARTTLS when the server offers it), SMTP_USER, SMTP_PASSWORD (not trimmed),
 * SMTP_FROM (default: SMTP_USER when it is an address) and SMTP_TO (comma list).
 */
export function emailOptionsFromEnv(
  env: Environment,
  overrides: Partial<EmailNotifierOptions> = {},
): EmailNotifierOptions {
  const values = emailValues(env);
  const portText = values.port;
  const port = portText === undefined ? undefined : Number(portText);
  if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65_535)) {
    throw new DifyConfigError('notification.email.port', 'SMTP_PORT must be a whole number from 1 to 65535');
  }
  const { user, password } = values;
  const from = values.from ?? (user?.includes('@') ? user : undefined);
  return {
    host: values.host,
    ...(port !== undefined ? { port } : {}),
    secure: port === 465,
    ...(user !== undefined ? { user } : {}),
    ...(password !== undefined ? { password } : {}),
    from: from ?? '',
    to: values.to ?? '',
    ...overrides,
  };
}

/** `createEmailNotifier(emailOptionsFromEnv(env, overrides))`: validated, no I/O. */
export function emailNotifierFromEnv(env: Environment, overrides: Partial<EmailNotifierOptions> = {}): Notifier {
  return createEmailNotifier(emailOptionsFromEnv(env, overrides));
}
