import { configValues, definePlugin, z } from '@dify-logs/core/adapter-kit';

const { secretText } = configValues;

/** `notification.dingtalk` (the webhook carries its token: a secret). */
export const dingtalkSection = z.strictObject({
  webhook: secretText,
  secret: secretText.optional(),
});

/** `notification.type: [dingtalk]`: DingTalk robot. */
export const plugin = definePlugin({
  kind: 'notifier',
  type: 'dingtalk',
  description: 'DingTalk robot',
  schema: dingtalkSection,
  env: [
    {
      name: 'DINGTALK_WEBHOOK',
      key: 'notification.dingtalk.webhook',
      description: 'DingTalk robot webhook',
      required: true,
    },
    { name: 'DINGTALK_SECRET', key: 'notification.dingtalk.secret', description: 'DingTalk signing secret' },
  ],
  async create(section: z.output<typeof dingtalkSection>) {
    const { createDingtalkNotifier } = await import('./dingtalk-notifier.js');
    return createDingtalkNotifier({
      name: 'dingtalk',
      webhook: section.webhook,
      ...(section.secret ? { secret: section.secret } : {}),
    });
  },
});
