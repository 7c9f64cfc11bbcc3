import { readdir } from 'node:fs/promises';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvReporter } from '../src/index.js';
import { collect, drive } from './fixtures/drive.js';
import { HOSTILE, makeNode, makeRun, minimalAnalysis, neutralised } from './fixtures/records.js';

const BOM = '\uFEFF';

/**
 * A strict RFC 4180 parser for the tests: CRLF between records (a bare CR or LF only inside quotes),
 * quotes only around whole fields, `""` for a quote, every record ending with CRLF, and the same
 * number of fields in every record.
 */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let index = 0;
  while (index < text.length) {
    let field = '';
    if (text[index] === '"') {
      index += 1;
      for (;;) {
        if (index >= text.length) throw new Error('unterminated quoted field');
        const char = text[index];
        if (char === '"') {
          if (text[index + 1] !== '"') {
            index += 1;
            break;
          }
          field += '"';
          index += 2;
        } else {
          field += char;
          index += 1;
        }
      }
    } else {
      while (index < text.length && text[index] !== ',' && text[index] !== '\r' && text[index] !== '\n') {
        if (text[index] === '"') throw new Error(`quote inside an unquoted field at ${index}`);
        field += text[index];
        index += 1;
      }
    }
    record.push(field);
    if (text[index] === ',') {
      index += 1;
    } else if (text[index] === '\r' && text[index + 1] === '\n') {
      records.push(record);
      record = [];
      index += 2;
    } else {
      throw new Error(`expected a comma or CRLF at ${index}, found ${JSON.stringify(text[index])}`);
    }
  }
  if (record.length > 0) throw new Error('the last record does not end with CRLF');
  const width = records[0]?.length;
  records.forEach((fields, row) => {
    if (fields.length !== width) throw new Error(`record ${row} has ${fields.length} fields, the header ${width}`);
  });
  return records;
}

/** The parsed records of a CSV body, after checking and removing the BOM. */
function readCsv(body: Buffer, bom = true): string[][] {
  const text = body.toString('utf8');
  expect(text.startsWith(BOM)).toBe(bom);
  return parseCsv(bom ? text.slice(1) : text);
}

/** Rows as objects keyed by the header. */
function objects(records: string[][]): Array<Record<string, string>> {
  const [header = [], ...rows] = records;
  return rows.map((row) => Object.fromEntries(header.map((name, column) => [name, row[column] ?? ''])));
}

async function runCsv(records: Parameters<typeof drive>[1], options: Parameters<typeof csvReporter>[0] = {}) {
  const driven = await drive(csvReporter(options), records, minimalAnalysis());
  const [runs = Buffer.alloc(0), nodes = Buffer.alloc(0)] = driven.bodies;
  await driven.cleanup();
  return { files: driven.files, runs: readCsv(runs, options.bom ?? true), nodes: readCsv(nodes, options.bom ?? true) };
}

