import { configValues, definePlugin, z } from '@dify-logs/core/adapter-kit';

const { secretText } = configValues;

/** `notification.wecom` (the webhook carries its token: a secret). */
export const wecomSection = z.strictObject({
  webhook: secretText,
});

/** `notification.type: [wecom]`: WeCom group robot. */
export const plugin = definePlugin({
  kind: 'notifier',
  type: 'wecom',
  description: 'WeCom group robot',
  schema: wecomSection,
  env: [
    { name: 'WECOM_WEBHOOK', key: 'notification.wecom.webhook', description: 'WeCom robot webhook', required: true },
  ],
  async create(section: z.output<typeof wecomSection>) {
    const { createWecomNotifier } = await import('./wecom-notifier.js');
    return createWecomNotifier({ name: 'wecom', webhook: section.webhook });
  },
});
