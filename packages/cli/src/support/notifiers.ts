import { consoleNotifier, DifyConfigError, type DifyLogsConfig, type Notifier } from '@dify-logs/core';

type NotifierType = DifyLogsConfig['notification']['type'][number];

const VARIABLES: Record<Exclude<NotifierType, 'console'>, string> = {
  email: 'SMTP_HOST, SMTP_TO',
  dingtalk: 'DINGTALK_WEBHOOK',
  wecom: 'WECOM_WEBHOOK',
  feishu: 'FEISHU_WEBHOOK',
  slack: 'SLACK_WEBHOOK',
  webhook: 'NOTIFY_WEBHOOK_URL',
};

function section<T>(value: T | undefined, type: Exclude<NotifierType, 'console'>): T {
  if (value === undefined) throw new DifyConfigError(`notification.${type}`, `is required when notification.type includes ${type} (or set ${VARIABLES[type]})`);
  return value;
}

/** One notifier of a configured type, named after it (alert routes refer to the names). Channel packages load on demand. */
export async function createNotifier(config: DifyLogsConfig['notification'], type: NotifierType, write: (text: string) => void): Promise<Notifier> {
  switch (type) {
    case 'console':
      return consoleNotifier({ write });
    case 'email': {
      const email = section(config.email, 'email');
      const from = email.from ?? email.user;
      if (!from) throw new DifyConfigError('notification.email.from', 'is required when notification.email.user is not an address (SMTP_FROM)');
      const { createEmailNotifier } = await import('@dify-logs/notifier-email');
      return createEmailNotifier({ name: 'email', host: email.host, port: email.port, secure: email.port === 465, ...(email.user ? { user: email.user } : {}), ...(email.password ? { password: email.password } : {}), from, to: email.to });
    }
    case 'dingtalk': {
      const dingtalk = section(config.dingtalk, 'dingtalk');
      const { createDingtalkNotifier } = await import('@dify-logs/notifier-dingtalk');
      return createDingtalkNotifier({ name: 'dingtalk', webhook: dingtalk.webhook, ...(dingtalk.secret ? { secret: dingtalk.secret } : {}) });
    }
    case 'wecom': {
      const wecom = section(config.wecom, 'wecom');
      const { createWecomNotifier } = await import('@dify-logs/notifier-wecom');
      return createWecomNotifier({ name: 'wecom', webhook: wecom.webhook });
    }
    case 'feishu': {
      const feishu = section(config.feishu, 'feishu');
      const { createFeishuNotifier } = await import('@dify-logs/notifier-feishu');
      return createFeishuNotifier({ name: 'feishu', webhook: feishu.webhook, ...(feishu.secret ? { secret: feishu.secret } : {}) });
    }
    case 'slack': {
      const slack = section(config.slack, 'slack');
      const { createSlackNotifier } = await import('@dify-logs/notifier-slack');
      return createSlackNotifier({ name: 'slack', webhook: slack.webhook });
    }
    case 'webhook': {
      const webhook = section(config.webhook, 'webhook');
      const { createWebhookNotifier } = await import('@dify-logs/notifier-webhook');
      return createWebhookNotifier({ name: 'webhook', url: webhook.url, ...(webhook.secret ? { secret: webhook.secret } : {}) });
    }
  }
}

/** The notifiers of a configuration (none when notifications are off). */
export async function createNotifiers(config: DifyLogsConfig, write: (text: string) => void): Promise<Notifier[]> {
  if (!config.notification.enabled) return [];
  return Promise.all([...new Set(config.notification.type)].map((type) => createNotifier(config.notification, type, write)));
}
