import { DifyConfigError } from '../errors/config-error.js';

/**
 * An instant as the console's conversation filters want it: `YYYY-MM-DD HH:MM` in the account's time zone
 * (Dify reads it with `parse_time_range`, not as ISO). Seconds are dropped (floor to the minute).
 */
export function toConsoleMinute(instant: Date, timezone: string): string {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone: timezone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    }).formatToParts(instant);
  } catch {
    throw new DifyConfigError(
      'timezone',
      `unknown time zone ${JSON.stringify(timezone)} ` +
        `(the Dify account's profile time zone, or the consoleTimezone option)`,
    );
  }
  const value = (type: string) => parts.find((part) => part.type === type)!.value;
  return `${value('year')}-${value('month')}-${value('day')} ${value('hour')}:${value('minute')}`;
}
