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
import { renderPayload, type RenderSettings } from './render.js';
import { signedWebhook } from './sign.js';
import { channels } from '@dify-logs/core/adapter-kit';
const { describeWebhook, jsonObject, optionalText, parseWebhook, positiveInteger, postJson } = channels;
type ChannelResponse = channels.ChannelResponse;

export interface DingtalkNotifierOptions {
  /** `https://oapi.dingtalk.com/robot/send?access_token=…`. Holds the robot's token: never shown in errors or logs. */
  webhook: string;
  /** The `SEC…` secret of the robot's signed mode ("加签"); every request is then signed. */
  secret?: string;
  /** A custom keyword of the robot's keyword mode; prepended to the title when the title lacks it. */
  keyword?: string;
  /** Default `markdown`. `actionCard` shows the message's http(s) links as buttons. */
  msgType?: 'markdown' | 'actionCard';
  /** Mobile numbers to @ (markdown only). */
  atMobiles?: string[];
  /** @ everyone (markdown only). */
  atAll?: boolean;
  /** Longest message text in UTF-8 bytes; default and maximum 20 000 (DingTalk's limit). */
  maxBytes?: number;
  /** Default `dingtalk`. */
  name?: string;
  logger?: Logger;
  /** Default: global fetch. */
  fetch?: typeof fetch;
  /** Per request; default 10 000 ms. */
  timeoutMs?: number;
}

/** errcode → stable code and whether sending again may succeed. Unknown codes are not retried. */
const ERRCODES: Record<number, { code: string; retryable: boolean }> = {
  [-1]: { code: 'channel_busy', retryable: true }, // 系统繁忙
  130101: { code: 'rate_limited', retryable: true }, // send too fast, exceed 20 times per minute
  410100: { code: 'rate_limited', retryable: true }, // 发送速度太快而限流
  // sign not match / keywords not in content / ip not in whitelist
  310000: { code: 'security_check_failed', retryable: false },
  300001: { code: 'invalid_token', retryable: false }, // token is not exist
  400101: { code: 'invalid_token', retryable: false }, // access_token 不存在
  400102: { code: 'robot_disabled', retryable: false },
  460101: { code: 'message_too_long', retryable: false }, // message too long, exceed 20000 bytes
};

const MAX_BYTES = 20_000;

export function createDingtalkNotifier(options: DingtalkNotifierOptions): Notifier {
  if (typeof options !== 'object' || options === null) throw new DifyConfigError('options', 'are required');
  const webhook = parseWebhook('webhook', options.webhook);
  if (!webhook.searchParams.get('access_token'))
    throw new DifyConfigError('webhook', "must carry the robot's access_token query parameter");
  const secret = optionalText('secret', options.secret);
  const keyword = optionalText('keyword', options.keyword);
  if (keyword !== undefined && /[\r\n]/.test(keyword)) throw new DifyConfigError('keyword', 'must be one line');
  const msgType = options.msgType ?? 'markdown';
  if (msgType !== 'markdown' && msgType !== 'actionCard')
    throw new DifyConfigError('msgType', 'must be markdown or actionCard');
  const atMobiles = options.atMobiles ?? [];
  if (
    !Array.isArray(atMobiles) ||
    atMobiles.some((mobile) => typeof mobile !== 'string' || !/^\+?[\d-]{5,20}$/.test(mobile))
  ) {
    throw new DifyConfigError('atMobiles', 'must be a list of mobile numbers');
  }
  const atAll = options.atAll ?? false;
  if (typeof atAll !== 'boolean') throw new DifyConfigError('atAll', 'must be true or false');
  if (msgType === 'actionCard' && (atMobiles.length > 0 || atAll))
    throw new DifyConfigError('atMobiles', 'DingTalk actionCard messages cannot @ people; use msgType markdown');
  const maxBytes = positiveInteger('maxBytes', options.maxBytes, MAX_BYTES, { min: 256, max: MAX_BYTES });
  const timeoutMs = positiveInteger('timeoutMs', options.timeoutMs, 10_000, { min: 1, max: 300_000 });
  const name = optionalText('name', options.name) ?? 'dingtalk';
  const { shown, secrets } = describeWebhook(webhook);
  if (secret !== undefined) secrets.push(secret, encodeURIComponent(secret));
  const endpoint = `${name} (${shown})`;
  const logger = (options.logger ?? silentLogger).child({ adapter: name });
  const settings: RenderSettings = { msgType, keyword, atMobiles, atAll, maxBytes };

  return {
    name,
    capabilities: { markdown: true, maxLength: maxBytes },
    async send(message) {
      const payload = renderPayload(message, settings);
      const url = secret === undefined ? webhook.href : signedWebhook(webhook, secret, Date.now());
      const response = await postJson({
        endpoint,
        url,
        body: payload,
        contentType: 'application/json; charset=utf-8',
        fetch: options.fetch ?? fetch,
        timeoutMs,
        secrets,
      });
      const failure = classify(endpoint, response, secrets);
      if (failure) throw failure;
      logger.debug({ kind: message.kind, msgtype: payload.msgtype }, 'sent');
      return { notifier: name };
    },
  };
}

/** undefined when DingTalk accepted the message (`errcode: 0`), else the classified error. */
function classify(endpoint: string, response: ChannelResponse, secrets: string[]): DifyLogsError | undefined {
  const body = jsonObject(response.text);
  const errcode = body?.errcode;
  if (typeof errcode === 'number' && errcode !== 0) {
    const known = ERRCODES[errcode];
    const errmsg = typeof body?.errmsg === 'string' ? ` (${scrub(body.errmsg, secrets)})` : '';
    return new DifyLogsError(`${endpoint}: DingTalk refused the message: errcode ${errcode}${errmsg}`, {
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
