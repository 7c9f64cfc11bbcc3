import { DifyHttpError } from '../../errors/http-error.js';
import { parseRetryAfter } from './retry-after.js';

/**
 * Builds the error for a non-2xx answer. Dify's bodies come in three shapes by era
 * (`{code,message,status}`, `{code,message,params}`, `{message,errors:{field:reason}}`);
 * proxies answer HTML or plain text.
 */
export function toHttpError(endpoint: string, status: number, headers: Headers, text: string): DifyHttpError {
  let difyCode: string | undefined;
  let difyMessage: string | undefined;
  let fields: Record<string, string> | undefined;
  const body = tryJson(text);
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const record = body as Record<string, unknown>;
    if (typeof record.code === 'string') difyCode = record.code;
    if (typeof record.message === 'string') difyMessage = record.message;
    else if (typeof record.data === 'string') difyMessage = record.data;
    if (typeof record.params === 'string') fields = { [record.params]: difyMessage ?? 'invalid' };
    if (typeof record.errors === 'object' && record.errors !== null) {
      fields = Object.fromEntries(
        Object.entries(record.errors as Record<string, unknown>).map(([key, value]) => [key, String(value)]),
      );
    }
  } else if (text.trim() !== '') {
    difyMessage = summariseText(text);
  }
  return new DifyHttpError({
    endpoint,
    status,
    difyCode,
    difyMessage,
    fields,
    retryAfterMs: parseRetryAfter(headers.get('retry-after')),
  });
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A short, single-line description of a non-JSON body (the `<title>` of an HTML page, or its first words). */
function summariseText(text: string): string {
  const title = /<title>([^<]*)<\/title>/i.exec(text)?.[1];
  const plain = (title ?? text.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim();
  const short = plain.length > 160 ? `${plain.slice(0, 157)}...` : plain;
  return `non-JSON body: ${short}`;
}
