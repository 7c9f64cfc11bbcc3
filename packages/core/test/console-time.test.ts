import { describe, expect, it } from 'vitest';
import { DifyConfigError } from '../src/index.js';
import { toConsoleMinute } from '../src/client/console-time.js';

describe('toConsoleMinute (conversation filters in the account time zone)', () => {
  it('writes YYYY-MM-DD HH:MM in the zone, dropping seconds', () => {
    expect(toConsoleMinute(new Date('2026-03-09T16:00:59Z'), 'Asia/Shanghai')).toBe('2026-03-10 00:00');
    expect(toConsoleMinute(new Date('2026-03-09T16:00:59Z'), 'UTC')).toBe('2026-03-09 16:00');
  });

  it('follows DST: the skipped hour never appears, the repeated hour appears twice', () => {
    expect(toConsoleMinute(new Date('2026-03-08T06:59:00Z'), 'America/New_York')).toBe('2026-03-08 01:59');
    expect(toConsoleMinute(new Date('2026-03-08T07:00:00Z'), 'America/New_York')).toBe('2026-03-08 03:00');
    expect(toConsoleMinute(new Date('2026-11-01T05:30:00Z'), 'America/New_York')).toBe('2026-11-01 01:30');
    expect(toConsoleMinute(new Date('2026-11-01T06:30:00Z'), 'America/New_York')).toBe('2026-11-01 01:30');
  });

  it('names the setting for an unknown zone', () => {
    expect(() => toConsoleMinute(new Date(), 'Mars/Olympus')).toThrow(DifyConfigError);
    expect(() => toConsoleMinute(new Date(), 'Mars/Olympus')).toThrow(/Mars\/Olympus/);
  });
});
