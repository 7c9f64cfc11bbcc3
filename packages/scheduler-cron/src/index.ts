export { createCronScheduler, type CronSchedulerOptions } from './cron-scheduler.js';
export { SCHEDULER_DOCUMENT, type SchedulerState } from './persisted.js';
export { plugin } from './plugin.js';
