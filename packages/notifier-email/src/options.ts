import { DifyConfigError, type Logger } from '@dify-logs/core';
import type { Transporter } from 'nodemailer';

export interface AttachReportsOptions {
  /** Files are attached while their total size stays within this many bytes; the rest stay links. */
  maxBytes: number;
  /** Reads a link's file. Default: local paths and `file:` URLs are read from disk; other URLs are only linked. */
  read?: (url: string) => Promise<Uint8Array>;
}

export interface EmailNotifierOptions {
  /** SMTP server; not needed when `transport` is given. */
  host?: string;
  /** Default: 465 with `secure`, else 587. */
  port?: number;
  /** Implicit TLS from the first byte (usually port 465). */
  secure?: boolean;
  /**
   * Refuse to send unless the server upgrades the connection with STARTTLS. Without it STARTTLS is still used when
   * offered.
   */
  requireTLS?: boolean;
  user?: string;
  /** Never appears in an error or a log line. */
  password?: string;
  from: string;
  /** A list of addresses, or one comma-separated string. */
  to: string | string[];
  cc?: string | string[];
  /** Put before `[SEVERITY] title` in the subject, e.g. `[dify-logs]`. */
  subjectPrefix?: string;
  /** Attach small report files (links are always listed). */
  attachReports?: AttachReportsOptions;
  tls?: { rejectUnauthorized?: boolean };
  /** Connection, greeting and socket timeout in milliseconds (default 30 000). */
  timeoutMs?: number;
  /** A ready nodemailer transport; the notifier never closes it. */
  transport?: Transporter;
  /** Default `email`. */
  name?: string;
  logger?: Logger;
}

export interface ResolvedEmailOptions extends Omit<EmailNotifierOptions, 'to' | 'cc' | 'port'> {
  name: string;
  port: number;
  to: string[];
  cc: string[];
  timeoutMs: number;
}

const KEY = 'notification.email';

function nonEmpty(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/** A comma string or a list → trimmed, non-empty addresses. */
export function addressList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  const items =
    typeof value === 'string'
      ? value.split(',')
      : value.flatMap((item) => (typeof item === 'string' ? item.split(',') : [item]));
  return items.map((item) => (typeof item === 'string' ? item.trim() : item)).filter((item) => item !== '');
}

function checkAddresses(key: string, addresses: unknown[]): void {
  for (const address of addresses) {
    if (typeof address !== 'string' || !address.includes('@'))
      throw new DifyConfigError(key, 'every entry must be an e-mail address');
  }
}

/** Validates the options (no I/O) and fills in defaults. Throws `DifyConfigError` naming the key. */
export function resolveEmailOptions(options: EmailNotifierOptions): ResolvedEmailOptions {
  if (typeof options !== 'object' || options === null) throw new DifyConfigError(KEY, 'options are required');
  if (options.transport === undefined && !nonEmpty(options.host))
    throw new DifyConfigError(`${KEY}.host`, 'is required');
  if (!nonEmpty(options.from)) throw new DifyConfigError(`${KEY}.from`, 'is required');
  const to = addressList(options.to);
  if (to.length === 0) throw new DifyConfigError(`${KEY}.to`, 'needs at least one recipient');
  checkAddresses(`${KEY}.to`, to);
  const cc = addressList(options.cc);
  checkAddresses(`${KEY}.cc`, cc);
  const headerValues: Array<[string, unknown]> = [
    ['from', options.from],
    ['subjectPrefix', options.subjectPrefix],
    ...to.map((address): [string, unknown] => ['to', address]),
    ...cc.map((address): [string, unknown] => ['cc', address]),
  ];
  for (const [key, value] of headerValues) {
    if (typeof value === 'string' && /[\r\n]/.test(value))
      throw new DifyConfigError(`${KEY}.${key}`, 'must be one line (a line break would start another mail header)');
  }
  if (options.port !== undefined && !(Number.isInteger(options.port) && options.port >= 1 && options.port <= 65_535)) {
    throw new DifyConfigError(`${KEY}.port`, 'must be a whole number from 1 to 65535');
  }
  if (options.secure === true && options.requireTLS === true) {
    throw new DifyConfigError(
      `${KEY}.requireTLS`,
      'secure (implicit TLS) and requireTLS (STARTTLS) exclude each other',
    );
  }
  if (nonEmpty(options.password) && !nonEmpty(options.user))
    throw new DifyConfigError(`${KEY}.user`, 'is required with a password');
  if (nonEmpty(options.user) && !nonEmpty(options.password))
    throw new DifyConfigError(`${KEY}.password`, 'is required with a user');
  const attach = options.attachReports;
  if (
    attach !== undefined &&
    !(typeof attach.maxBytes === 'number' && attach.maxBytes > 0 && Number.isFinite(attach.maxBytes))
  ) {
    throw new DifyConfigError(`${KEY}.attachReports.maxBytes`, 'must be a positive number of bytes');
  }
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (!(Number.isFinite(timeoutMs) && timeoutMs > 0))
    throw new DifyConfigError(`${KEY}.timeoutMs`, 'must be a positive number');
  return {
    ...options,
    name: options.name ?? 'email',
    port: options.port ?? (options.secure ? 465 : 587),
    to,
    cc,
    timeoutMs,
  };
}
