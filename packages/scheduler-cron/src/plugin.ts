import { definePlugin } from '@dify-logs/core/adapter-kit';

/**
 * The embedded scheduler for one machine (croner timers in this process; pause state and history in the runtime's state
 * store). No section.
 */
export const plugin = definePlugin({
  kind: 'scheduler',
  type: 'cron',
  description: 'in-process cron timers for one machine',
  async create(_section: undefined, context) {
    const { createCronScheduler } = await import('./cron-scheduler.js');
    return createCronScheduler({ state: await context.state(), logger: context.logger });
  },
});
