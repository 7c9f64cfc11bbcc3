// Phase timings of an index build (profiling aid): node --import tsx bench/phases.ts DIR [pointer]
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createPrivacyPolicy, type RunRecord } from '@dify-logs/core';
import { listPartitions } from '@dify-logs/core/archive';
import { createLocalStorage } from '@dify-logs/storage-local';
import { gzipLines } from '../src/index/parts.js';
import { runRow } from '../src/index/rows.js';
import { openDatabase } from '../src/index/database.js';

const dir = process.argv[2]!;
const storage = createLocalStorage({ baseDir: dir });
const privacy = createPrivacyPolicy({ enabled: true });
const t: Record<string, number> = {};
const time = <T>(name: string, work: () => T): T => {
  const started = performance.now();
  const result = work();
  t[name] = (t[name] ?? 0) + performance.now() - started;
  return result;
};
const listed = await listPartitions(storage, { from: '2000-01-01', to: '2030-01-01' });
const lines: string[] = [];
for (const { manifest } of listed)
  for (const part of manifest.parts) {
    const bytes = await time('read', () => storage.read(part.key));
    for (const { line } of time('gunzip+split', () => [...gzipLines(storage, part.key, bytes)])) lines.push(line);
  }
const records = time('JSON.parse', () => lines.map((line) => JSON.parse(line) as RunRecord));
const shown = time('privacy', () => records.map((record) => privacy.run(record)));
const rows = time('runRow', () => shown.map((record, index) => runRow(record)));
const file = join(dir, 'phases.duckdb');
await rm(file, { force: true });
const database = await openDatabase(file);
const { writer } = database;
const variant = process.argv[3] ?? 'record';
const pointer = variant !== 'record';
const batch = Number(process.argv[4] ?? 1);
const summaries =
  variant === 'summary'
    ? time('summary', () => shown.map(({ inputs: _i, outputs: _o, nodes: _n, ...rest }) => JSON.stringify(rest)))
    : [];
let partitions = 0;
let at = 0;
for (const { manifest } of listed) {
  if (partitions % batch === 0) await writer.run('BEGIN TRANSACTION');
  partitions += 1;
  const appender = await writer.createAppender('runs');
  const count = manifest.parts.reduce((sum, part) => sum + (part.records ?? 0), 0) || rows.length / listed.length;
  time('appender', () => {
    for (let index = at; index < at + count && index < rows.length; index += 1) {
      const row = rows[index]!;
      appender.appendBigInt(BigInt(index));
      appender.appendVarchar('p');
      appender.appendVarchar(row.appId);
      appender.appendVarchar(row.logId);
      appender.appendVarchar(row.runId ?? '');
      appender.appendVarchar(row.status ?? '');
      appender.appendVarchar(row.endUser ?? '');
      appender.appendVarchar(row.createdAt);
      appender.appendVarchar(row.day);
      appender.appendDouble(row.elapsed ?? 0);
      appender.appendBigInt(BigInt(row.tokens ?? 0));
      appender.appendDouble(row.cost ?? 0);
      appender.appendNull();
      appender.appendNull();
      appender.appendVarchar(row.search);
      appender.appendVarchar(variant === 'summary' ? summaries[index]! : pointer ? `${index}` : lines[index]!);
      appender.endRow();
    }
    appender.flushSync();
    appender.closeSync();
  });
  at += count;
  if (partitions % batch !== 0 && partitions !== listed.length) continue;
  const started = performance.now();
  await writer.run('COMMIT');
  t.commit = (t.commit ?? 0) + performance.now() - started;
}
const started = performance.now();
await writer.run('CHECKPOINT');
t.checkpoint = performance.now() - started;
database.close();
console.log(rows.length, 'runs', variant, 'batch', batch);
for (const [name, ms] of Object.entries(t)) console.log(`${name.padEnd(14)} ${(ms / 1000).toFixed(2)} s`);
console.log('rss', (process.resourceUsage().maxRSS / 1024).toFixed(0), 'MB');
