import { configValues, definePlugin, z } from '@dify-logs/core/adapter-kit';

const { secretText } = configValues;

/** `notification.slack` (the webhook carries its token: a secret). */
export const slackSection = z.strictObject({
  webhook: secretText,
});

/** `notification.type: [slack]`: Slack incoming webhook. */
export const plugin = definePlugin({
  kind: 'notifier',
  type: 'slack',
  description: 'Slack incoming webhook',
  schema: slackSection,
  env: [
    { name: 'SLACK_WEBHOOK', key: 'notification.slack.webhook', description: 'Slack incoming webhook', required: true },
  ],
  async create(section: z.output<typeof slackSection>) {
    const { createSlackNotifier } = await import('./slack-notifier.js');
    return createSlackNotifier({ name: 'slack', webhook: section.webhook });
  },
});
