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
    'splits the API between `.` and the topical, adapter, testing and internal entries (needs `pnpm build`)',
    () => {
      const script = `
      const names = (entry) => Object.keys(require(entry)).sort();
      process.stdout.write(JSON.stringify({
        core: names('@dify-logs/core'),
        client: names('@dify-logs/core/client'),
        pipeline: names('@dify-logs/core/pipeline'),
        archive: names('@dify-logs/core/archive'),
        kit: names('@dify-logs/core/adapter-kit'),
        cliKit: names('@dify-logs/core/cli-kit'),
        testing: names('@dify-logs/core/testing'),
        internal: names('@dify-logs/core/internal'),
      }));
    `;
      const output = execFileSync(process.execPath, ['--input-type=commonjs', '-e', script], {
        cwd: packageDir,
        encoding: 'utf8',
      });
      const entries = JSON.parse(output) as Record<
        'core' | 'client' | 'pipeline' | 'archive' | 'kit' | 'cliKit' | 'testing' | 'internal',
        string[]
      >;
      expect(entries.core).toEqual(
        expect.arrayContaining(['createDifyLogs', 'loadConfig', 'createDifyClient', 'exportRuns', 'DifyLogsError']),
      );
      expect(entries.client).toEqual(expect.arrayContaining(['createDifyClient', 'exportRuns', 'FETCH_DEFAULTS']));
      expect(entries.pipeline).toEqual(
        expect.arrayContaining(['runPipeline', 'backfill', 'renderReports', 'createAnalyzer', 'fileStateStore']),
      );
      expect(entries.archive).toEqual(expect.arrayContaining(['readArchive', 'createArchiveWriter', 'verifyArchive']));
      expect(entries.kit).toEqual(
        expect.arrayContaining(['definePlugin', 'storageKey', 'BodySource', 'packMetadata', 'createPluginRegistry']),
      );
      expect(entries.cliKit).toEqual(
        expect.arrayContaining(['VERSION', 'DifyLogsError', 'environmentToConfig', 'scrub', 'createAtomicFileWriter']),
      );
      expect(entries.client).toContain('createPrivacyPolicy');
      expect(entries.testing).toEqual(expect.arrayContaining(['testStorageAdapter', 'testNotifier']));
      expect(entries.internal).toEqual(expect.arrayContaining(['compareAnalyses', 'redactConfig']));
      // The parallel report path lives in core's renderer now: its parts are no longer exported.
      for (const name of ['snapshotAnalyzer', 'restoreAnalyzer', 'lineStartFrom', 'readRunRecordRange'])
        expect(entries.internal).not.toContain(name);
      // `.` keeps what end users call: what the topical entries hold beyond the client's two functions is not in it.
      const shared = new Set(['createDifyClient', 'exportRuns']);
      for (const name of [...entries.pipeline, ...entries.archive, ...entries.kit, ...entries.internal])
        if (!shared.has(name)) expect(entries.core).not.toContain(name);
      expect(entries.core.length).toBeLessThan(45);
    },
  );

  it.skipIf(!built)('shares one copy of each class and module state between the entries, from CommonJS too', () => {
    // Each entry bundled on its own would carry its own DifyConfigError: a `catch` with `instanceof` around
    // `runPipeline` (from ./pipeline) would miss the error class imported from `.`.
    const script = `
      const core = require('@dify-logs/core');
      const pipeline = require('@dify-logs/core/pipeline');
      const client = require('@dify-logs/core/client');
      const cliKit = require('@dify-logs/core/cli-kit');
      let caught;
      pipeline.runPipeline({ name: 'bad name', apps: [] }, {}).catch((error) => {
        caught = error;
        process.stdout.write(JSON.stringify({
          sameClient: core.createDifyClient === client.createDifyClient,
          configError: caught instanceof core.DifyConfigError,
          cliKitConfigError: caught instanceof cliKit.DifyConfigError,
        }));
      });
    `;
    const output = execFileSync(process.execPath, ['--input-type=commonjs', '-e', script], {
      cwd: packageDir,
      encoding: 'utf8',
    });
    expect(JSON.parse(output)).toEqual({ sameClient: true, configError: true, cliKitConfigError: true });
  });

  it.skipIf(!built)('ships the RunRecord JSON Schema generated from the zod schema (needs `pnpm build`)', () => {
    const shipped = JSON.parse(readFileSync(`${packageDir}/dist/run-record.schema.json`, 'utf8'));
    expect(shipped).toEqual(runRecordJsonSchema());
  });

  it('keeps docs/run-record.schema.json in step with the zod schema', () => {
    const documented = JSON.parse(readFileSync(`${packageDir}/../../docs/run-record.schema.json`, 'utf8'));
    expect(documented).toEqual(runRecordJsonSchema());
  });
});
