export type NotificationKind = 'success' | 'failure' | 'report-ready' | 'alert';
export type NotificationSeverity = 'info' | 'warning' | 'error' | 'critical';

/**
 * What every channel receives. Channels render it their own way (a DingTalk markdown card, an e-mail,
 * a console line); the summary must stand on its own for readers who never open a dashboard.
 */
export interface NotificationMessage {
  kind: NotificationKind;
  severity: NotificationSeverity;
  title: string;
  summary: string;
  /** Label/value pairs shown as a small table, e.g. runs 1 204, failed 17, p95 4.2 s. */
  facts: Array<{ label: string; value: string }>;
  /** Report locations, console links. */
  links: Array<{ label: string; url: string }>;
  job?: string;
  runId?: string;
  /** ISO-8601 UTC. */
  occurredAt: string;
}

export interface NotificationReceipt {
  /** The notifier's `name`. */
  notifier: string;
  /** Channel-side id when the channel returns one. */
  id?: string;
}

export interface NotifierCapabilities {
  /** The channel renders Markdown. */
  markdown: boolean;
  /** Longest text the channel accepts; renderers truncate to it. */
  maxLength?: number;
}

/**
 * A notification channel. Implementations: `recordingNotifier()` and `consoleNotifier()` (core),
 * `@dify-logs/notifier-email`, `-dingtalk`, `-wecom`, `-feishu`, `-slack`, `-webhook`.
 * `send` resolves once the channel accepted the message and throws a `DifyLogsError` otherwise
 * (`isRetryable` says whether the pipeline may try again; any other error is treated as retryable).
 * Text longer than `capabilities.maxLength` is cut so that the title survives.
 */
export interface Notifier {
  readonly name: string;
  readonly capabilities: NotifierCapabilities;
  send(message: NotificationMessage): Promise<NotificationReceipt>;
  close?(): Promise<void>;
}

export type NotifierFactory<Options> = (options: Options) => Notifier;
