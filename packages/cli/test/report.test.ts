import { readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempDir } from './helpers.js';

function record(index: number, failed: boolean) {
  const createdAt = new Date(Date.parse('2026-03-09T00:00:00Z') + index * 60_000).toISOString();
  return {
    appId: 'app-a',
    logId: `log-${index}`,
    runId: `run-${index}`,
    status: failed ? 'failed' : 'succeeded',
    workflowVersion: 'v1',
    triggeredFrom: 'app-run',
    createdFrom: 'service-api',
    createdByRole: 'end_user',
    endUserSessionId: `user-${index % 4}`,
    accountEmail: null,
    loggedAt: createdAt,
    createdAt,
    finishedAt: createdAt,
    elapsedTime: 1 + (index % 10),
    totalTokens: 100,
    totalSteps: 2,
    exceptionsCount: 0,
    error: failed ? `Request ${index} timed out` : null,
    inputs: { query: index % 5 === 0 ? '=HYPERLINK("http://evil")' : `question ${index}` },
    outputs: { answer: 'ok' },
    nodes: null,
    enrichmentError: null,
  };
}

async function archive(dir: string, name: string, count: number, failEvery: number): Promise<string> {
  const path = join(dir, name);
  await writeFile(
    path,
    Array.from({ length: count }, (_, index) => JSON.stringify(record(index, index % failEvery === 0))).join('\n') +
      '\n',
  );
  return path;
}

describe('dify-logs report', () => {
  it('renders every format from an archive without Dify, and compares with a previous JSON report', async () => {
    const dir = await tempDir();
    await archive(dir, 'before.ndjson', 60, 30);
    await archive(dir, 'now.ndjson', 60, 3);
    const before = await cli(
      ['report', '--input', 'before.ndjson', '--format', 'json', '--out-dir', 'before', '--job', 'daily'],
      { cwd: dir },
    );
    expect(before.code, before.stderr).toBe(0);
    const previous = before.stdout.trim();

    const now = await cli(
      [
        'report',
        '--input',
        'now.ndjson',
        '--format',
        'json,markdown,csv,html',
        '--out-dir',
        'now',
        '--job',
        'daily',
        '--previous',
        previous,
      ],
      { cwd: dir },
    );
    expect(now.code, now.stderr).toBe(0);
    expect(now.stderr).toMatch(/60 records in/);
    const files = readdirSync(join(dir, 'now')).sort();
    expect(files.map((file) => file.replace(/^daily-\d{8}T\d{6}-\d{8}T\d{6}/, ''))).toEqual([
      '.csv',
      '.html',
      '.json',
      '.md',
      '.nodes.csv',
    ]);
    const analysis = JSON.parse(
      readFileSync(
        join(
          dir,
          'now',
          files.find((file) => file.endsWith('.json'))!,
        ),
        'utf8',
      ),
    ) as { runs: number; byStatus: Record<string, number>; comparison: { flags: Array<{ metric: string }> } };
    expect(analysis.runs).toBe(60);
    expect(analysis.byStatus.failed).toBe(20);
    expect(analysis.comparison.flags.map((flag) => flag.metric)).toContain('successRate');
    expect(
      readFileSync(
        join(
          dir,
          'now',
          files.find((file) => file.endsWith('.md'))!,
        ),
        'utf8',
      ),
    ).toMatch(/CRITICAL\*\*: Success rate fell/);
    const csv = readFileSync(
      join(
        dir,
        'now',
        files.find((file) => /\d\.csv$/.test(file))!,
      ),
      'utf8',
    );
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv).toContain(`"'=HYPERLINK(""http://evil"")"`);
  });

  it('names the file and line of a record that is not JSON, and writes nothing', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'bad.ndjson'), `${JSON.stringify(record(1, false))}\n{"appId": "a", broken\n`);
    const result = await cli(['report', '--input', 'bad.ndjson', '--format', 'markdown', '--out-dir', 'out'], {
      cwd: dir,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/bad\.ndjson line 2: not JSON/);
    expect(() => readdirSync(join(dir, 'out'))).toThrow();
  });

  it('refuses an unknown format with exit code 2', async () => {
    const dir = await tempDir();
    const result = await cli(['report', '--input', 'x.ndjson', '--format', 'pdf'], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--format: unknown pdf/);
  });

  it(
    're-reports from Parquet: the analysis of a ' + '….runs.parquet report equals the one of its NDJSON source',
    async () => {
      const dir = await tempDir();
      await archive(dir, 'runs.ndjson', 90, 4);
      const fromNdjson = await cli(
        ['report', '--input', 'runs.ndjson', '--format', 'json,parquet', '--out-dir', 'first', '--job', 'daily'],
        { cwd: dir },
      );
      expect(fromNdjson.code, fromNdjson.stderr).toBe(0);
      const written = fromNdjson.stdout.trim().split('\n');
      const runsTable = written.find((path) => path.endsWith('.runs.parquet'))!;
      const nodesTable = written.find((path) => path.endsWith('.nodes.parquet'))!;
      const fromParquet = await cli(
        ['report', '--input', runsTable, '--format', 'json', '--out-dir', 'second', '--job', 'daily'],
        { cwd: dir },
      );
      expect(fromParquet.code, fromParquet.stderr).toBe(0);
      expect(fromParquet.stderr).toMatch(/90 records in/);
      const analysis = (path: string) => {
        const {
          generatedAt: _generatedAt,
          runId: _runId,
          ...rest
        } = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
        return rest;
      };
      expect(analysis(fromParquet.stdout.trim())).toEqual(analysis(written.find((path) => path.endsWith('.json'))!));

      const wrongTable = await cli(['report', '--input', nodesTable, '--format', 'json', '--out-dir', 'third'], {
        cwd: dir,
      });
      expect(wrongTable.code).toBe(1);
      expect(wrongTable.stderr).toContain('nodes.parquet');
      expect(wrongTable.stderr).toMatch(/runs table/);
    },
  );
});
