// Which way of sending a batch is fastest: multi-row INSERT … VALUES (prepared, one parameter per value),
// INSERT … SELECT FROM unnest(one array parameter per column), COPY into a temporary table + INSERT … SELECT,
// or one jsonb parameter per batch (jsonb_array_elements). Each upserts N synthetic runs (nodes on 20 %) in
// batches of 1,000 in one transaction, into fresh tables, then again. ONLY=unnest,copy picks some.
// Usage: pnpm exec tsx --conditions=dev-source packages/postgres/bench/insert-strategies.ts [runs=100000]
//   PG_URL (default postgres://root@127.0.0.1:5432/test)
import pg from 'pg';
import type { RunRecord } from '@dify-logs/core';
import { MIGRATIONS } from '../src/migrations.js';
import { NODE_COLUMNS, RUN_COLUMNS, nodeRow, runRow, type Column } from '../src/rows.js';
import { tablesFor } from '../src/tables.js';
import { syntheticRuns } from '../test/records.js';

const count = Number(process.argv[2] ?? 100_000);
const pool = new pg.Pool({ connectionString: process.env.PG_URL ?? 'postgres://root@127.0.0.1:5432/test', max: 2 });
const tables = tablesFor(`bench_${process.pid}_`);

const records: RunRecord[] = [...syntheticRuns(count)];

const names = (columns: readonly Column[]) => columns.map((column) => column.name).join(', ');
const updates = (columns: readonly Column[], key: string) =>
  columns
    .filter((column) => column.name !== key)
    .map((column) => `${column.name} = EXCLUDED.${column.name}`)
    .join(', ');

function valuesSql(table: string, columns: readonly Column[], key: string, rows: number): string {
  const tuples: string[] = [];
  for (let row = 0; row < rows; row += 1)
    tuples.push(`(${columns.map((_, column) => `$${row * columns.length + column + 1}`).join(', ')})`);
  return (
    `INSERT INTO ${table} (${names(columns)}) VALUES ${tuples.join(', ')}` +
    ` ON CONFLICT (${key}) DO UPDATE SET ${updates(columns, key)}`
  );
}

type Strategy = (
  client: pg.PoolClient,
  table: string,
  columns: readonly Column[],
  key: string,
  rows: unknown[][],
) => Promise<void>;

const values: Strategy = async (client, table, columns, key, rows) => {
  const per = Math.floor(65535 / columns.length);
  for (let start = 0; start < rows.length; start += per) {
    const chunk = rows.slice(start, start + per);
    await client.query({
      name: `${table}-${chunk.length}`,
      text: valuesSql(table, columns, key, chunk.length),
      values: chunk.flat(),
    });
  }
};

const unnest: Strategy = async (client, table, columns, key, rows) => {
  const arrays = columns.map((_, column) => rows.map((row) => row[column]));
  const casts = columns.map((column, index) => `$${index + 1}::${column.type}[]`).join(', ');
  await client.query({
    name: `${table}-unnest`,
    text:
      `INSERT INTO ${table} (${names(columns)}) SELECT * FROM unnest(` +
      `${casts}) ON CONFLICT (${key}) DO UPDATE SET ${updates(columns, key)}`,
    values: arrays,
  });
};