/** Any code point, with the characters CSV and spreadsheets treat specially made likely. */
const textUnit = fc.oneof(
  fc.constantFrom(',', '"', '\r', '\n', '=', '+', '-', '@', '\t', ' ', '中', '🎉'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
);

describe('csvReporter', () => {
  it('writes a runs file and a nodes file, UTF-8 with BOM and CRLF', async () => {
    const driven = await drive(csvReporter(), [makeRun({ nodes: [makeNode()] })], minimalAnalysis());
    expect(driven.files.map(({ part, extension, contentType }) => ({ part, extension, contentType }))).toEqual([
      { part: undefined, extension: 'csv', contentType: 'text/csv; charset=utf-8' },
      { part: 'nodes', extension: 'csv', contentType: 'text/csv; charset=utf-8' },
    ]);
    for (const body of driven.bodies) {
      expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(body.toString('utf8').endsWith('\r\n')).toBe(true);
    }
    await driven.cleanup();
  });

  it('puts the fixed run columns first, then inputs.* and outputs.*', async () => {
    const { runs } = await runCsv([
      makeRun({
        elapsedTime: 2.5,
        enrichmentError: { code: 'timeout', message: 'nodes timed out', stage: 'nodes' },
        nodes: [makeNode(), makeNode({ id: 'exec-2' })],
      }),
    ]);
    expect(runs[0]).toEqual([
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
      'inputs.query',
      'outputs.answer',
    ]);
    const [row] = objects(runs);
    expect(row).toMatchObject({
      appId: 'app-1',
      accountEmail: '',
      elapsedTime: '2.5',
      enrichmentError: 'timeout: nodes timed out',
      nodeCount: '2',
      'inputs.query': 'hello',
      'outputs.answer': 'world',
    });
  });

  it('flattens objects one level, writes arrays and deeper values as compact JSON, never [object Object]', async () => {
    const { runs } = await runCsv([
      makeRun({
        inputs: {
          user: { name: '李雷', age: 30, tags: ['a', 'b'], address: { city: '北京' } },
          list: [1, { x: 2 }],
          flag: true,
          none: null,
          empty: {},
        },
        outputs: { result: { ok: false } },
      }),
    ]);
    const [row = {}] = objects(runs);
    expect(row).toMatchObject({
      'inputs.user.name': '李雷',
      'inputs.user.age': '30',
      'inputs.user.tags': '["a","b"]',
      'inputs.user.address': '{"city":"北京"}',
      'inputs.list': '[1,{"x":2}]',
      'inputs.flag': 'true',
      'inputs.none': '',
      'inputs.empty': '{}',
      'outputs.result.ok': 'false',
    });
    expect(runs.flat().join('\n')).not.toContain('[object Object]');
  });

  it('collects columns across runs and pads every row to the full header', async () => {
    const { runs } = await runCsv([
      makeRun({ logId: 'a', inputs: { q: '1' }, outputs: null }),
      makeRun({ logId: 'b', inputs: { other: 'x', q: '2' }, outputs: { answer: 'y' } }),
      makeRun({ logId: 'c', inputs: null, outputs: { extra: 'z' } }),
      makeRun({ logId: 'd', inputs: {}, outputs: {} }),
    ]);
    expect(runs[0]?.slice(20)).toEqual(['inputs.q', 'inputs.other', 'outputs.answer', 'outputs.extra']);
    expect(
      objects(runs).map((row) => [
        row.logId,
        row['inputs.q'],
        row['inputs.other'],
        row['outputs.answer'],
        row['outputs.extra'],
      ]),
    ).toEqual([
      ['a', '1', '', '', ''],
      ['b', '2', 'x', 'y', ''],
      ['c', '', '', '', 'z'],
      ['d', '', '', '', ''],
    ]);
  });

  it('caps the variable columns and keeps the rest as JSON in inputs.__other', async () => {
    const { runs } = await runCsv(
      [
        makeRun({ logId: 'a', inputs: { a: 1, b: 2 }, outputs: { x: 1 } }),
        makeRun({ logId: 'b', inputs: { c: '=3', a: 4, d: { e: 5 } }, outputs: { y: 2, z: 3, x: 4 } }),
        makeRun({ logId: 'c', inputs: { b: 6 }, outputs: null }),
      ],
      { maxInputColumns: 2 },
    );
    expect(runs[0]?.slice(20)).toEqual([
      'inputs.a',
      'inputs.b',
      'inputs.__other',
      'outputs.x',
      'outputs.y',
      'outputs.__other',
    ]);
    const rows = objects(runs);
    expect(rows.map((row) => [row['inputs.a'], row['inputs.b'], row['outputs.x'], row['outputs.y']])).toEqual([
      ['1', '2', '1', ''],
      ['4', '', '4', '2'],
      ['', '6', '', ''],
    ]);
    expect(JSON.parse(rows[1]?.['inputs.__other'] ?? '')).toEqual({ c: '=3', 'd.e': 5 });
    expect(JSON.parse(rows[1]?.['outputs.__other'] ?? '')).toEqual({ z: 3 });
    expect(rows[0]?.['inputs.__other']).toBe('');
  });

  it(
    'neutralises formula triggers in strings and round-trips ' + 'hostile text through a strict RFC 4180 parser',
    async () => {
      const records = HOSTILE.map((text, index) =>
        makeRun({
          logId: `log-${index}`,
          error: text,
          status: text,
          inputs: { value: text, [text]: 'named' },
          outputs: { value: text },
          nodes: [makeNode({ title: text, error: text })],
        }),
      );
      const { runs, nodes } = await runCsv(records);
      const rows = objects(runs);
      HOSTILE.forEach((text, index) => {
        const row = rows[index] ?? {};
        expect(row.logId).toBe(`log-${index}`);
        expect(row.error).toBe(neutralised(text));
        expect(row.status).toBe(neutralised(text));
        expect(row['inputs.value']).toBe(neutralised(text));
        expect(row['outputs.value']).toBe(neutralised(text));
        expect(row[`inputs.${text}`]).toBe('named');
      });
      const nodeRows = objects(nodes);
      expect(nodeRows.map((row) => row.title)).toEqual(HOSTILE.map(neutralised));
      expect(nodeRows.map((row) => row.error)).toEqual(HOSTILE.map(neutralised));
      expect(rows[0]?.error).toBe(`'=HYPERLINK("http://evil")`);
      expect(rows[4]?.error).toBe(`'\t=1`);
      expect(rows[5]?.error).toBe(`'\r=1`);
      for (const value of [...runs.flat(), ...nodes.flat()]) expect(value).not.toMatch(/^[=+\-@\t\r]/);
    },
  );

  it('keeps negative numbers as numbers and quotes strings that look like them', async () => {
    const { runs, nodes } = await runCsv([
      makeRun({
        elapsedTime: -1.5,
        inputs: { n: -7, s: '-7' },
        nodes: [makeNode({ elapsedTime: -0.25, totalPrice: -0.5 })],
      }),
    ]);
    const [row = {}] = objects(runs);
    expect([row.elapsedTime, row['inputs.n'], row['inputs.s']]).toEqual(['-1.5', '-7', "'-7"]);
    const [node = {}] = objects(nodes);
    expect([node.elapsedTime, node.totalPrice]).toEqual(['-0.25', '-0.5']);
  });

  it('round-trips any text (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ unit: textUnit, maxLength: 40 }), { minLength: 1, maxLength: 8 }),
        async (texts) => {
          const { runs, nodes } = await runCsv(
            texts.map((text, index) =>
              makeRun({ logId: `l${index}`, error: text, inputs: { v: text }, nodes: [makeNode({ title: text })] }),
            ),
          );
          const rows = objects(runs);
          expect(rows.map((row) => row.error)).toEqual(texts.map(neutralised));
          expect(rows.map((row) => row['inputs.v'])).toEqual(texts.map(neutralised));
          expect(objects(nodes).map((row) => row.title)).toEqual(texts.map(neutralised));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('streams thousands of multi-line, quoted rows through the spool intact', async () => {
    const text = (index: number) => `row ${index}\n"quoted", 中文 🎉\r\nend${'x'.repeat(index % 97)}`;
    const records = Array.from({ length: 3000 }, (_, index) =>
      makeRun({
        logId: `log-${index}`,
        inputs: index % 3 === 0 ? { a: text(index) } : { [`k${index % 50}`]: index },
        outputs: { o: text(index) },
        nodes: [makeNode({ error: text(index) })],
      }),
    );
    const { runs, nodes } = await runCsv(records);
    expect(runs).toHaveLength(3001);
    expect(nodes).toHaveLength(3001);
    const rows = objects(runs);
    expect(rows[2999]).toMatchObject({ logId: 'log-2999', 'outputs.o': text(2999), 'inputs.k49': '2999' });
    expect(rows.every((row, index) => row['outputs.o'] === text(index))).toBe(true);
    expect(objects(nodes).every((row, index) => row.error === text(index))).toBe(true);
  });

  it('writes node executions with their run ids and token split', async () => {
    const { nodes } = await runCsv([
      makeRun({
        runId: 'run-a',
        nodes: [
          makeNode({ id: 'e1', index: 1 }),
          makeNode({
            id: 'e2',
            index: 2,
            nodeType: 'code',
            promptTokens: null,
            completionTokens: undefined,
            totalPrice: null,
            iterationId: 'it',
            iterationIndex: 0,
          }),
        ],
      }),
      makeRun({ runId: null, nodes: null }),
    ]);
    expect(nodes[0]).toEqual([
      'appId',
      'runId',
      'nodeExecutionId',
      'nodeId',
      'nodeType',
      'title',
      'index',
      'status',
      'error',
      'elapsedTime',
      'totalTokens',
      'promptTokens',
      'completionTokens',
      'totalPrice',
      'currency',
      'modelProvider',
      'modelName',
      'iterationId',
      'iterationIndex',
      'loopId',
      'loopIndex',
      'createdAt',
      'finishedAt',
    ]);
    expect(objects(nodes)).toMatchObject([
      {
        runId: 'run-a',
        nodeExecutionId: 'e1',
        promptTokens: '100',
        completionTokens: '20',
        totalPrice: '0.0012',
        modelName: 'gpt-4o-mini',
      },
      {
        runId: 'run-a',
        nodeExecutionId: 'e2',
        nodeType: 'code',
        promptTokens: '',
        completionTokens: '',
        totalPrice: '',
        iterationId: 'it',
        iterationIndex: '0',
      },
    ]);
  });

  it('writes header-only files for an empty period, and no BOM when asked', async () => {
    const { runs, nodes } = await runCsv([], { bom: false });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toHaveLength(20);
    expect(nodes).toHaveLength(1);
  });

  it('serves a body more than once and removes its spools on dispose', async () => {
    const driven = await drive(csvReporter(), [makeRun({ nodes: [makeNode()] })], minimalAnalysis());
    for (const [index, file] of driven.files.entries())
      expect((await collect(file.body)).equals(driven.bodies[index] ?? Buffer.alloc(0))).toBe(true);
    expect((await readdir(driven.tmpDir)).length).toBe(2);
    await driven.dispose();
    expect(await readdir(driven.tmpDir)).toEqual([]);
    await driven.cleanup();
  });

  it('rejects a negative column cap', () => {
    expect(() => csvReporter({ maxInputColumns: -1 })).toThrow(/maxInputColumns/);
  });
});
