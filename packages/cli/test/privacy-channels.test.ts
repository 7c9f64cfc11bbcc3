import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { cli, sim, tempDir } from './helpers.js';
import { PG_URL, dropTables, postgresReason } from './postgres.js';
import { fileTexts, webhookReceiver } from './secret-channels.js';

/**
 * Personal data planted by the simulator in every run's inputs, outputs, errors and node titles and in every chat
 * message (Chinese text around it, a JSON string and a URL-escaped copy included) must reach no output channel of
 * `dify-logs run`: reports of every text format, the partitioned archive and its Parquet copies, the messages, the
 * run cache and state, the PostgreSQL sink, notifications and the log file. The same run with `privacy.enabled:
 * false` finds them all, so the scan can fail.
 */

const VALUES = {
  email: 'li.ming@example-corp.cn',
  phone: '13912345678',
  idNumber: '11010519491231002X',
  card: '4111111111111111',
  ip: '203.0.113.42',
  key: 'sk-proj-AbCdEfGhIjKlMnOpQrStUv',
};
const PLANTED = [
  `联系人：${VALUES.email}，手机${VALUES.phone}，身份证${VALUES.idNumber}`,
  JSON.stringify({ card: VALUES.card, ip: VALUES.ip }),
  `callback?mail=${encodeURIComponent(VALUES.email)}&key=${VALUES.key}`,
].join(' | ');

const reason = await postgresReason();

/** The planted values (and the escaped e-mail) in `text`. */
const found = (text: string) =>
  [...Object.values(VALUES), encodeURIComponent(VALUES.email)].filter((value) => text.includes(value));

async function runWith(privacy: string[]) {
  const simulator = await sim({
    version: '1.13.3',
    runsPerApp: 30,
    runningRuns: 0,
    chatApps: true,
    plantedText: PLANTED,
    now: new Date(Date.now() - 60_000).toISOString(),
    days: 1,
  });
  const { url, bodies } = await webhookReceiver();
  const dir = await tempDir();
  const prefix = `clipriv${randomBytes(4).toString('hex')}_`;
  await writeFile(
    join(dir, 'dify-logs.yaml'),
    [
      'dify:',
      `  baseUrl: ${simulator.url}`,
      `  console: { email: ${simulator.account.email}, password: ${simulator.account.password} }`,
      'jobs:',
      '  - name: daily',
      '    window: { mode: explicit, from: "{{yesterday}}", to: "{{tomorrow}}" }',
      '    outputFormat: [json, markdown, csv, html, parquet]',
      '    withNodeExecutions: true',
      '    notifyOn: [success, failure, report-ready]',
      'storage: { baseDir: ./outputs, archiveFormats: [parquet] }',
      'state: { path: ./state.json }',
      `sinks: { postgres: { databaseUrl: "${PG_URL}", tablePrefix: ${prefix} } }`,
      'notification:',
      '  enabled: true',
      '  type: [webhook]',
      `  webhook: { url: "${url}/hooks/dify" }`,
      'logging: { level: debug, dir: ./logs }',
      ...privacy,
      '',
    ].join('\n'),
  );
  const run = await cli(['run', '--config', 'dify-logs.yaml'], { cwd: dir, env: {} });
  const channels: Array<{ channel: string; text: string }> = [
    { channel: 'stdout', text: run.stdout },
    { channel: 'stderr', text: run.stderr },
    ...bodies.map((text, index) => ({ channel: `webhook ${index}`, text })),
  ];
  for (const { path, text } of fileTexts(dir)) {
    if (path.endsWith('.parquet')) {
      // Every row of every Parquet file (archive parts and report tables), its pages decompressed.
      const bytes = readFileSync(path);
      const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
      const rows = await parquetReadObjects({ file });
      channels.push({
        channel: path.slice(dir.length),
        text: JSON.stringify(rows, (_, value) => (typeof value === 'bigint' ? Number(value) : value)),
      });
    } else channels.push({ channel: path.slice(dir.length), text });
  }
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ tablename: string }>(
      'SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE $1',
      [`${prefix}%`],
    );
    for (const { tablename } of rows) {
      const table = await client.query(`SELECT row_to_json(t)::text AS row FROM "${tablename}" t`);
      channels.push({ channel: `table ${tablename}`, text: table.rows.map((row) => row.row).join('\n') });
    }
  } finally {
    await client.end();
    await dropTables(prefix);
    await simulator.close();
  }
  return { run, channels, bodies };
}