/** COPY … FROM STDIN through pg's submittable interface (what pg-copy-streams does), text format. */
class CopyIn {
  callback?: (error: Error | null) => void;
  constructor(
    readonly text: string,
    readonly body: Buffer,
  ) {}
  submit(connection: { query(text: string): void }) {
    connection.query(this.text);
  }
  handleCopyInResponse(connection: { sendCopyFromChunk(chunk: Buffer): void; endCopyFrom(): void }) {
    for (let start = 0; start < this.body.length; start += 1 << 16)
      connection.sendCopyFromChunk(this.body.subarray(start, start + (1 << 16)));
    connection.endCopyFrom();
  }
  error?: Error;
  handleError(error: Error) {
    this.error = error;
  }
  handleCommandComplete() {}
  handleReadyForQuery() {
    this.callback?.(this.error ?? null);
  }
}
const copyField = (value: unknown) =>
  value === null || value === undefined
    ? '\\N'
    : String(value).replace(/[\\\n\r\t]/g, (c) => ({ '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c]!);
const copy: Strategy = async (client, table, columns, key, rows) => {
  const temp = `"${table.replaceAll('"', '')}_stage"`;
  await client.query(`CREATE TEMP TABLE IF NOT EXISTS ${temp} (LIKE ${table} INCLUDING DEFAULTS) ON COMMIT DROP`);
  let body = '';
  for (const row of rows) body += `${row.map(copyField).join('\t')}\n`;
  await new Promise<void>((resolve, reject) => {
    const query = new CopyIn(`COPY ${temp} (${names(columns)}) FROM STDIN`, Buffer.from(body));
    query.callback = (error) => (error ? reject(error) : resolve());
    void client.query(query as never);
  });
  await client.query(
    `INSERT INTO ${table} (${names(columns)}) SELECT ${names(columns)} ` +
      `FROM ${temp} ON CONFLICT (${key}) DO UPDATE SET ${updates(columns, key)}`,
  );
  await client.query(`TRUNCATE ${temp}`);
};

/** One `json` parameter holding the batch: `json_to_recordset` (jsonb columns embedded as JSON, not as strings). */
const jsonColumns = (columns: readonly Column[]) =>
  new Set(columns.flatMap((column, index) => (column.type === 'jsonb' ? [index] : [])));
const viaJson: Strategy = async (client, table, columns, key, rows) => {
  const embedded = jsonColumns(columns);
  let body = '[';
  for (let row = 0; row < rows.length; row += 1) {
    const values = rows[row]!;
    let line = row === 0 ? '[' : ',[';
    for (let column = 0; column < values.length; column += 1) {
      const value = values[column];
      if (column > 0) line += ',';
      line +=
        value === null || value === undefined
          ? 'null'
          : embedded.has(column)
            ? (value as string)
            : JSON.stringify(value);
    }
    body += `${line}]`;
  }
  body += ']';
  const fields = columns
    .map((column, index) => `(r->>${index})::${column.type}`)
    .map((expression, index) => (embedded.has(index) ? `NULLIF(r->${index}, 'null'::jsonb)` : expression));
  await client.query({
    name: `${table}-json`,
    text:
      `INSERT INTO ${table} (${names(columns)}) SELECT ${fields.join(', ')} FROM ` +
      `jsonb_array_elements($1::jsonb) AS r ON CONFLICT (${key}) DO UPDATE SET ${updates(columns, key)}`,
    values: [body],
  });
};

async function pass(client: pg.PoolClient, strategy: Strategy): Promise<number> {
  const started = performance.now();
  await client.query('BEGIN; SET LOCAL enable_seqscan = off');
  for (let start = 0; start < records.length; start += 1000) {
    const batch = records.slice(start, start + 1000);
    const runs = batch.map((record) => runRow(record, { job: 'bench', runId: 'r' }));
    const withNodes = batch.filter((record) => record.nodes);
    const nodes = withNodes.flatMap((record) => record.nodes!.map((node) => nodeRow(node, record)));
    await strategy(client, tables.runs, RUN_COLUMNS, 'log_id', runs);
    await client.query(`DELETE FROM ${tables.nodes} WHERE log_id = ANY($1::text[])`, [
      withNodes.map((record) => record.logId),
    ]);
    if (nodes.length > 0) await strategy(client, tables.nodes, NODE_COLUMNS, 'id', nodes);
  }
  await client.query('COMMIT');
  return (performance.now() - started) / 1000;
}

const client = await pool.connect();
try {
  for (const [name, strategy] of Object.entries({ values, unnest, copy, json: viaJson }).filter(
    ([name]) => !process.env.ONLY || process.env.ONLY.split(',').includes(name),
  )) {
    await client.query(`DROP TABLE IF EXISTS ${tables.runs}, ${tables.nodes}, ${tables.windows}`);
    await client.query(MIGRATIONS[0]!.sql(tables));
    const first = await pass(client, strategy);
    const second = await pass(client, strategy);
    console.log(
      JSON.stringify({
        strategy: name,
        runs: count,
        firstSeconds: Number(first.toFixed(2)),
        rewriteSeconds: Number(second.toFixed(2)),
        runsPerSecond: Math.round(count / first),
      }),
    );
  }
} finally {
  await client.query(`DROP TABLE IF EXISTS ${tables.runs}, ${tables.nodes}, ${tables.windows}`);
  client.release();
  await pool.end();
}
