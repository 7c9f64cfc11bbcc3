/** Offset of `timezone` from UTC at an instant, in minutes (east positive). */
export function offsetMinutes(timezone: string, ms: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(ms));
  const value = (type: string) => Number(parts.find((part) => part.type === type)!.value);
  const local = Date.UTC(
    value('year'),
    value('month') - 1,
    value('day'),
    value('hour'),
    value('minute'),
    value('second'),
  );
  return Math.round((local - Math.floor(ms / 1000) * 1000) / 60_000);
}

/**
 * `YYYY-MM-DD HH:MM` in `timezone` to UTC milliseconds, as Dify's `parse_time_range` does with pytz's
 * `localize(is_dst=False)`: an ambiguous time (the hour repeated when clocks go back) is taken in standard time,
 * a time that does not exist (skipped when clocks go forward) is read with the standard offset. undefined when the
 * text is not in that format.
 */
export function parseLocalMinute(text: string, timezone: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2})$/.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute] = match.map(Number) as [number, number, number, number, number, number];
  const naive = Date.UTC(year, month - 1, day, hour, minute);
  if (Number.isNaN(naive) || new Date(naive).getUTCDate() !== day || hour > 23 || minute > 59) return undefined;
  const offsets = [
    ...new Set([offsetMinutes(timezone, naive - 12 * 3_600_000), offsetMinutes(timezone, naive + 12 * 3_600_000)]),
  ].sort((a, b) => a - b);
  const valid = offsets.filter((offset) => offsetMinutes(timezone, naive - offset * 60_000) === offset);
  const chosen = valid[0] ?? offsets[0]!;
  return naive - chosen * 60_000;
}