describe.skipIf(reason !== undefined)(
  `personal data on every output channel${reason ? ` (skipped: ${reason})` : ''}`,
  () => {
    it(
      'reaches no report, archive part, Parquet file, state, ' + 'table, notification or log with the default policy',
      async () => {
        const { run, channels, bodies } = await runWith([]);
        expect(run.code, run.stderr + run.stdout).toBe(0);
        const names = channels.map(({ channel }) => channel).join('\n');
        for (const kind of [
          '.json',
          '.md',
          '.csv',
          '.html',
          '.ndjson.gz',
          '.parquet',
          'state.json',
          'state.runs',
          '.log',
          'table ',
        ])
          expect(names, kind).toContain(kind);
        expect(names).toMatch(/messages/);
        expect(bodies.length).toBeGreaterThan(0);
        const hits = channels.flatMap(({ channel, text }) => found(text).map((value) => `${value} in ${channel}`));
        expect(hits).toEqual([]);
        // The masked shapes are there instead, and the reports state the policy.
        const markdown = channels.find(({ channel }) => channel.endsWith('.md'))!.text;
        expect(markdown).toContain('Personal data: e-mail addresses, phone numbers');
        expect(channels.some(({ text }) => text.includes('l***@example-corp.cn'))).toBe(true);
      },
      120_000,
    );

    it('is found on those channels when privacy is off (the scan can fail)', async () => {
      const { run, channels } = await runWith(['privacy: { enabled: false }']);
      expect(run.code, run.stderr + run.stdout).toBe(0);
      const leaked = new Set(channels.flatMap(({ text }) => found(text)));
      expect([...leaked].sort()).toEqual([...Object.values(VALUES), encodeURIComponent(VALUES.email)].sort());
      for (const kind of ['.md', '.ndjson.gz', '.parquet', 'table ', 'state.runs', 'webhook'])
        expect(
          channels.some(({ channel, text }) => channel.includes(kind) && found(text).length > 0),
          kind,
        ).toBe(true);
    }, 120_000);
  },
);

describe('dify-logs export and personal data', () => {
  it('masks by default, hashes with PRIVACY_KEY, and leaves records as they are with --privacy off', async () => {
    const simulator = await sim({ version: '1.13.3', runsPerApp: 10, runningRuns: 0, plantedText: PLANTED });
    const app = simulator.apps.find((candidate) => candidate.mode === 'workflow')!;
    const dir = await tempDir();
    const exported = async (extra: string[], env: NodeJS.ProcessEnv = {}) => {
      const out = join(dir, `runs-${extra.join('-') || 'default'}.ndjson`);
      const args = ['export', '--base-url', simulator.url, '--api-key', app.apiKey, '--app-id', app.id];
      const run = await cli([...args, '--created-after', '2000-01-01T00:00:00Z', '--out', out, ...extra], {
        cwd: dir,
        env,
      });
      expect(run.code, run.stderr).toBe(0);
      return readFileSync(out, 'utf8');
    };
    try {
      const masked = await exported([]);
      expect(found(masked)).toEqual([]);
      expect(masked).toContain('139****5678');
      const hashed = await exported(['--privacy', 'hash'], { PRIVACY_KEY: 'test-key' });
      expect(found(hashed)).toEqual([]);
      expect(hashed).toMatch(/\[phone:[0-9a-f]{16}\]/);
      expect(found(await exported(['--privacy', 'off'])).length).toBeGreaterThan(0);
      const refused = await cli(['export', '--base-url', simulator.url, '--out', '-', '--privacy', 'hash'], {
        cwd: dir,
        env: {},
      });
      expect(refused.stderr).toContain('PRIVACY_KEY');
    } finally {
      await simulator.close();
    }
  }, 60_000);
});
