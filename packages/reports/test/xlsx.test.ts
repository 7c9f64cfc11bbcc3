import { readdir } from 'node:fs/promises';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { xlsxReporter } from '../src/index.js';
import { collect, drive } from './fixtures/drive.js';
import { HOSTILE, makeNode, makeRun, minimalAnalysis, neutralised } from './fixtures/records.js';

type Value = ExcelJS.CellValue;

async function readWorkbook(body: Buffer): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(body as unknown as Parameters<typeof workbook.xlsx.load>[0]);
  return workbook;
}

/** A sheet's rows as arrays of values (column A first). */
function values(sheet: ExcelJS.Worksheet | undefined): Value[][] {
  const rows: Value[][] = [];
  sheet?.eachRow({ includeEmpty: true }, (row) => {
    rows.push((row.values as Value[]).slice(1).map((value) => value ?? null));
  });
  return rows;
}

async function runXlsx(
  records: Parameters<typeof drive>[1],
  options: Parameters<typeof xlsxReporter>[0] = {},
  analysis = minimalAnalysis(),
) {
  const driven = await drive(xlsxReporter(options), records, analysis);
  const [body = Buffer.alloc(0)] = driven.bodies;
  await driven.cleanup();
  return { files: driven.files, workbook: await readWorkbook(body) };
}

const RUN_HEADER = [
  'appId',
  'logId',
  'runId',
  'status',
  'workflowVersion',
  'triggeredFrom',
  'createdFrom',
  'createdByRole',
  'endUserSessionId',
  'accountEmail',
  'loggedAt',
  'createdAt',
  'finishedAt',
  'elapsedTime',
  'totalTokens',
  'totalSteps',
  'exceptionsCount',
  'error',
  'enrichmentError',
  'nodeCount',
  'inputs',
  'outputs',
];

