// The plugin in a runtime: a configuration that names `storage.type: json` runs a job on the simulator and every report
// and archive part lands in the one JSON file; a typo in the section is an error naming the key.
import { createDifyLogs, DifyConfigError } from '@dify-logs/core';
import { startSimulator } from '@dify-logs/dify-sim';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { plugin } from './index.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('the json storage plugin in createDifyLogs', () => {
  it('stores a run’s reports and archive in the JSON file the configuration names', async () => {
    const simulator = await startSimulator({ seed: 3, runsPerApp: 40, now: '2026-03-10T12:00:00Z', days: 2 });
    const cwd = mkdtempSync(join(tmpdir(), 'dify-logs-json-storage-'));
    dirs.push(cwd);
    const app = simulator.apps.find((candidate) => candidate.mode === 'workflow')!;
    try {
      const dify = await createDifyLogs({
        plugins: [plugin],
        cwd,
        env: { JSON_STORAGE_FILE: 'store/objects.json' },
        config: {
          dify: { baseUrl: simulator.url, apiKey: app.apiKey, appId: app.id },
          jobs: [
            {
              name: 'daily',
              window: { mode: 'explicit', from: '2026-03-09T00:00:00Z', to: '2026-03-10T00:00:00Z' },
              outputFormat: ['json', 'markdown'],
            },
          ],
          storage: { type: 'json' },
          state: { type: 'memory' },
        },
      });
      const [result] = await dify.run();
      await dify.close();
      expect(result?.status, JSON.stringify(result?.problems)).toBe('succeeded');
      const stored = (
        JSON.parse(readFileSync(join(cwd, 'store/objects.json'), 'utf8')) as {
          objects: Record<string, { contentType: string }>;
        }
      ).objects;
      const keys = Object.keys(stored);
      expect(keys.some((key) => key.endsWith('.md') && stored[key]!.contentType.startsWith('text/markdown'))).toBe(
        true,
      );
      expect(keys.some((key) => key.startsWith('data/'))).toBe(true);
      expect(result!.reports.every((report) => keys.includes(report.key))).toBe(true);
    } finally {
      await simulator.close();
    }
  });

  it('an unknown key in its section names the key', async () => {
    const error = await createDifyLogs({
      plugins: [plugin],
      config: {
        dify: { baseUrl: 'https://dify.example.com', apiKey: 'app-x', appId: 'a' },
        storage: { type: 'json', json: { file: 'x.json', fsync: true } },
      },
    }).catch((caught: unknown) => caught);
    expect(DifyConfigError.isInstance(error)).toBe(true);
    expect((error as DifyConfigError).key).toBe('storage.json.fsync');
  });
});
