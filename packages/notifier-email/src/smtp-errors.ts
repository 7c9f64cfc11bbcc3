import { DifyLogsError, DifyNetworkError } from '@dify-logs/core';
import { scrub } from '@dify-logs/core/adapter-kit';
import type { NodemailerError } from 'nodemailer';

const NETWORK_CODES = new Set([
  'ECONNECTION',
  'ESOCKET',
  'EDNS',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
const CERTIFICATE_PATTERN = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/i;

function asNodemailerError(error: unknown): NodemailerError {
  return typeof error === 'object' && error !== null
    ? (error as NodemailerError)
    : { name: 'Error', message: String(error) };
}

/** The server's reply, shortened to one line, for the error message. */
function reply(error: NodemailerError): string {
  const text = (error.response ?? error.message ?? '').replace(/\s+/g, ' ').trim();
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** 4xx and 503 (and any reply nodemailer marks not permanent) may succeed later; other 5xx never do. */
function transientReply(error: NodemailerError): boolean {
  if (typeof error.permanent === 'boolean') return !error.permanent;
  const code = error.responseCode ?? 0;
  return (code >= 400 && code < 500) || code === 503;
}

function classify(name: string, error: NodemailerError): DifyLogsError {
  const code = error.code ?? '';
  const status = error.responseCode;
  const cause = error;
  if (code === 'EAUTH' || code === 'ENOAUTH' || status === 530 || status === 534 || status === 535) {
    const retryable = code === 'EAUTH' && status !== undefined && transientReply(error);
    const detail = status !== undefined ? ` (${status})` : '';
    return new DifyLogsError(`${name}: SMTP authentication failed${detail}: ${reply(error)}`, {
      code: 'auth_failed',
      cause,
      isRetryable: retryable,
    });
  }
  if (code === 'ETIMEDOUT') return new DifyNetworkError(name, 'timeout', cause);
  if (code === 'ETLS' && status === undefined && /closed unexpectedly/i.test(error.message))
    return new DifyNetworkError(name, 'network', cause);
  if (code === 'ETLS' || (status === undefined && CERTIFICATE_PATTERN.test(`${error.originalCode ?? ''} ${code}`))) {
    // A refused certificate, or STARTTLS refused under requireTLS: a configuration problem (454 is temporary).
    const response = error.response ? ` (${reply(error)})` : '';
    return new DifyLogsError(`${name}: TLS with the SMTP server failed: ${error.message}${response}`, {
      code: 'tls_failed',
      cause,
      isRetryable: status !== undefined && status >= 400 && status < 500,
    });
  }
  if (status !== undefined) {
    const transient = transientReply(error);
    const rejected = transient
      ? undefined
      : code === 'EENVELOPE'
        ? 'recipient_rejected'
        : code === 'EMESSAGE'
          ? 'message_rejected'
          : undefined;
    const what = transient
      ? 'deferred the message'
      : code === 'EENVELOPE'
        ? 'refused a sender or recipient'
        : code === 'EMESSAGE'
          ? 'refused the message'
          : 'answered';
    return new DifyLogsError(`${name}: SMTP server ${what} (${status}): ${reply(error)}`, {
      code: rejected ?? `smtp_${status}`,
      cause,
      isRetryable: transient,
    });
  }
  if (NETWORK_CODES.has(code) || NETWORK_CODES.has(error.originalCode ?? ''))
    return new DifyNetworkError(name, 'network', cause);
  if (code === 'EENVELOPE' || code === 'ECONFIG' || code === 'EMAXRECIPIENTS') {
    return new DifyLogsError(`${name}: ${reply(error)}`, { code: 'invalid_message', cause, isRetryable: false });
  }
  return new DifyLogsError(`${name}: sending failed: ${reply(error)}`, {
    code: 'smtp_failed',
    cause,
    isRetryable: true,
  });
}

/** Turns what nodemailer threw into a classified `DifyLogsError` whose message holds none of `secrets`. */
export function smtpError(name: string, error: unknown, secrets: string[]): DifyLogsError {
  const classified = DifyLogsError.isInstance(error) ? error : classify(name, asNodemailerError(error));
  classified.message = scrub(classified.message, secrets);
  return classified;
}
