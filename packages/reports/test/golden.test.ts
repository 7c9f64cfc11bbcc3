import ExcelJS from 'exceljs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readRunRecords } from '@dify-logs/core';
import { renderReports, type RenderedReports, type RenderReportsOptions } from '@dify-logs/core/pipeline';
import { createPluginRegistry } from '@dify-logs/core/adapter-kit';
import { formatReporters } from '@dify-logs/core/internal';
import { csvReporter, htmlReporter, plugins, xlsxReporter } from '../src/index.js';
import { collect } from './fixtures/drive.js';

const dataset = fileURLToPath(new URL('./fixtures/golden-runs.ndjson', import.meta.url));
const golden = (name: string) => fileURLToPath(new URL(`./golden/${name}`, import.meta.url));

async function render(formats: string[], threaded?: Partial<RenderReportsOptions>): Promise<RenderedReports> {
  const source = threaded ? { files: [{ path: dataset }] } : readRunRecords(dataset, 'golden-runs.ndjson');
  return renderReports(source, {
    job: 'golden',
    runId: 'golden-run',
    formats,
    reporters: { csv: csvReporter(), html: htmlReporter(), xlsx: xlsxReporter() },
    timezone: 'Asia/Shanghai',
    window: { from: '2026-03-08T16:00:00.000Z', to: '2026-03-09T16:00:00.000Z' },
    consoleUrl: 'https://dify.example.com',
    prices: [{ model: 'llama*', provider: 'ollama', input: 0.001, output: 0.002, currency: 'USD' }],
    now: () => new Date('2026-03-09T16:05:00.000Z'),
    ...threaded,
  });
}

/**
 * The files match the golden ones, without problems, and the CSV files are complete on disk in the stage folder (a
 * caller can rename them into place): the chunked path made them.
 */
async function expectGoldenStaged(rendered: RenderedReports, stageDir: string): Promise<void> {
  expect(rendered.problems).toEqual([]);
  for (const { file } of rendered.files) {
    const name = `report${file.part ? `.${file.part}` : ''}.${file.extension}`;
    await expect((await collect(file.body)).toString('utf8')).toMatchFileSnapshot(golden(name));
    if (file.extension === 'csv') expect(file.path?.startsWith(stageDir)).toBe(true);
  }
}

/**
 * Golden files: the reports of a fixed dataset (40 runs, nodes on 40 %, hostile and Chinese values).
 * A change to any format shows up as a diff of these files; review it, then update them with
 * `pnpm exec vitest run packages/reports/test/golden.test.ts -u`.
 */
describe('golden reports of a fixed dataset', () => {
  it('json, markdown, csv (runs and nodes) and html', async () => {
    const rendered = await render(['json', 'markdown', 'csv', 'html']);
    try {
      expect(rendered.problems).toEqual([]);
      const names: string[] = [];
      for (const { format, file } of rendered.files) {
        const name = `report${file.part ? `.${file.part}` : ''}.${file.extension}`;
        names.push(`${format}:${name}`);
        await expect((await collect(file.body)).toString('utf8')).toMatchFileSnapshot(golden(name));
      }
      expect(names).toEqual([
        'json:report.json',
        'markdown:report.md',
        'csv:report.csv',
        'csv:report.nodes.csv',
        'html:report.html',
      ]);
    } finally {
      await rendered.close();
    }
  });

  it('the same files from the dataset file read on 2 to 4 threads, the CSV files staged whole', async () => {
    for (const threads of [2, 3, 4]) {
      const stageDir = await mkdtemp(join(tmpdir(), 'golden-stage-'));
      const rendered = await render(['json', 'markdown', 'csv', 'html'], {
        threads,
        stageDir,
        chunking: { chunkBytes: 1500 * threads, workers: false },
      });
      try {
        await expectGoldenStaged(rendered, stageDir);
        expect(await readdir(stageDir)).toHaveLength(2);
      } finally {
        await rendered.close();
      }
      // What was not moved is gone.
      expect(await readdir(stageDir)).toEqual([]);
      await rm(stageDir, { recursive: true, force: true });
    }
  });

  it('the same through the runtime format plugins (loaded on first use) on 3 threads', async () => {
    const stageDir = await mkdtemp(join(tmpdir(), 'golden-stage-'));
    const rendered = await render(['json', 'markdown', 'csv', 'html'], {
      reporters: formatReporters(createPluginRegistry([plugins])),
      threads: 3,
      stageDir,
      chunking: { chunkBytes: 4000, workers: false },
    });
    try {
      // Staged whole: the chunked path ran (a lazy plugin's writer used to send it to one thread).
      await expectGoldenStaged(rendered, stageDir);
    } finally {
      await rendered.close();
      await rm(stageDir, { recursive: true, force: true });
    }
  });

  it('xlsx: the cells of every sheet', async () => {
    const rendered = await render(['xlsx']);
    try {
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load((await collect(rendered.files[0]!.file.body)) as unknown as ArrayBuffer);
      const sheets: Record<string, unknown[]> = {};
      workbook.eachSheet((sheet) => {
        const rows: unknown[] = [];
        sheet.eachRow((row) => rows.push(row.values));
        sheets[sheet.name] = rows;
      });
      await expect(`${JSON.stringify(sheets, null, 1)}\n`).toMatchFileSnapshot(golden('report.xlsx.json'));
    } finally {
      await rendered.close();
    }
  });
});
