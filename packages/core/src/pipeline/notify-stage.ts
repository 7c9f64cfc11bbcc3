import pLimit from 'p-limit';
import pRetry from 'p-retry';
import type { NotificationMessage, Notifier } from '../adapters/notifier.js';
import { DifyLogsError } from '../errors/dify-logs-error.js';
import type { Logger } from '../logging/logger.js';
import type { PipelineProblem, PipelineResult } from './types.js';
import { applyTemplates, type MessageTemplates } from './templates.js';

/** Who was notified, and the problem of each notifier that failed. */
export interface NotifyOutcome {
  notifications: PipelineResult['notifications'];
  problems: PipelineProblem[];
}

/** Notifiers sent to at once. */
const FAN_OUT = 4;

/**
 * Sends one message to every notifier (at most four at a time), each with its own retries. A notifier
 * that keeps failing is recorded; it never blocks the others nor undoes what was stored.
 */
export async function notifyStage(
  notifiers: Notifier[],
  message: NotificationMessage,
  options: { attempts: number; logger: Logger; templates?: MessageTemplates },
): Promise<NotifyOutcome> {
  const rendered = applyTemplates(message, options.templates);
  const limit = pLimit(FAN_OUT);
  const problems: PipelineProblem[] = [];
  const notifications = await Promise.all(
    notifiers.map((notifier) =>
      limit(async () => {
        try {
          await pRetry(() => notifier.send(rendered), {
            retries: Math.max(0, options.attempts - 1),
            minTimeout: 200,
            factor: 2,
            randomize: true,
            shouldRetry: ({ error }) => !DifyLogsError.isInstance(error) || error.isRetryable,
          });
          return { notifier: notifier.name, delivered: true };
        } catch (error) {
          const text = error instanceof Error ? error.message : String(error);
          problems.push({
            stage: 'notify',
            notifier: notifier.name,
            code: DifyLogsError.isInstance(error) ? error.code : 'error',
            message: text,
          });
          options.logger.error(
            { notifier: notifier.name, err: text },
            'notification failed after retries; the reports stay stored',
          );
          return { notifier: notifier.name, delivered: false, error: text };
        }
      }),
    ),
  );
  return { notifications, problems };
}
