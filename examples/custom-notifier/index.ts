/**
 * A notifier for ntfy (https://ntfy.sh, or a self-hosted ntfy server), written by following docs/writing-an-adapter.md:
 * the whole adapter (the channel and its plugin) is this one file; nothing else in the project changes.
 *
 *   createDifyLogs({
 *     plugins: [local, plugin],
 *     config: { notification: { enabled: true, type: ['ntfy'], ntfy: { topic: 'dify-ops' } }, … },
 *   })
 */
import { DifyConfigError, DifyHttpError, silentLogger, type Logger } from '@dify-logs/core';
import type { NotificationMessage, Notifier } from '@dify-logs/core/adapter-kit';
import { channels, configValues, definePlugin, scrub, z } from '@dify-logs/core/adapter-kit';

export interface NtfyNotifierOptions {
  /** The topic messages are published to (anyone who knows a public topic can read it: pick an unguessable one). */
  topic: string;
  /** The server (default https://ntfy.sh). */
  server?: string;
  /** An access token of a server with access control. */
  token?: string;
  name?: string;
  logger?: Logger;
  fetch?: typeof fetch;
}

/** ntfy accepts messages of up to 4,096 bytes. */
const MAX_BYTES = 4096;
const PRIORITY = { info: 3, warning: 4, error: 5, critical: 5 } as const;
const TAGS = {
  success: 'white_check_mark',
  failure: 'rotating_light',
  'report-ready': 'page_facing_up',
  alert: 'warning',
} as const;

export function createNtfyNotifier(options: NtfyNotifierOptions): Notifier {
  const topic = channels.optionalText('topic', options?.topic);
  if (!topic || !/^[A-Za-z0-9_-]{1,64}$/.test(topic))
    throw new DifyConfigError('topic', 'is required: letters, digits, _ and - (at most 64)');
  const server = channels.parseWebhook('server', options.server ?? 'https://ntfy.sh');
  const name = options.name ?? 'ntfy';
  const logger = (options.logger ?? silentLogger).child({ adapter: name });
  const secrets = [topic, ...(options.token ? [options.token] : [])];
  const endpoint = `${name} (${server.origin})`;
  const base = options.fetch ?? fetch;
  const send: typeof fetch = options.token
    ? (url, init) =>
        base(url, {
          ...init,
          headers: { ...(init?.headers as Record<string, string>), authorization: `Bearer ${options.token}` },
        })
    : base;
  return {
    name,
    capabilities: { markdown: false, maxLength: MAX_BYTES },
    async send(message: NotificationMessage) {
      const web = message.links.filter((link) => channels.isWebUrl(link.url));
      const body = {
        topic,
        title: message.title,
        message: channels.cutBytes(render(message), MAX_BYTES - channels.byteLength(message.title) - 1),
        priority: PRIORITY[message.severity],
        tags: [TAGS[message.kind]],
        ...(web[0] ? { click: web[0].url } : {}),
      };
      const response = await channels.postJson({
        endpoint,
        url: server.href,
        body,
        contentType: 'application/json',
        fetch: send,
        timeoutMs: 10_000,
        secrets,
      });
      if (response.status < 200 || response.status >= 300) {
        throw new DifyHttpError({
          endpoint,
          status: response.status,
          difyMessage: scrub(response.text.slice(0, 200), secrets),
          isRetryable: response.status === 429 || response.status >= 500,
        });
      }
      logger.debug({ kind: message.kind }, 'sent');
      return {
        notifier: name,
        ...(typeof channels.jsonObject(response.text)?.id === 'string'
          ? { id: channels.jsonObject(response.text)!.id as string }
          : {}),
      };
    },
  };
}

/** The summary, then one line per fact and per link (ntfy shows plain text; the title has its own field). */
function render(message: NotificationMessage): string {
  return [
    message.summary,
    '',
    ...message.facts.map((fact) => `${fact.label}: ${fact.value}`),
    ...message.links.map((link) => `${link.label}: ${link.url}`),
  ].join('\n');
}

/** `notification.ntfy`. */
export const ntfySection = z.strictObject({
  topic: configValues.secretText,
  server: configValues.httpUrl.optional(),
  token: configValues.secretText.optional(),
});

/** `notification.type: [ntfy]`: its section, its variables, and how the runtime creates it. */
export const plugin = definePlugin({
  kind: 'notifier',
  type: 'ntfy',
  description: 'ntfy push notifications',
  schema: ntfySection,
  env: [
    { name: 'NTFY_TOPIC', key: 'notification.ntfy.topic', description: 'ntfy topic', required: true },
    { name: 'NTFY_SERVER', key: 'notification.ntfy.server', description: 'ntfy server (default https://ntfy.sh)' },
    { name: 'NTFY_TOKEN', key: 'notification.ntfy.token', description: 'ntfy access token' },
  ],
  create: (section: z.output<typeof ntfySection>, context) =>
    createNtfyNotifier({ ...section, logger: context.logger }),
});
