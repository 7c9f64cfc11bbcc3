import { configValues, definePlugin, z } from '@dify-logs/core/adapter-kit';

const { secretText } = configValues;

/** `notification.feishu` (the webhook carries its token: a secret). */
export const feishuSection = z.strictObject({
  webhook: secretText,
  secret: secretText.optional(),
});

/** `notification.type: [feishu]`: Feishu/Lark custom bot. */
export const plugin = definePlugin({
  kind: 'notifier',
  type: 'feishu',
  description: 'Feishu/Lark custom bot',
  schema: feishuSection,
  env: [
    {
      name: 'FEISHU_WEBHOOK',
      key: 'notification.feishu.webhook',
      description: 'Feishu/Lark custom bot webhook',
      required: true,
    },
    { name: 'FEISHU_SECRET', key: 'notification.feishu.secret', description: 'Feishu signing secret' },
  ],
  async create(section: z.output<typeof feishuSection>) {
    const { createFeishuNotifier } = await import('./feishu-notifier.js');
    return createFeishuNotifier({
      name: 'feishu',
      webhook: section.webhook,
      ...(section.secret ? { secret: section.secret } : {}),
    });
  },
});
