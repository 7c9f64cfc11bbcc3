import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runReport, type ReportFlags } from '../src/commands/report.js';
import { tempDir } from './helpers.js';

/** Runs of three apps whose inputs and outputs differ (columns appear late and in other orders), nodes on some. */
function record(index: number) {
  const createdAt = new Date(Date.parse('2026-03-09T00:00:00Z') + index * 37_000).toISOString();
  const failed = index % 6 === 0;
  const app = `app-${index % 3}`;
  const inputs =
    index % 13 === 7
      ? null
      : {
          query: index % 5 === 0 ? `=cmd("${index}"), 中文\nline` : `question ${index}`,
          ...(app === 'app-2' ? { lang: 'zh', options: { depth: index % 4, tags: ['a', index] } } : {}),
          ...(index > 150 && index % 9 === 0 ? { late: index } : {}),
        };
  const outputs = failed ? null : index % 4 === 0 ? { answer: `answer, ${index}`, score: index / 7 } : { answer: 'ok' };
  const node = (id: number, extra: Record<string, unknown>) => ({
    id: `ne-${index}-${id}`,
    nodeId: `node-${id}`,
    nodeType: 'llm',
    title: `Step ${id}`,
    index: id,
    predecessorNodeId: null,
    status: 'succeeded',
    error: null,
    elapsedTime: (index % 17) / 3 + id,
    totalTokens: 100 + id,
    promptTokens: 60,
    completionTokens: 40 + id,
    totalPrice: (index % 11) * 0.00013,
    currency: 'USD',
    modelProvider: 'ollama',
    modelName: index % 2 ? 'llama3.1:8b' : 'qwen-max',
    iterationId: null,
    iterationIndex: null,
    loopId: null,
    loopIndex: null,
    createdAt,
    finishedAt: createdAt,
    ...extra,
  });
  return {
    appId: app,
    logId: `log-${index}`,
    runId: index % 29 === 0 ? null : `run-${index}`,
    status: failed ? 'failed' : index % 19 === 0 ? null : 'succeeded',
    workflowVersion: index % 10 ? 'v1' : 'draft',
    triggeredFrom: 'app-run',
    createdFrom: 'service-api',
    createdByRole: 'end_user',
    endUserSessionId: `user-${index % 23}`,
    accountEmail: null,
    loggedAt: createdAt,
    createdAt,
    finishedAt: createdAt,
    elapsedTime: (index % 31) / 3.7,
    totalTokens: 300 + index,
    totalSteps: 3,
    exceptionsCount: 0,
    error: failed ? `Request ${index} to https://x.example.com/${index} timed out` : null,
    inputs,
    outputs,
    nodes:
      index % 4 === 1
        ? [node(1, {}), node(2, failed ? { status: 'failed', error: `node ${index} broke, "badly"` } : {})]
        : null,
    enrichmentError: null,
  };
}

function io(cwd: string) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const err: Buffer[] = [];
  stderr.on('data', (chunk: Buffer) => err.push(chunk));
  stdout.resume();
  return { io: { stdout, stderr, env: {}, cwd }, stderr: () => Buffer.concat(err).toString('utf8') };
}

const flags = (overrides: Partial<ReportFlags>): ReportFlags => ({
  input: ['a.ndjson', 'b.ndjson'],
  format: 'json,markdown,csv,html',
  outDir: 'out',
  job: 'daily',
  timezone: 'Asia/Shanghai',
  ...overrides,
});

/** Every file in `dir` by name, as text. */
const contents = (dir: string) =>
  Object.fromEntries(
    readdirSync(dir)
      .sort()
      .map((name) => [name, readFileSync(join(dir, name), 'utf8')]),
  );

