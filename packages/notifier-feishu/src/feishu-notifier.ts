import {
  DifyConfigError,
  DifyHttpError,
  DifyLogsError,
  DifyResponseError,
  silentLogger,
  type Logger,
} from '@dify-logs/core';
import type { Notifier } from '@dify-logs/core/adapter-kit';
import { scrub } from '@dify-logs/core/adapter-kit';
import { bodyBytes, renderCard } from './render.js';
import { feishuSignature } from './sign.js';
import { channels } from '@dify-logs/core/adapter-kit';
const { describeWebhook, jsonObject, optionalText, parseWebhook, positiveInteger, postJson } = channels;
type ChannelResponse = channels.ChannelResponse;

export interface FeishuNotifierOptions {
  /**
   * `https://open.feishu.cn/open-apis/bot/v2/hook/…` (Lark: `open.larksuite.com`). The last path segment is the bot's
   * token: never shown.
   */
  webhook: string;
  /** The secret of the bot's signature check (签名校验); every request body is then signed. */
  secret?: string;
  /** Default `feishu`. */
  name?: string;
  logger?: Logger;
  /** Default: global fetch. */
  fetch?: typeof fetch;
  /** Per request; default 10 000 ms. */
  timeoutMs?: number;
}

/** Feishu refuses request bodies over 20 KB. */
export const MAX_BODY_BYTES = 20_000;

/** code → stable code and whether sending again may succeed. Unknown codes are not retried. */
const CODES: Record<number, { code: string; retryable: boolean }> = {
  11232: { code: 'rate_limited', retryable: true }, // frequency limited (100/min, 5/s per bot)
  19001: { code: 'invalid_webhook', retryable: false }, // param invalid: incoming webhook access token invalid
  19007: { code: 'robot_disabled', retryable: false }, // Bot Not Enabled
  19021: { code: 'security_check_failed', retryable: false }, // sign match fail or timestamp is not within one hour
  19022: { code: 'security_check_failed', retryable: false }, // Ip Not Allowed
  19024: { code: 'security_check_failed', retryable: false }, // Key Words Not Found
};

export function createFeishuNotifier(options: FeishuNotifierOptions): Notifier {
  if (typeof options !== 'object' || options === null) throw new DifyConfigError('options', 'are required');
  const webhook = parseWebhook('webhook', options.webhook);
  const secret = optionalText('secret', options.secret);
  const timeoutMs = positiveInteger('timeoutMs', options.timeoutMs, 10_000, { min: 1, max: 300_000 });
  const name = optionalText('name', options.name) ?? 'feishu';
  const segments = webhook.pathname.split('/').filter((segment) => segment !== '').length;
  const { shown, secrets } = describeWebhook(webhook, Math.max(0, segments - 1));
  if (secret !== undefined) secrets.push(secret);
  const endpoint = `${name} (${shown})`;
  const logger = (options.logger ?? silentLogger).child({ adapter: name });

  return {
    name,
    capabilities: { markdown: true, maxLength: MAX_BODY_BYTES },
    async send(message) {
      const signature = secret === undefined ? {} : feishuSignature(secret, Math.floor(Date.now() / 1000));
      const body = (card: unknown) => ({ ...signature, msg_type: 'interactive', card });
      const card = renderCard(message, (candidate) => bodyBytes(body(candidate)) <= MAX_BODY_BYTES);
      const response = await postJson({
        endpoint,
        url: webhook.href,
        body: body(card),
        contentType: 'application/json; charset=utf-8',
        fetch: options.fetch ?? fetch,
        timeoutMs,
        secrets,
      });
      const failure = classify(endpoint, response, secrets);
      if (failure) throw failure;
      logger.debug({ kind: message.kind }, 'sent');
      return { notifier: name };
    },
  };
}

/** undefined when Feishu accepted the message (`code: 0`, or the legacy `StatusCode: 0`), else the classified error. */
function classify(endpoint: string, response: ChannelResponse, secrets: string[]): DifyLogsError | undefined {
  const body = jsonObject(response.text);
  const code =
    typeof body?.code === 'number' ? body.code : typeof body?.StatusCode === 'number' ? body.StatusCode : undefined;
  if (code !== undefined && code !== 0) {
    const text = body?.msg ?? body?.StatusMessage;
    const msg = typeof text === 'string' && text !== '' ? scrub(text, secrets) : '';
    // 9499 is both "too many request" (rate limit) and "Bad Request" (malformed body): only the first is worth
    // repeating.
    const known =
      code === 9499
        ? /too many/i.test(msg)
          ? { code: 'rate_limited', retryable: true }
          : { code: 'invalid_message', retryable: false }
        : CODES[code];
    return new DifyLogsError(`${endpoint}: Feishu refused the message: code ${code}${msg ? ` (${msg})` : ''}`, {
      code: known?.code ?? 'channel_error',
      isRetryable: known?.retryable ?? false,
    });
  }
  if (response.status < 200 || response.status >= 300) return new DifyHttpError({ endpoint, status: response.status });
  if (code === 0) return undefined;
  return new DifyResponseError({
    endpoint,
    field: 'code',
    problem: 'no code in the answer',
    malformed: body === undefined,
  });
}
