import { describe, expect, it } from 'vitest';
import { DifyConfigError } from '../src/index.js';
import { resolveWindow } from '../src/pipeline/index.js';
import { resolveTime } from '../src/time/window.js';

const at = (iso: string) => new Date(iso);

describe('window templates', () => {
  it('resolves day templates at local midnight in the job time zone', () => {
    const now = at('2026-03-10T02:30:00Z'); // 10:30 in Shanghai, still 9 March in New York
    expect(resolveTime('{{ today }}', { now, timezone: 'Asia/Shanghai' }).toISOString()).toBe(
      '2026-03-09T16:00:00.000Z',
    );
    expect(resolveTime('{{yesterday}}', { now, timezone: 'Asia/Shanghai' }).toISOString()).toBe(
      '2026-03-08T16:00:00.000Z',
    );
    expect(resolveTime('{{today}}', { now, timezone: 'America/New_York' }).toISOString()).toBe(
      '2026-03-09T04:00:00.000Z',
    );
    expect(resolveTime('{{last_week}}', { now, timezone: 'UTC' }).toISOString()).toBe('2026-03-03T00:00:00.000Z');
    expect(resolveTime('{{this_week}}', { now, timezone: 'UTC' }).toISOString()).toBe('2026-03-09T00:00:00.000Z');
    expect(resolveTime('{{last_month}}', { now, timezone: 'UTC' }).toISOString()).toBe('2026-02-01T00:00:00.000Z');
    expect(resolveTime('2026-03-01T08:00:00+08:00', { now, timezone: 'UTC' }).toISOString()).toBe(
      '2026-03-01T00:00:00.000Z',
    );
  });

  it('handles a daylight-saving change: the day after the switch starts at the new offset', () => {
    const now = at('2026-03-09T12:00:00Z'); // New York switched to EDT on 8 March 2026
    expect(resolveTime('{{today}}', { now, timezone: 'America/New_York' }).toISOString()).toBe(
      '2026-03-09T04:00:00.000Z',
    );
    expect(resolveTime('{{yesterday}}', { now, timezone: 'America/New_York' }).toISOString()).toBe(
      '2026-03-08T05:00:00.000Z',
    );
  });

  it('names the key for unknown templates, bad dates, bad zones and reversed windows', () => {
    const now = at('2026-03-10T00:00:00Z');
    expect(() => resolveTime('{{someday}}', { now, timezone: 'UTC', key: 'jobs.0.window.from' })).toThrow(
      /jobs\.0\.window\.from: unknown template/,
    );
    expect(() => resolveTime('soon', { now, timezone: 'UTC' })).toThrow(DifyConfigError);
    expect(() =>
      resolveWindow(
        { mode: 'explicit', from: '{{today}}', to: '{{yesterday}}' },
        { now, timezone: 'UTC', watermark: null },
      ),
    ).toThrow(/window\.from: .* is after window\.to/);
    expect(() =>
      resolveWindow(
        { mode: 'explicit', from: '{{yesterday}}', to: '{{today}}' },
        { now, timezone: 'Mars/Base', watermark: null },
      ),
    ).toThrow(/timezone: "Mars\/Base" is not an IANA time zone/);
  });

  it('starts an incremental window at the watermark minus the overlap, or at initialFrom', () => {
    const now = at('2026-03-10T12:00:00Z');
    const first = resolveWindow(
      { mode: 'incremental', initialFrom: '{{yesterday}}' },
      { now, timezone: 'UTC', watermark: null },
    );
    expect(first.from.toISOString()).toBe('2026-03-09T00:00:00.000Z');
    const next = resolveWindow(
      { mode: 'incremental', overlapMinutes: 15 },
      { now, timezone: 'UTC', watermark: '2026-03-10T11:00:00.000Z' },
    );
    expect([next.from.toISOString(), next.to.toISOString()]).toEqual([
      '2026-03-10T10:45:00.000Z',
      '2026-03-10T12:00:00.000Z',
    ]);
  });
});
