import { describe, expect, it } from 'vitest';
import type { DifySimulator } from '@dify-logs/dify-sim';
import { keyClient, recordingLogger, sim } from './helpers.js';

/** The pauses the client logged before each retry (its debug line), with whether others were answered meanwhile. */
function pauses(lines: ReturnType<typeof recordingLogger>['lines']) {
  return lines
    .filter((line) => line.message === 'retrying request')
    .map((line) => ({ pauseMs: line.fields.pauseMs as number, othersAnswered: line.fields.othersAnswered as boolean }));
}

describe('retry pauses against the simulator', () => {
  const retry = { retries: 5, minDelayMs: 20, maxDelayMs: 2_000 };

  /**
   * One run's detail failing with `faults` (five retries, then given up) while list requests keep being answered: the
   * pauses logged before its retries.
   */
  async function failingWhileOthersAnswered(faults: Parameters<DifySimulator['setFaults']>[0]) {
    const simulator = await sim({ runsPerApp: 20 });
    const { logger, lines } = recordingLogger();
    const client = keyClient(simulator, { retry, logger });
    const [run] = (await client.logPage({ limit: 1 })).data;
    const runId = run!.workflow_run!.id;
    simulator.setFaults({ ...faults, paths: runId });
    let failing = true;
    const others = (async () => {
      while (failing) await client.logPage({ limit: 1 });
    })();
    const error = await client.runDetail(runId).catch((caught: unknown) => caught);
    failing = false;
    await others;
    expect(error).toBeInstanceOf(Error);
    const seen = pauses(lines);
    expect(seen).toHaveLength(5);
    return seen;
  }

  it('a request failing alone while Dify answers the others is retried at short pauses', async () => {
    const seen = await failingWhileOthersAnswered({ rate5xx: 1 });
    expect(seen.every((pause) => pause.othersAnswered)).toBe(true);
    // Twice the first at most: 20, then 40 ms (the outage schedule would reach 320–640 ms by the fifth).
    expect(Math.max(...seen.map((pause) => pause.pauseMs))).toBeLessThanOrEqual(40);
  });

  it('a 429 without Retry-After (a gateway) keeps the doubling back-off while Dify answers the others', async () => {
    const seen = await failingWhileOthersAnswered({ rate429: 1, retryAfterSeconds: null });
    expect(seen.map((pause) => pause.othersAnswered)).toEqual([false, false, false, false, false]);
    seen.forEach((pause, index) => expect(pause.pauseMs).toBeGreaterThanOrEqual(20 * 2 ** index));
  });

  it('a 429 saying when to come back (Retry-After: 0) is paced like an error while others are answered', async () => {
    const seen = await failingWhileOthersAnswered({ rate429: 1, retryAfterSeconds: 0 });
    expect(seen.every((pause) => pause.othersAnswered)).toBe(true);
    expect(Math.max(...seen.map((pause) => pause.pauseMs))).toBeLessThanOrEqual(40);
  });

  it('when nothing is answered (Dify down), the pauses double up to maxDelayMs', async () => {
    const simulator = await sim({ runsPerApp: 20 });
    const { logger, lines } = recordingLogger();
    const client = keyClient(simulator, { retry, logger });
    simulator.setFaults({ rate5xx: 1 });
    const error = await client.logPage({ limit: 1 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    const seen = pauses(lines);
    expect(seen.map((pause) => pause.othersAnswered)).toEqual([false, false, false, false, false]);
    // 20·2^(n−1), randomised ×1–2: the fifth pause at least 320 ms.
    seen.forEach((pause, index) => expect(pause.pauseMs).toBeGreaterThanOrEqual(20 * 2 ** index));
  });
});
