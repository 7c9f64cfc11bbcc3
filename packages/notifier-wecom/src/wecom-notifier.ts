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
import { renderContent } from './render.js';
import { channels } from '@dify-logs/core/adapter-kit';
const { describeWebhook, jsonObject, optionalText, parseWebhook, positiveInteger, postJson } = channels;
type ChannelResponse = channels.ChannelResponse;

export interface WecomNotifierOptions {
  /** `https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…`. Holds the robot's key: never shown in errors or logs. */
  webhook: string;
  /** WeCom userids to @, rendered as `<@userid>` (markdown messages cannot @all). */
  mentionedList?: string[];
  /** Longest `markdown.content` in UTF-8 bytes; default and maximum 4096 (WeCom's limit). */
  maxBytes?: number;
  /** Default `wecom`. */
  name?: string;
  logger?: Logger;
  /** Default: global fetch. */
  fetch?: typeof fetch;
  /** Per request; default 10 000 ms. */
  timeoutMs?: number;
}

/** errcode → stable code and whether sending again may succeed. Unknown codes are not retried. */
const ERRCODES: Record<number, { code: string; retryable: boolean }> = {
  [-1]: { code: 'channel_busy', retryable: true }, // system busy
  45009: { code: 'rate_limited', retryable: true }, // api freq out of limit (20 messages per minute per robot)
  93000: { code: 'invalid_webhook', retryable: false }, // invalid webhook url
  93004: { code: 'robot_disabled', retryable: false },
  40008: { code: 'invalid_message', retryable: false }, // invalid message type
  40058: { code: 'invalid_message', retryable: false }, // markdown.content exceed max length 4096 / invalid parameter
  44004: { code: 'invalid_message', retryable: false }, // empty content
};

const MAX_BYTES = 4096;

export function createWecomNotifier(options: WecomNotifierOptions): Notifier {
  if (typeof options !== 'object' || options === null) throw new DifyConfigError('options', 'are required');
  const webhook = parseWebhook('webhook', options.webhook);
  if (!webhook.searchParams.get('key'))
    throw new DifyConfigError('webhook', "must carry the robot's key query parameter");
  const mentions = options.mentionedList ?? [];
  if (
    !Array.isArray(mentions) ||
    mentions.some((userid) => typeof userid !== 'string' || !/^[\w.@-]{1,64}$/.test(userid))
  ) {
    throw new DifyConfigError('mentionedList', 'must be a list of WeCom userids');
  }
  if (mentions.includes('@all'))
    throw new DifyConfigError('mentionedList', 'WeCom markdown messages cannot @all; list userids');
  const maxBytes = positiveInteger('maxBytes', options.maxBytes, MAX_BYTES, { min: 256, max: MAX_BYTES });
  const timeoutMs = positiveInteger('timeoutMs', options.timeoutMs, 10_000, { min: 1, max: 300_000 });
  const name = optionalText('name', options.name) ?? 'wecom';
  const { shown, secrets } = describeWebhook(webhook);
  const endpoint = `${name} (${shown})`;
  const logger = (options.logger ?? silentLogger).child({ adapter: name });

  return {
    name,
    capabilities: { markdown: true, maxLength: maxBytes },
    async send(message) {
      const content = renderContent(message, mentions, maxBytes);
      const body = { msgtype: 'markdown', markdown: { content } };
      const response = await postJson({
        endpoint,
        url: webhook.href,
        body,
        contentType: 'application/json',
        fetch: options.fetch ?? fetch,
        timeoutMs,
        secrets,
      });
      const failure = classify(endpoint, response, secrets);
      if (failure) throw failure;
      logger.debug({ kind: message.kind, bytes: Buffer.byteLength(content) }, 'sent');
      return { notifier: name };
    },
  };
}

/** undefined when WeCom accepted the message (`errcode: 0`), else the classified error. */
function classify(endpoint: string, response: ChannelResponse, secrets: string[]): DifyLogsError | undefined {
  const body = jsonObject(response.text);
  const errcode = body?.errcode;
  if (typeof errcode === 'number' && errcode !== 0) {
    const known = ERRCODES[errcode];
    // WeCom's errmsg carries a hint id, the caller's IP and a help link; keep the first sentence.
    const errmsg = typeof body?.errmsg === 'string' ? ` (${scrub(body.errmsg.split(/[.,]\s/)[0] ?? '', secrets)})` : '';
    return new DifyLogsError(`${endpoint}: WeCom refused the message: errcode ${errcode}${errmsg}`, {
      code: known?.code ?? 'channel_error',
      isRetryable: known?.retryable ?? false,
    });
  }
  if (response.status < 200 || response.status >= 300) return new DifyHttpError({ endpoint, status: response.status });
  if (errcode === 0) return undefined;
  return new DifyResponseError({
    endpoint,
    field: 'errcode',
    problem: 'no errcode in the answer',
    malformed: body === undefined,
  });
}
