import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileStateStore, memoryStateStore } from '@dify-logs/core/pipeline';
import { describe, expect, it } from 'vitest';
import { createCronScheduler, SCHEDULER_DOCUMENT } from '../src/index.js';

const hourly = { name: 'hourly', job: 'nightly', schedule: '0 * * * *', timezone: 'Asia/Shanghai', retries: 0 };

describe('createCronScheduler', () => {
  it('catches up ticks missed while it was down, oldest first, at most catchUp of them', async () => {
    const state = memoryStateStore();
    const fiveHoursAgo = new Date(Date.now() - 5 * 3_600_000 - 60_000);
    await state.writeDocument(SCHEDULER_DOCUMENT, {
      version: 1,
      paused: [],
      lastScheduled: { hourly: fiveHoursAgo.toISOString() },
      runs: [],
    });
    const scheduler = createCronScheduler({ state });
    const ticks: string[] = [];
    await scheduler.define([{ ...hourly, catchUp: 3 }], async (_deployment, context) => {
      ticks.push(context.scheduledFor.toISOString());
      return { status: 'succeeded' };
    });
    await scheduler.start();
    await scheduler.stop({ drainMs: 1000 });
    expect(ticks).toHaveLength(3);
    expect([...ticks].sort()).toEqual(ticks);
    expect(ticks.every((tick) => tick.endsWith(':00:00.000Z'))).toBe(true);
    expect(Date.parse(ticks.at(-1)!)).toBeGreaterThan(Date.now() - 3_600_000);
    expect((await scheduler.runs()).map((run) => run.trigger)).toEqual(['catch-up', 'catch-up', 'catch-up']);
  });

  it(
    'keeps the history and pauses in the state file across ' + 'restarts, and marks a run cut off by a crash as failed',
    async () => {
      const path = join(await mkdtemp(join(tmpdir(), 'dify-logs-cron-')), 'state.json');
      const first = createCronScheduler({ state: fileStateStore({ path }) });
      await first.define([hourly], async () => ({ status: 'succeeded', summary: { records: 5 } }));
      await first.start();
      await first.trigger('hourly');
      await first.pause('hourly');
      await first.stop({ drainMs: 1000 });

      const store = fileStateStore({ path });
      const saved = (await store.readDocument(SCHEDULER_DOCUMENT)) as { runs: Array<{ status: string }> };
      saved.runs.unshift({ ...saved.runs[0]!, status: 'running' });
      await store.writeDocument(SCHEDULER_DOCUMENT, saved);

      const second = createCronScheduler({ state: fileStateStore({ path }) });
      await second.define([hourly], async () => ({ status: 'succeeded' }));
      await second.start();
      const runs = await second.runs({ deployment: 'hourly' });
      expect(runs.map((run) => run.status)).toEqual(['failed', 'succeeded']);
      expect(runs[0]!.error).toMatch(/interrupted/);
      expect(runs[1]!.summary).toEqual({ records: 5 });
      await expect(second.trigger('hourly')).resolves.toMatchObject({ trigger: 'manual' });
      await second.stop({ drainMs: 1000 });
    },
  );

  it('names the key of a bad cron expression, time zone or name', async () => {
    const scheduler = createCronScheduler();
    const run = async () => ({ status: 'succeeded' as const });
    await expect(scheduler.define([{ ...hourly, schedule: '61 * * * *' }], run)).rejects.toThrow(
      /deployments\.0\.schedule/,
    );
    await expect(scheduler.define([{ ...hourly, timezone: 'Mars/Olympus' }], run)).rejects.toThrow(/timezone/);
    await expect(scheduler.define([{ ...hourly, name: 'a b' }], run)).rejects.toThrow(/deployments\.0\.name/);
    await expect(scheduler.define([hourly, hourly], run)).rejects.toThrow(/deployments\.1\.name/);
  });

  it('lists the next ticks in the deployment time zone', async () => {
    const scheduler = createCronScheduler();
    await scheduler.define([{ ...hourly, schedule: '0 2 * * *' }], async () => ({ status: 'succeeded' }));
    const [next] = scheduler.next('hourly', 1);
    expect(next!.toISOString()).toMatch(/T18:00:00\.000Z$/);
  });
});
