import { DifyHttpError, DifyConfigError, silentLogger, type Logger } from '@dify-logs/core';
import type { Notifier } from '@dify-logs/core/adapter-kit';
import { scrub } from '@dify-logs/core/adapter-kit';
import { LIMITS, renderBlocks, renderFallback } from './render.js';
import { channels } from '@dify-logs/core/adapter-kit';
const { describeWebhook, optionalText, parseWebhook, positiveInteger, postJson } = channels;
type ChannelResponse = channels.ChannelResponse;

export interface SlackNotifierOptions {
  /**
   * `https://hooks.slack.com/services/T…/B…/…`. The path is the credential: only `…/services/[redacted]` is ever shown.
   */
  webhook: string;
  /** Channel override (`#alerts`); honoured by legacy webhooks only, app webhooks post to their own channel. */
  channel?: string;
  /** Sender name override; legacy webhooks only, as `channel`. */
  username?: string;
  /** Default `slack`. */
  name?: string;
  logger?: Logger;
  /** Default: global fetch. */
  fetch?: typeof fetch;
  /** Per request; default 10 000 ms. */
  timeoutMs?: number;
}

export function createSlackNotifier(options: SlackNotifierOptions): Notifier {
  if (typeof options !== 'object' || options === null) throw new DifyConfigError('options', 'are required');
  const webhook = parseWebhook('webhook', options.webhook);
  const channel = optionalText('channel', options.channel);
  const username = optionalText('username', options.username);
  const timeoutMs = positiveInteger('timeoutMs', options.timeoutMs, 10_000, { min: 1, max: 300_000 });
  const name = optionalText('name', options.name) ?? 'slack';
  const { shown, secrets } = describeWebhook(webhook, 1);
  const endpoint = `${name} (${shown})`;
  const logger = (options.logger ?? silentLogger).child({ adapter: name });

  return {
    name,
    capabilities: { markdown: true, maxLength: LIMITS.text },
    async send(message) {
      const body = {
        text: renderFallback(message),
        blocks: renderBlocks(message),
        ...(channel === undefined ? {} : { channel }),
        ...(username === undefined ? {} : { username }),
      };
      const response = await postJson({
        endpoint,
        url: webhook.href,
        body,
        contentType: 'application/json; charset=utf-8',
        fetch: options.fetch ?? fetch,
        timeoutMs,
        secrets,
      });
      if (response.status < 200 || response.status >= 300) throw classify(endpoint, response, secrets);
      logger.debug({ kind: message.kind, blocks: body.blocks.length }, 'sent');
      return { notifier: name };
    },
  };
}

/**
 * Slack answers 200 `ok`, or an HTTP error whose plain-text body is the reason: 400 `invalid_payload`,
 * 403 `action_prohibited`, 404 `no_service` / `channel_not_found`, 410 `channel_is_archived` (never
 * retried), 429 with `Retry-After` and 5xx such as `rollup_error` (retried).
 */
function classify(endpoint: string, response: ChannelResponse, secrets: string[]): DifyHttpError {
  const reason = response.text.trim();
  const known = /^[a-z_]{1,64}$/.test(reason) ? reason : undefined;
  const retryAfter = Number(response.headers.get('retry-after'));
  return new DifyHttpError({
    endpoint,
    status: response.status,
    difyCode: response.status === 429 ? 'rate_limited' : known,
    difyMessage:
      known === undefined && reason !== '' && reason.length < 200 && !reason.includes('<')
        ? scrub(reason, secrets)
        : undefined,
    retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined,
    isRetryable: response.status === 429 || response.status >= 500,
  });
}
