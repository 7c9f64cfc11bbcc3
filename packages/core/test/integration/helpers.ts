import { startSimulator, type DifySimulator, type SimulatorOptions } from '@dify-logs/dify-sim';
import { afterEach } from 'vitest';
import { createDifyClient, exportRuns, type DifyClientOptions, type RunRecord } from '../../src/index.js';

const running: DifySimulator[] = [];

/** Starts a simulator that is closed after the current test. Fixed clock and seed: data is deterministic. */
export async function sim(options: SimulatorOptions = {}): Promise<DifySimulator> {
  const simulator = await startSimulator({
    seed: 7,
    runsPerApp: 120,
    now: '2026-03-10T12:00:00Z',
    lostRunRate: 0,
    ...options,
  });
  running.push(simulator);
  return simulator;
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((simulator) => simulator.close()));
});

export function workflowApp(simulator: DifySimulator) {
  const app = simulator.apps.find((candidate) => candidate.mode === 'workflow');
  if (!app) throw new Error('simulator has no workflow app');
  return app;
}

export function chatflowApp(simulator: DifySimulator) {
  const app = simulator.apps.find((candidate) => candidate.mode === 'advanced-chat');
  if (!app) throw new Error('simulator has no chatflow app');
  return app;
}

/** Fast retries so fault tests stay quick. */
export const quickRetry = { retries: 6, minDelayMs: 5, maxDelayMs: 20 };

export function consoleClient(simulator: DifySimulator, extra: Partial<DifyClientOptions> = {}) {
  return createDifyClient({ baseUrl: simulator.url, console: { ...simulator.account }, retry: quickRetry, ...extra });
}

export function keyClient(simulator: DifySimulator, extra: Partial<DifyClientOptions> = {}) {
  const app = workflowApp(simulator);
  return createDifyClient({ baseUrl: simulator.url, apiKey: app.apiKey, appId: app.id, retry: quickRetry, ...extra });
}

export async function collect<T = RunRecord>(iterable: AsyncIterable<T>): Promise<T[]> {
  const records: T[] = [];
  for await (const record of iterable) records.push(record);
  return records;
}

export { exportRuns };

/** A logger that keeps what it is given (pino's call shape). */
export function recordingLogger() {
  const lines: Array<{ level: string; fields: Record<string, unknown>; message: string }> = [];
  const make = (bindings: Record<string, unknown>): any => {
    const at =
      (level: string) =>
      (fields: Record<string, unknown>, message = '') =>
        lines.push({ level, fields: { ...bindings, ...fields }, message });
    return {
      child: (more: Record<string, unknown>) => make({ ...bindings, ...more }),
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
      trace: at('trace'),
      fatal: at('fatal'),
      level: 'debug',
    };
  };
  return { logger: make({}), lines };
}