describe('dify-logs report on chunks of the input', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-03-10T01:02:03.456Z'));
  });
  afterEach(() => vi.useRealTimers());

  it('writes the same files as one thread: heterogeneous columns, nodes, prices, a window, several files', async () => {
    const dir = await tempDir();
    const lines = Array.from({ length: 400 }, (_, index) => JSON.stringify(record(index)));
    await writeFile(join(dir, 'a.ndjson'), `${lines.slice(0, 250).join('\r\n')}\r\n\n`);
    await writeFile(join(dir, 'b.ndjson'), lines.slice(250).join('\n'));
    await writeFile(
      join(dir, 'prices.json'),
      JSON.stringify([{ model: 'llama*', provider: 'ollama', input: 0.001, output: 0.002, currency: 'USD' }]),
    );
    for (const [variant, extra] of [
      {},
      { from: '2026-03-09T00:30:00Z', to: '2026-03-09T03:00:00Z', prices: 'prices.json' },
    ].entries()) {
      const one = io(dir);
      expect(await runReport(flags({ ...extra, threads: '1', outDir: `one-${variant}` }), one.io)).toBe(0);
      for (const chunkBytes of [997, 20_000]) {
        const many = io(dir);
        const outDir = `many-${variant}-${chunkBytes}`;
        expect(
          await runReport(flags({ ...extra, threads: '3', outDir }), many.io, { workers: false, chunkBytes }),
        ).toBe(0);
        expect(contents(join(dir, outDir))).toEqual(contents(join(dir, `one-${variant}`)));
        expect(many.stderr()).toMatch(/records in/);
      }
      expect(
        readdirSync(join(dir, `one-${variant}`))
          .sort()
          .map((name) => name.replace(/^daily-\d{8}T\d{6}-\d{8}T\d{6}/, '')),
      ).toEqual(['.csv', '.html', '.json', '.md', '.nodes.csv']);
    }
  });

  it('names the first bad line of the input, counted in its file, and writes nothing', async () => {
    const dir = await tempDir();
    const lines = Array.from({ length: 120 }, (_, index) => JSON.stringify(record(index)));
    lines[97] = '{"appId": "a", broken';
    lines[110] = 'also broken';
    await writeFile(join(dir, 'a.ndjson'), `${lines.slice(0, 20).join('\n')}\n`);
    await writeFile(join(dir, 'b.ndjson'), `${lines.slice(20).join('\n')}\n`);
    const one = await runReport(flags({ threads: '1' }), io(dir).io).catch((error: Error) => error.message);
    const many = await runReport(flags({ threads: '2' }), io(dir).io, { workers: false, chunkBytes: 3000 }).catch(
      (error: Error) => error.message,
    );
    expect(one).toMatch(/^b\.ndjson line 78: not JSON/);
    expect(many).toBe(one);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});

const bin = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
// Core's render worker and the CSV reporter's shard module, as built.
const worker = fileURLToPath(new URL('../../core/dist/render-worker.js', import.meta.url));
const shards = fileURLToPath(new URL('../../reports/dist/csv-shards.js', import.meta.url));

describe('dify-logs report with worker threads', () => {
  it.skipIf(!existsSync(worker) || !existsSync(shards))(
    'writes the same files as one thread (needs `pnpm build`)',
    async () => {
      const dir = await tempDir();
      const lines = Array.from({ length: 6000 }, (_, index) =>
        JSON.stringify({ ...record(index), nodes: record(index * 4 + 1).nodes }),
      );
      await writeFile(join(dir, 'runs.ndjson'), `${lines.join('\n')}\n`);
      // Small chunks, so that the worker thread, which takes a moment to start, gets some.
      const env = { ...process.env, DIFY_LOGS_REPORT_CHUNK_BYTES: '16384' };
      const run = (threads: string, outDir: string, nodeOptions: string[] = []) =>
        spawnSync(
          process.execPath,
          [
            ...nodeOptions,
            bin,
            'report',
            '--input',
            'runs.ndjson',
            '--format',
            'json,csv,markdown',
            '--out-dir',
            outDir,
            '--threads',
            threads,
          ],
          { cwd: dir, encoding: 'utf8', env },
        );
      const one = run('1', 'one');
      const two = run('2', 'two');
      expect(one.status, one.stderr).toBe(0);
      expect(two.status, two.stderr).toBe(0);
      // A Node option that worker threads refuse: no worker, the same files from this thread.
      const refused = run('2', 'refused', ['--max-semi-space-size=16']);
      expect(refused.status, refused.stderr).toBe(0);
      const strip = (files: Record<string, string>) =>
        Object.fromEntries(
          Object.entries(files).map(([name, text]) => [
            name,
            text
              .replace(/report-\d{8}T\d{9}Z/g, 'RUN')
              .replace(/"generatedAt": "[^"]+"/, '')
              .replace(/Generated \S+/, ''),
          ]),
        );
      expect(strip(contents(join(dir, 'two')))).toEqual(strip(contents(join(dir, 'one'))));
      expect(strip(contents(join(dir, 'refused')))).toEqual(strip(contents(join(dir, 'one'))));
    },
    60_000,
  );
});
