import { Cron } from 'croner';

/** Throws when `schedule` is not a cron expression croner (and so Agenda's cron-parser) accepts. */
export function checkSchedule(schedule: string, timezone: string): void {
  new Cron(schedule, { paused: true, timezone }).stop();
}

function paused(schedule: string, timezone: string): Cron {
  return new Cron(schedule, { paused: true, timezone });
}

/** The newest tick at or before `at` (a timer firing a few milliseconds early still names its own tick). */
export function latestTick(schedule: string, timezone: string, at: Date = new Date()): Date {
  const cron = paused(schedule, timezone);
  const [tick] = cron.previousRuns(1, new Date(at.getTime() + 50));
  cron.stop();
  return tick ?? at;
}

/** Ticks strictly after `after` and strictly before `before`, oldest first, at most the newest `limit`. */
export function ticksBetween(schedule: string, timezone: string, after: Date, before: Date, limit: number): Date[] {
  if (limit <= 0) return [];
  const cron = paused(schedule, timezone);
  const ticks = cron
    .previousRuns(limit, before)
    .filter((tick) => tick.getTime() > after.getTime() && tick.getTime() < before.getTime());
  cron.stop();
  return ticks.reverse();
}

export function nextTicks(schedule: string, timezone: string, count: number): Date[] {
  const cron = paused(schedule, timezone);
  const ticks = cron.nextRuns(count);
  cron.stop();
  return ticks;
}

/** Whole seconds, as the history keys ticks. */
export function toSecond(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}
