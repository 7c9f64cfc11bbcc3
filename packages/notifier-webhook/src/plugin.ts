import { configValues, definePlugin, z } from '@dify-logs/core/adapter-kit';

const { secretText } = configValues;

/** `notification.webhook` (the url carries its token: a secret). */
export const webhookSection = z.strictObject({
  url: secretText,
  secret: secretText.optional(),
});

/** `notification.type: [webhook]`: a generic signed JSON webhook. */
export const plugin = definePlugin({
  kind: 'notifier',
  type: 'webhook',
  description: 'a generic signed JSON webhook',
  schema: webhookSection,
  env: [
    { name: 'NOTIFY_WEBHOOK_URL', key: 'notification.webhook.url', description: 'generic webhook URL', required: true },
    {
      name: 'NOTIFY_WEBHOOK_SECRET',
      key: 'notification.webhook.secret',
      description: 'generic webhook signing secret',
    },
  ],
  async create(section: z.output<typeof webhookSection>) {
    const { createWebhookNotifier } = await import('./webhook-notifier.js');
    return createWebhookNotifier({
      name: 'webhook',
      url: section.url,
      ...(section.secret ? { secret: section.secret } : {}),
    });
  },
});
