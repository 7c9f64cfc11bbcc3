import { describe, expect, it } from 'vitest';
import { collect, exportRuns, keyClient, sim } from './helpers.js';

/**
 * Dify orders log rows by a second-precision `created_at` only: the rows of one second come back in a new order on
 * every request (the simulator shuffles them per request, as PostgreSQL may), so offset pages inside a second skip
 * and repeat rows. The walker reads such seconds whole.
 */
describe('rows that share a second', () => {
  it('1,000 runs in 3 seconds, pages of 100: every run exactly once, over 20 seeds', async () => {
    for (let seed = 1; seed <= 20; seed += 1) {
      const simulator = await sim({ seed, runsPerApp: 1_000, days: 3 / 86_400, runningRuns: 0, lostRunRate: 0 });
      const client = keyClient(simulator);
      const first = await client.logPage({ limit: 100 });
      const seconds = new Set(first.data.map((item) => item.created_at));
      expect(seconds.size, `seed ${seed}: the page is crowded into a few seconds`).toBeLessThanOrEqual(4);
      const records = await collect(exportRuns(client, { limit: 100, withDetails: false }));
      const ids = records.map((record) => record.logId);
      expect(new Set(ids).size, `seed ${seed}`).toBe(ids.length);
      expect(ids.length, `seed ${seed}`).toBe(first.total);
      await simulator.close();
    }
  }, 120_000);

  it('the simulator really does reorder a crowded second between requests', async () => {
    const simulator = await sim({ runsPerApp: 1_000, days: 3 / 86_400, runningRuns: 0, lostRunRate: 0 });
    const client = keyClient(simulator);
    const once = (await client.logPage({ limit: 100, page: 2 })).data.map((item) => item.id);
    const again = (await client.logPage({ limit: 100, page: 2 })).data.map((item) => item.id);
    expect(again).not.toEqual(once);
  });

  it('yields the same order whatever the page size (by second, then log id)', async () => {
    const simulator = await sim({ runsPerApp: 300, days: 20 / 86_400, runningRuns: 0, lostRunRate: 0 });
    const client = keyClient(simulator);
    const small = (await collect(exportRuns(client, { limit: 7, withDetails: false }))).map((record) => record.logId);
    const large = (await collect(exportRuns(client, { limit: 100, withDetails: false }))).map((record) => record.logId);
    expect(small).toHaveLength(300);
    expect(small).toEqual(large);
  });
});
