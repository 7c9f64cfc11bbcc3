import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runRecordJsonSchema } from '../src/records/schema.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));
const built = existsSync(`${packageDir}/dist/index.cjs`);

describe('published entry points', () => {
  it.skipIf(!built)('can be required from CommonJS on Node >= 20.19 (needs `pnpm build`)', () => {
    const script = `
      const core = require('@dify-logs/core');
      const client = core.createDifyClient({ baseUrl: 'http://127.0.0.1:1', apiKey: 'app-x' });
      process.stdout.write(JSON.stringify({ type: typeof core.exportRuns, version: core.VERSION, surface: \
client.logSurface }));
    `;
    const output = execFileSync(process.execPath, ['--input-type=commonjs', '-e', script], {
      cwd: packageDir,
      encoding: 'utf8',
    });
    const parsed = JSON.parse(output) as { type: string; version: string; surface: string };
    expect(parsed.type).toBe('function');
    expect(parsed.surface).toBe('service');
    expect(parsed.version).toBe(JSON.parse(readFileSync(`${packageDir}/package.json`, 'utf8')).version);
  });

  it.skipIf(!built)(
    'splits the API between `.`, `./adapter-kit`, `./testing` and `./internal` (needs `pnpm build`)',
    () => {
      const script = `
      const names = (entry) => Object.keys(require(entry)).sort();
      process.stdout.write(JSON.stringify({
        core: names('@dify-logs/core'),
        kit: names('@dify-logs/core/adapter-kit'),
        testing: names('@dify-logs/core/testing'),
        internal: names('@dify-logs/core/internal'),
      }));
    `;
      const output = execFileSync(process.execPath, ['--input-type=commonjs', '-e', script], {
        cwd: packageDir,
        encoding: 'utf8',
      });
      const { core, kit, testing, internal } = JSON.parse(output) as Record<
        'core' | 'kit' | 'testing' | 'internal',
        string[]
      >;
      expect(core).toEqual(expect.arrayContaining(['createDifyLogs', 'runPipeline', 'exportRuns', 'loadConfig']));
      expect(kit).toEqual(
        expect.arrayContaining(['definePlugin', 'storageKey', 'BodySource', 'packMetadata', 'createPluginRegistry']),
      );
      expect(testing).toEqual(expect.arrayContaining(['testStorageAdapter', 'testNotifier']));
      expect(internal).toEqual(expect.arrayContaining(['snapshotAnalyzer', 'redactConfig']));
      // What moved is no longer in `.`.
      for (const name of [...kit, ...internal]) expect(core).not.toContain(name);
    },
  );

  it.skipIf(!built)('ships the RunRecord JSON Schema generated from the zod schema (needs `pnpm build`)', () => {
    const shipped = JSON.parse(readFileSync(`${packageDir}/dist/run-record.schema.json`, 'utf8'));
    expect(shipped).toEqual(runRecordJsonSchema());
  });

  it('keeps docs/run-record.schema.json in step with the zod schema', () => {
    const documented = JSON.parse(readFileSync(`${packageDir}/../../docs/run-record.schema.json`, 'utf8'));
    expect(documented).toEqual(runRecordJsonSchema());
  });
});