describe('xlsxReporter', () => {
  it('writes one workbook with Summary first, then Runs and Nodes', async () => {
    const records = [
      makeRun({ logId: 'a', nodes: [makeNode(), makeNode({ id: 'e2' })] }),
      makeRun({ logId: 'b', nodes: [makeNode({ id: 'e3' })] }),
      makeRun({ logId: 'c' }),
    ];
    const { files, workbook } = await runXlsx(records);
    expect(files.map(({ part, extension, contentType }) => ({ part, extension, contentType }))).toEqual([
      {
        part: undefined,
        extension: 'xlsx',
        contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      },
    ]);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['Summary', 'Runs', 'Nodes']);
    const runs = values(workbook.getWorksheet('Runs'));
    expect(runs[0]).toEqual(RUN_HEADER);
    expect(runs).toHaveLength(4);
    expect(runs.slice(1).map((row) => row[1])).toEqual(['a', 'b', 'c']);
    expect(runs[1]?.slice(13, 15)).toEqual([2.5, 120]);
    expect(runs[1]?.slice(19)).toEqual([2, '{"query":"hello"}', '{"answer":"world"}']);
    const nodes = values(workbook.getWorksheet('Nodes'));
    expect(nodes[0]?.slice(0, 3)).toEqual(['appId', 'runId', 'nodeExecutionId']);
    expect(nodes[0]).toHaveLength(23);
    expect(nodes.slice(1).map((row) => row[2])).toEqual(['exec-1', 'e2', 'e3']);
    expect(nodes[1]?.slice(10, 14)).toEqual([120, 100, 20, 0.0012]);
    expect(workbook.getWorksheet('Runs')?.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
  });

  it('neutralises formula triggers and keeps Chinese text and emoji intact', async () => {
    const records = HOSTILE.map((text, index) =>
      makeRun({ logId: `log-${index}`, error: text, inputs: { value: text }, nodes: [makeNode({ title: text })] }),
    );
    const { workbook } = await runXlsx(records);
    const runs = values(workbook.getWorksheet('Runs')).slice(1);
    // XML turns CR and CRLF into LF when the sheet is read, as Excel does too.
    const asRead = (text: string) => neutralised(text).replace(/\r\n?/g, '\n');
    expect(runs.map((row) => row[17] ?? '')).toEqual(HOSTILE.map(asRead));
    expect(runs.map((row) => JSON.parse(String(row[20])) as unknown)).toEqual(HOSTILE.map((text) => ({ value: text })));
    expect(runs[5]?.[17]).toBe(`'\n=1`);
    expect(runs[0]?.[17]).toBe(`'=HYPERLINK("http://evil")`);
    expect(runs[12]?.[17]).toBe('用户查询：天气怎么样？');
    expect(runs[13]?.[17]).toBe('emoji 🎉👍🏽 mixed 中文');
    const nodes = values(workbook.getWorksheet('Nodes')).slice(1);
    expect(nodes.map((row) => row[5] ?? '')).toEqual(HOSTILE.map(asRead));
    for (const sheet of workbook.worksheets) {
      sheet.eachRow((row) => row.eachCell((cell) => expect(cell.type).not.toBe(ExcelJS.ValueType.Formula)));
    }
  });

  it('keeps negative numbers as numbers', async () => {
    const { workbook } = await runXlsx([makeRun({ elapsedTime: -1.5, nodes: [makeNode({ totalPrice: -0.5 })] })]);
    expect(values(workbook.getWorksheet('Runs'))[1]?.[13]).toBe(-1.5);
    expect(values(workbook.getWorksheet('Nodes'))[1]?.[13]).toBe(-0.5);
  });

  it('cuts inputs and outputs JSON to Excel’s 32,767 characters', async () => {
    const { workbook } = await runXlsx([
      makeRun({ inputs: { long: 'x'.repeat(40_000) }, outputs: { emoji: '🎉'.repeat(20_000) } }),
    ]);
    const [row = []] = values(workbook.getWorksheet('Runs')).slice(1);
    expect(String(row[20])).toHaveLength(32_767);
    expect(String(row[20]).endsWith('…')).toBe(true);
    expect(String(row[21]).length).toBeLessThanOrEqual(32_767);
    expect(String(row[21]).endsWith('🎉…')).toBe(true);
  });

  it('stops at the row limit and says how many rows were left out', async () => {
    const records = Array.from({ length: 10 }, (_, index) =>
      makeRun({ logId: `log-${index}`, nodes: [makeNode({ id: `e${index}` })] }),
    );
    const { workbook } = await runXlsx(records, { maxRowsPerSheet: 5 });
    const runs = values(workbook.getWorksheet('Runs'));
    expect(runs).toHaveLength(5);
    expect(runs.slice(1, 4).map((row) => row[1])).toEqual(['log-0', 'log-1', 'log-2']);
    expect(runs[4]?.[0]).toMatch(/^7 more rows were left out: a sheet holds at most the limit of 5 rows/);
    expect(values(workbook.getWorksheet('Nodes'))).toHaveLength(5);

    const exact = await runXlsx(records.slice(0, 4), { maxRowsPerSheet: 5 });
    expect(values(exact.workbook.getWorksheet('Runs')).map((row) => row[1])).toEqual([
      'logId',
      'log-0',
      'log-1',
      'log-2',
      'log-3',
    ]);
  });

  it('fills the Summary from the analysis', async () => {
    const { workbook } = await runXlsx([]);
    const summary = values(workbook.getWorksheet('Summary'));
    const facts = new Map(summary.filter((row) => row.length >= 2).map((row) => [row[0], row[1]]));
    expect(summary[0]?.[0]).toBe('dify-logs report: daily');
    expect(facts.get('Window')).toBe('2026-03-02T00:00:00.000Z → 2026-03-03T00:00:00.000Z');
    expect(facts.get('Runs')).toBe(10);
    expect(facts.get('Success rate (%)')).toBe(90);
    expect(facts.get('Latency p95 (s)')).toBe(2.5);
    expect(facts.get('Cost (USD)')).toBe(0.012);
    expect(facts.get('Cost (RMB)')).toBe(0.5);
    const appsHeader = summary.findIndex((row) => row[0] === 'App');
    expect(summary[appsHeader]).toEqual([
      'App',
      'Runs',
      'Succeeded',
      'Failed',
      'Success rate (%)',
      'p50 (s)',
      'p95 (s)',
      'Tokens',
      'Enrichment failures',
      'Cost (USD)',
    ]);
    expect(summary[appsHeader + 1]).toEqual(["'=cmd|calc", 10, 9, 1, 90, 2.5, 2.5, 1300, 0, 0.012]);
    expect(summary.find((row) => row[0] === 'Provider')).toBeDefined();
    expect(summary.find((row) => row[0] === '大模型')).toEqual(['大模型', 'llm', 10, 1, 0.8, 0.8, 1200, 0.012]);
    expect(values(workbook.getWorksheet('Runs'))).toEqual([RUN_HEADER]);
  });

  it('serves the body more than once and removes its files on dispose', async () => {
    const driven = await drive(xlsxReporter(), [makeRun({ nodes: [makeNode()] })], minimalAnalysis());
    const [file] = driven.files;
    expect((await collect(file?.body ?? '')).equals(driven.bodies[0] ?? Buffer.alloc(0))).toBe(true);
    expect(await readdir(driven.tmpDir)).toHaveLength(1);
    await driven.dispose();
    expect(await readdir(driven.tmpDir)).toEqual([]);
    await driven.cleanup();
  });

  it('rejects a row limit beyond Excel’s', () => {
    expect(() => xlsxReporter({ maxRowsPerSheet: 1_048_577 })).toThrow(/maxRowsPerSheet/);
  });
});
