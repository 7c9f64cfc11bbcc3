import { describe, expect, it } from 'vitest';
import { definePlugin, z } from '../src/adapter-kit.js';
import { alertMessage } from '../src/alerts/index.js';
import { createDifyLogs } from '../src/index.js';
import {
  consoleLogsUrl,
  createAnalyzer,
  explorerLinks,
  memoryStorage,
  renderReports,
} from '../src/entries/pipeline.js';
import { renderMarkdown, reportReadyMessage } from '../src/internal.js';
import { run } from './support/records.js';

const window = { from: '2026-03-09T00:00:00.000Z', to: '2026-03-10T00:00:00.000Z', timezone: 'UTC' };
const hostile = 'Boom [x](javascript:alert(1)) <script>|';

function analysis(explorerUrl?: string) {
  const analyzer = createAnalyzer({ job: 'daily', runId: 'r-1', window, ...(explorerUrl ? { explorerUrl } : {}) });
  analyzer.add(run({ runId: 'run-ok', status: 'succeeded' }));
  analyzer.add(run({ logId: 'log-2', runId: 'run (2)', status: 'failed', error: hostile }));
  return analyzer.result();
}

async function text(body: unknown): Promise<string> {
  if (typeof body === 'string') return body;
  const chunks: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

describe('links to the run explorer', () => {
  it('builds page addresses under the public address: encoded, without credentials, http(s) only', () => {
    const links = explorerLinks('https://ops:secret@logs.example.com/dify/?x=1#top')!;
    expect(links.run('run (2)/x')).toBe('https://logs.example.com/dify/runs/run%20%282%29%2Fx');
    expect(links.runs({ app: 'a&b', status: 'failed', from: window.from })).toBe(
      'https://logs.example.com/dify/runs?app=a%26b&status=failed&from=2026-03-09T00%3A00%3A00.000Z',
    );
    expect(links.errors({ signature: 'Timeout (after <n> s)' })).toBe(
      'https://logs.example.com/dify/errors?signature=Timeout+%28after+%3Cn%3E+s%29',
    );
    expect(links.overview()).toBe('https://logs.example.com/dify/');
    expect(explorerLinks('javascript:alert(1)')).toBeNull();
    expect(explorerLinks('not a url')).toBeNull();
    expect(explorerLinks(undefined)).toBeNull();
  });

  it('puts the explorer address in the analysis only when one is configured', () => {
    expect(analysis('http://127.0.0.1:8080').explorerUrl).toBe('http://127.0.0.1:8080');
    expect('explorerUrl' in analysis()).toBe(false);
  });

  it('links the Markdown report to the period, its failed runs and each error signature, escaping the text', () => {
    const markdown = renderMarkdown(analysis('https://logs.example.com'));
    expect(markdown).toContain('[these runs](https://logs.example.com/?from=2026-03-09T00%3A00%3A00.000Z&to=');
    expect(markdown).toContain('[the failed ones](https://logs.example.com/runs?status=failed&from=');
    const row = markdown.split('\n').find((line) => line.includes('javascript'))!;
    expect(row).toMatch(/\| \[open\]\(https:\/\/logs\.example\.com\/errors\?from=[^)\s]+&signature=Boom[^)\s]+\) \|$/);
    // The error's own text forms no link: its brackets and pipe are escaped.
    expect(row).toContain('Boom \\[x\\](javascript:alert(1)) &lt;script&gt;\\|');
    const plain = renderMarkdown(analysis());
    expect(plain).not.toContain('Explore');
    expect(plain).not.toContain('[open]');
  });

  it('adds explorer links to the report-ready message and to alerts, by what the alert is about', () => {
    const linked = analysis('https://logs.example.com');
    const ready = reportReadyMessage(linked, [{ label: 'json', url: 'file:///r.json' }], false);
    expect(ready.links.map((link) => link.label)).toEqual(['json', 'explorer', 'failed runs']);
    const event = { rule: 'errors', severity: 'warning', transition: 'fired', message: 'A new error' } as const;
    const newError = alertMessage({ ...event, kind: 'new-error' }, linked, []);
    expect(newError.links).toEqual([
      { label: 'explorer', url: expect.stringMatching(/^https:\/\/logs\.example\.com\/\?from=/) },
      { label: 'errors', url: expect.stringMatching(/^https:\/\/logs\.example\.com\/errors\?from=/) },
    ]);
    const failures = alertMessage({ ...event, kind: 'failure-rate' }, linked, []);
    expect(failures.links[1]!.url).toContain('/runs?status=failed&from=');
    expect(alertMessage({ ...event, kind: 'failure-rate' }, analysis(), []).links).toEqual([]);
  });

  it("takes the address from a service plugin's section (serve.publicUrl) into runtime reports", async () => {
    const storage = memoryStorage();
    const plugins = [
      definePlugin({ kind: 'storage', type: 'memory', schema: z.strictObject({}), create: () => storage }),
      definePlugin({
        kind: 'service',
        type: 'serve',
        schema: z.strictObject({ publicUrl: z.string().optional() }),
        explorerUrl: (section: { publicUrl?: string }) => section.publicUrl,
        create: (section: { publicUrl?: string }) => section,
      }),
    ];
    const runtime = await createDifyLogs({
      plugins,
      config: {
        dify: { baseUrl: 'http://127.0.0.1:9', apiKey: 'app-unused' },
        jobs: [{ name: 'daily' }],
        storage: { type: 'memory', memory: {} },
        state: { type: 'memory' },
        serve: { publicUrl: 'https://logs.example.com' },
      },
    });
    try {
      async function* records() {
        yield run({ runId: 'run-9', status: 'failed', error: 'boom' });
      }
      const rendered = await runtime.report({ records: records(), formats: ['markdown'] });
      expect(runtime.explorerUrl).toBe('https://logs.example.com');
      expect(rendered.analysis.explorerUrl).toBe('https://logs.example.com');
      expect(await text(rendered.files[0]!.file.body)).toContain('(https://logs.example.com/errors?');
      await rendered.close();
    } finally {
      await runtime.close();
    }
  });

  it('renderReports passes the address through', async () => {
    async function* records() {
      yield run({ runId: 'run-1' });
    }
    const rendered = await renderReports(records(), {
      job: 'daily',
      formats: ['json'],
      explorerUrl: 'http://127.0.0.1:8080',
    });
    expect(JSON.parse(await text(rendered.files[0]!.file.body)).explorerUrl).toBe('http://127.0.0.1:8080');
    await rendered.close();
  });
});

describe('consoleLogsUrl', () => {
  it("links an app's logs under the console address, without its credentials, query or fragment", () => {
    expect(consoleLogsUrl('https://user:secret@dify.example.com/base/?x=1#top', 'app (1)')).toBe(
      'https://dify.example.com/base/app/app%20(1)/logs',
    );
    expect(consoleLogsUrl('http://127.0.0.1:3000', 'a1')).toBe('http://127.0.0.1:3000/app/a1/logs');
  });

  it('gives no link for an address that is missing, relative or not http(s)', () => {
    for (const address of [null, undefined, '', '/console', 'javascript:alert(1)', 'data:text/html,x', 'ftp://x/'])
      expect(consoleLogsUrl(address, 'a1')).toBeNull();
  });
});
