import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reporter, ReportFile } from '../src/adapter-kit.js';
import { DifyConfigError, type RunRecord } from '../src/index.js';
import { renderReports, type RenderReportsOptions } from '../src/entries/pipeline.js';
import { node, run } from './support/records.js';

/** Runs of three apps over two days, some failed, nodes on every third, a hostile title on some. */
function record(index: number): RunRecord {
  const loggedAt = new Date(Date.parse('2026-03-09T00:00:00Z') + index * 431_000).toISOString();
  const failed = index % 7 === 0;
  return run({
    appId: `app-${index % 3}`,
    logId: `log-${index}`,
    runId: `run-${index}`,
    status: failed ? 'failed' : 'succeeded',
    loggedAt,
    createdAt: loggedAt,
    elapsedTime: ((index * 37) % 101) / 9,
    totalTokens: 100 + index,
    error: failed ? `Request ${index} to https://x.example.com timed out` : null,
    endUserSessionId: `user-${index % 11}`,
    inputs: { query: `question ${index} <b>${'长'.repeat(index % 4)}</b>` },
    nodes:
      index % 3 === 0
        ? [
            node({ id: `n-${index}`, title: index % 2 ? 'LLM' : '<script>x</script>', elapsedTime: index % 5 }),
            node({ id: `m-${index}`, nodeId: 'code', nodeType: 'code', elapsedTime: (index % 13) / 7 }),
          ]
        : null,
  });
}

/** A format whose writer takes records and has no shards: the report is then read on one thread. */
const countingReporter: Reporter = {
  format: 'count',
  start() {
    let count = 0;
    return {
      add: () => {
        count += 1;
      },
      finish: () => [{ extension: 'txt', contentType: 'text/plain', body: `${count} runs\n` }],
    };
  },
};

async function text(file: ReportFile): Promise<string> {
  if (typeof file.body === 'string') return file.body;
  if (file.body instanceof Uint8Array) return Buffer.from(file.body).toString('utf8');
  const chunks: Uint8Array[] = [];
  for await (const chunk of file.body) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

let dir: string;
let files: Array<{ path: string }>;
const base: RenderReportsOptions = {
  job: 'daily',
  formats: ['json', 'markdown'],
  timezone: 'Asia/Shanghai',
  now: () => new Date('2026-03-11T00:00:00.000Z'),
};

async function render(options: Partial<RenderReportsOptions>): Promise<Record<string, string>> {
  const rendered = await renderReports({ files }, { ...base, ...options });
  try {
    expect(rendered.problems).toEqual([]);
    const out: Record<string, string> = {};
    for (const { format, file } of rendered.files) out[`${format}.${file.part ?? ''}`] = await text(file);
    return out;
  } finally {
    await rendered.close();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'render-threads-'));
  const lines = Array.from({ length: 300 }, (_, index) => JSON.stringify(record(index)));
  await writeFile(join(dir, 'a.ndjson'), `${lines.slice(0, 170).join('\n')}\n`);
  await writeFile(join(dir, 'b.ndjson'), `${lines.slice(170).join('\r\n')}\r\n\n`);
  files = [{ path: join(dir, 'a.ndjson') }, { path: join(dir, 'b.ndjson') }];
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('renderReports over files on several threads', () => {
  it('gives byte-identical reports for any thread count and chunk size (property)', async () => {
    const one = await render({ threads: 1 });
    expect(JSON.parse(one['json.']!).runs).toBe(300);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 200, max: 60_000 }),
        fc.boolean(),
        async (threads, chunkBytes, windowed) => {
          const window = windowed ? { window: { from: '2026-03-09T03:00:00Z', to: '2026-03-09T20:00:00Z' } } : {};
          const expected = windowed ? await render({ threads: 1, ...window }) : one;
          expect(await render({ threads, chunking: { chunkBytes, workers: false }, ...window })).toEqual(expected);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('reads a stream and the same files alike', async () => {
    async function* records() {
      for (let index = 0; index < 300; index += 1) yield record(index);
    }
    const rendered = await renderReports(records(), base);
    const fromStream = Object.fromEntries(
      await Promise.all(rendered.files.map(async ({ format, file }) => [`${format}.`, await text(file)])),
    );
    await rendered.close();
    expect(fromStream).toEqual(await render({ threads: 3, chunking: { chunkBytes: 5000, workers: false } }));
  });

  it('reads on one thread when a format takes records and cannot shard them, with the same analysis', async () => {
    const out = await render({
      formats: ['json', 'count'],
      reporters: { count: countingReporter },
      threads: 4,
      chunking: { chunkBytes: 1000, workers: false },
    });
    expect(out['count.']).toBe('300 runs\n');
    expect(out['json.']).toBe((await render({ threads: 1 }))['json.']);
  });

  it('records a format that cannot start as a problem and renders the others, on any thread count', async () => {
    const broken: Reporter = {
      format: 'broken',
      start() {
        throw new Error('no template');
      },
    };
    for (const threads of [1, 3]) {
      const rendered = await renderReports(
        { files },
        {
          ...base,
          formats: ['broken', 'json'],
          reporters: { broken },
          threads,
          chunking: { chunkBytes: 4000, workers: false },
        },
      );
      try {
        expect(rendered.problems).toEqual([
          { stage: 'report', format: 'broken', code: 'render_failed', message: 'no template' },
        ]);
        expect(rendered.files.map(({ format }) => format)).toEqual(['json']);
        expect(rendered.analysis.runs).toBe(300);
      } finally {
        await rendered.close();
      }
    }
  });

  it('renders an empty file as one thread does', async () => {
    const empty = join(dir, 'empty.ndjson');
    await writeFile(empty, '');
    const read = async (threads: number) => {
      const rendered = await renderReports({ files: [{ path: empty }] }, { ...base, threads });
      const json = rendered.files[0]!.file.body as string;
      await rendered.close();
      return json;
    };
    expect(JSON.parse(await read(4)).runs).toBe(0);
    expect(await read(4)).toBe(await read(1));
  });

  it('names the first bad line, counted in its file, whatever the threads', async () => {
    const bad = join(dir, 'bad.ndjson');
    const lines = Array.from({ length: 50 }, (_, index) => JSON.stringify(record(index)));
    lines[31] = '{"appId": broken';
    lines[40] = 'also broken';
    await writeFile(bad, `${lines.join('\n')}\n`);
    const failure = (options: Partial<RenderReportsOptions>) =>
      renderReports({ files: [{ path: bad }] }, { ...base, ...options }).then(
        () => 'rendered',
        (error: Error) => error.message,
      );
    const one = await failure({ threads: 1 });
    expect(one).toMatch(/^bad\.ndjson line 32: not JSON/);
    expect(await failure({ threads: 3, chunking: { chunkBytes: 700, workers: false } })).toBe(one);
  });

  it('reports a missing file as one thread does, whatever the threads', async () => {
    const missing = (threads: number) =>
      renderReports({ files: [...files, { path: join(dir, 'missing.ndjson') }] }, { ...base, threads }).then(
        () => 'rendered',
        (error: Error) => error.message,
      );
    const one = await missing(1);
    expect(one).toMatch(/missing\.ndjson/);
    expect(await missing(3)).toBe(one);
  });

  it('refuses a thread count that is not a whole number of at least 1, naming the option', async () => {
    await expect(renderReports({ files }, { ...base, threads: 0 })).rejects.toThrow(DifyConfigError);
    await expect(renderReports({ files }, { ...base, threads: 1.5 })).rejects.toThrow(/threads/);
  });
});
