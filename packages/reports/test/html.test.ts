import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DifyConfigError } from '@dify-logs/core';
import type { ReportAnalysis } from '@dify-logs/core/pipeline';
import type { ReportFile } from '@dify-logs/core/adapter-kit';
import { createConversationAnalyzer } from '@dify-logs/core/adapter-kit';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { htmlReporter, renderHtml } from '../src/index.js';
import { HOSTILE_HTML, buildAnalysis, emptyAnalysis, latencyStats, withHostileStrings } from './fixtures/analysis.js';

const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
const SCREENSHOT = fileURLToPath(new URL('../../../docs/images/html-report.png', import.meta.url));
const CONSOLE = 'https://dify.example.com';

async function render(analysis: ReportAnalysis, options?: Parameters<typeof htmlReporter>[0]): Promise<string> {
  const writer = htmlReporter(options).start({
    job: analysis.job,
    runId: analysis.runId,
    window: analysis.window,
    tmpDir: tmpdir(),
  });
  const files: ReportFile[] = await writer.finish(analysis);
  expect(files).toHaveLength(1);
  const body = files[0]!.body;
  expect(typeof body).toBe('string');
  return body as string;
}

/** The page split into the report-data JSON text and everything else. */
function splitData(html: string): { json: string; rest: string } {
  const match = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  expect(match).not.toBeNull();
  return { json: match![1]!, rest: html.replace(match![0], '') };
}

/** The markup without the contents of its script elements (Chart.js's own code is not markup). */
const markupOnly = (html: string) => html.replace(/<script\b[^>]*>[\s\S]*?<\/script>/g, '<script></script>');

/** Every attribute of every tag in the markup, read the way a browser does (quoted values skipped whole). */
function attributes(html: string): Array<{ tag: string; name: string; value: string }> {
  const markup = markupOnly(html);
  const found: Array<{ tag: string; name: string; value: string }> = [];
  const tagPattern = /<([a-zA-Z][a-zA-Z0-9-]*)/g;
  const attributePattern = /\s*([^\s"'>/=]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'=<>`]+))?/y;
  for (let tag = tagPattern.exec(markup); tag !== null; tag = tagPattern.exec(markup)) {
    attributePattern.lastIndex = tagPattern.lastIndex;
    for (let attribute = attributePattern.exec(markup); attribute !== null; attribute = attributePattern.exec(markup)) {
      found.push({
        tag: tag[1]!.toLowerCase(),
        name: attribute[1]!.toLowerCase(),
        value: (attribute[2] ?? '').replace(/^["']|["']$/g, ''),
      });
      tagPattern.lastIndex = attributePattern.lastIndex;
    }
  }
  return found;
}

/** Every URL-bearing attribute value (and any CSS url() or @import) in the markup. */
function references(html: string): string[] {
  const urlAttributes = new Set([
    'src',
    'href',
    'srcset',
    'action',
    'formaction',
    'poster',
    'data',
    'background',
    'xlink:href',
    'ping',
  ]);
  const values = attributes(html)
    .filter((attribute) => urlAttributes.has(attribute.name))
    .map((attribute) => attribute.value)
    // A link to a place in the same page (`#transcript-…`) loads nothing.
    .filter((value) => !/^#[A-Za-z0-9_-]+$/.test(value));
  const css = [...markupOnly(html).matchAll(/url\(|@import/gi)].map((match) => match[0]);
  return [...values, ...css];
}

const rowsOf = (html: string, tableId: string) => {
  const section = new RegExp(`<section class="table-section" id="${tableId}">([\\s\\S]*?)</section>`).exec(html);
  return section ? (section[1]!.match(/<tr>/g) ?? []).length : 0;
};

describe('htmlReporter', () => {
  it('is the html format, ignores records, and gives one self-contained page', async () => {
    const reporter = htmlReporter();
    expect(reporter.format).toBe('html');
    const analysis = buildAnalysis();
    const writer = reporter.start({ job: 'daily-ops', runId: 'r', window: analysis.window, tmpDir: tmpdir() });
    expect(writer.add).toBeUndefined();
    const files = await writer.finish(analysis);
    expect(files).toEqual([{ extension: 'html', contentType: 'text/html; charset=utf-8', body: expect.any(String) }]);
    const html = files[0]!.body as string;
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toMatch(
      new RegExp(
        /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; /.source +
          /script-src &#39;unsafe-inline&#39; &#39;sha256-[^"]+; style-src &#39;unsafe-inline&#39;; img-src data:;/
            .source,
      ),
    );
    expect(html).toContain('Chart.js v4.6.1');
    expect(html).not.toContain('sourceMappingURL');
    expect(html.match(/<script\b/g)).toHaveLength(3);
    expect(html.match(/<canvas /g)).toHaveLength(6);
  });

  it('shows key facts, the comparison with its flags, and readable numbers (en-US)', async () => {
    const html = await render(buildAnalysis());
    expect(html).toContain('daily-ops');
    expect(html).toContain(
      '2026-03-02 00:00</time> → <time datetime="2026-03-02T16:00:00.000Z">2026-03-03 ' +
        '00:00</time> <span class="zone">Asia/Shanghai</span>',
    );
    expect(html).toContain('pr-20260302-0001');
    expect(html).toContain('>1,955<');
    expect(html).toContain('>96.6 %<');
    expect(html).toContain('>8.89 s<');
    expect(html).toContain('Dify stated 2,826,722');
    expect(html).toContain('>2,844,962<');
    expect(html).toContain('Cost (USD)</div><div class="value">41.2875<');
    expect(html).toContain('Cost (RMB)</div><div class="value">12.50<');
    expect(html).toContain('>+61.6 %<');
    expect(html).toContain('>−1.5 pt<');
    expect(html).toContain('<span class="badge">Warning</span> <span class="metric">p95</span>');
    expect(html).toContain('<span class="badge">Critical</span> <span class="metric">cost</span>');
    expect(html).toContain('>48.2 s<');
    expect(html).toContain('>0.002 s<');
    expect(html).toContain('Runs and failure rate per hour');
    for (const id of [
      'table-apps',
      'table-models',
      'table-nodes',
      'table-errors',
      'table-end-users',
      'table-slowest-runs',
      'table-token-mismatches',
      'table-failed-apps',
    ])
      expect(html).toContain(`id="${id}"`);
    expect(html).toContain('And 3 more errors of other kinds');
  });

  it('says when the window starts before Dify’s retention, with the apps escaped', async () => {
    const html = await render({
      ...emptyAnalysis(),
      retention: { days: 30, assumed: true, cutoff: '2026-02-08T12:00:00.000Z', apps: ['<app>'] },
    });
    expect(html).toContain(
      '<dt>Retention</dt><dd>The window starts before Dify’s log ' +
        'retention (30 days, Dify’s default when its log cleanup is on)',
    );
    expect(html).toContain('no archive of them for <span class="mono">&lt;app&gt;</span>.');
    expect(await render(emptyAnalysis())).not.toContain('<dt>Retention</dt>');
  });

  it('names the Dify workspace the run read, escaped, when the analysis has one', async () => {
    const pinned = await render({ ...emptyAnalysis(), workspace: { id: 'ws-1', name: '<b>Ops</b>', pinned: true } });
    expect(pinned).toContain('<dt>Dify workspace</dt><dd>&lt;b&gt;Ops&lt;/b&gt; <span class="mono">ws-1</span></dd>');
    const current = await render({ ...emptyAnalysis(), workspace: { id: 'ws-2', name: null, pinned: false } });
    expect(current).toContain('<dd>ws-2 <span class="mono">ws-2</span> (the account’s current workspace)</dd>');
    expect(await render(emptyAnalysis())).not.toContain('Dify workspace');
  });

  it('lists paused runs and the form each waits at, only when there are some', async () => {
    const html = await render({
      ...buildAnalysis(),
      pausedRuns: [
        {
          appId: 'app-1',
          runId: 'run-1',
          createdAt: '2026-03-09T10:00:00.000Z',
          pausedAt: '2026-03-09T10:00:02.000Z',
          nodes: [{ nodeId: 'n1', nodeTitle: 'Approve <refund>', type: 'human_input', formId: 'form-1' }],
        },
      ],
    });
    expect(html).toContain('id="table-paused-runs"');
    expect(html).toContain('Approve &lt;refund&gt; (form form-1)');
    expect(await render(buildAnalysis())).not.toContain('table-paused-runs');
  });

  it('charts days instead of hours when the window is longer than 48 hours', async () => {
    const analysis = buildAnalysis();
    const week = buildAnalysis({ window: { ...analysis.window, from: '2026-02-23T16:00:00.000Z' } });
    const html = await render(week);
    expect(html).toContain('Runs and failure rate per day');
    const data = JSON.parse(splitData(html).json) as {
      charts: Array<{ id: string; config: { data: { labels: string[] } } }>;
    };
    expect(data.charts.find((chart) => chart.id === 'chart-timeline')!.config.data.labels).toEqual(['2026-03-02']);
  });

  it('escapes every string from the logs: the hostile payload never reaches the markup as markup', async () => {
    const html = await render(withHostileStrings(buildAnalysis()));
    const { json, rest } = splitData(html);
    expect(rest).not.toContain('<script>alert');
    expect(rest).not.toContain('<img');
    expect(rest).not.toContain('</script><!--');
    expect(rest.match(/<script\b/g)).toHaveLength(2);
    expect(rest).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;&lt;img src=x onerror=alert(2)&gt;');
    // Inside the JSON nothing can close the element: <, >, &, U+2028 and U+2029 are \u escapes.
    expect(json).not.toMatch(/[<>&\u2028\u2029]/);
    expect(json).toContain('\\u003cscript\\u003ealert(1)\\u003c/script\\u003e');
    const data = JSON.parse(json) as { charts: Array<{ config: { data: { labels: string[] } } }> };
    expect(
      data.charts.flatMap((chart) => chart.config.data.labels).some((label) => label.startsWith(HOSTILE_HTML)),
    ).toBe(true);
    // The hostile console URL is not http(s): no links at all, and nothing else refers outside the file.
    expect(references(html)).toEqual([]);
    expect(attributes(html).filter((attribute) => attribute.name.startsWith('on'))).toEqual([]);
    expect(new Set(attributes(html).map((attribute) => attribute.tag))).not.toContain('img');
  });

  it('links sample runs to the console logs of their app, http(s) only, with the app id encoded', async () => {
    const hostile = withHostileStrings(buildAnalysis());
    const html = await render({ ...hostile, consoleUrl: `${CONSOLE}/` });
    const hrefs = references(html);
    expect(hrefs.length).toBeGreaterThan(0);
    for (const href of hrefs) expect(href.startsWith(`${CONSOLE}/app/`) && href.endsWith('/logs')).toBe(true);
    expect(hrefs).toContain(
      `${CONSOLE}/app/${encodeURIComponent(`${HOSTILE_HTML}app-invoice-extract`).replace(/'/g, '&#39;')}/logs`,
    );
    const plain = await render(buildAnalysis());
    expect(plain).toContain(
      `<a href="${CONSOLE}/app/app-invoice-extract/logs" rel="noopener ` +
        `noreferrer" target="_blank" title="App app-invoice-extract">run-0a1</a>`,
    );
    expect(plain).toContain('(lost run)');
    for (const consoleUrl of [
      'javascript:alert(1)//',
      'JaVaScRiPt:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'ftp://dify.example.com',
      '//dify.example.com',
      '/relative',
      null,
    ]) {
      const page = await render(buildAnalysis({ consoleUrl }));
      expect(references(page), String(consoleUrl)).toEqual([]);
    }
  });

  it('is deterministic for the same input', async () => {
    const analysis = buildAnalysis();
    const first = await render(analysis);
    expect(await render(structuredClone(analysis))).toBe(first);
    expect(await renderHtml(buildAnalysis())).toBe(first);
    const hostile = withHostileStrings(analysis);
    expect(await render(hostile)).toBe(await render(structuredClone(hostile)));
  });

  it('limits every table to maxTableRows and says how many rows were left out', async () => {
    const nodes = Array.from({ length: 30 }, (_, index) => ({
      title: `Node ${index}`,
      type: 'code',
      executions: 30 - index,
      failed: index % 3,
      latency: latencyStats(0.1 * (index + 1)),
      tokens: index * 10,
      cost: {},
    }));
    const html = await render(buildAnalysis({ nodes }), { maxTableRows: 5 });
    expect(rowsOf(html, 'table-nodes')).toBe(1 + 5);
    expect(html).toContain('Showing the first 5 of 30 rows.');
    expect(rowsOf(await render(buildAnalysis({ nodes })), 'table-nodes')).toBe(1 + 30);
    const data = JSON.parse(splitData(html).json) as {
      charts: Array<{ id: string; config: { data: { labels: string[] } } }>;
    };
    expect(data.charts.find((chart) => chart.id === 'chart-node-p95')!.config.data.labels).toHaveLength(15);
    expect(() => htmlReporter({ maxTableRows: 0 })).toThrow(DifyConfigError);
    expect(() => htmlReporter({ maxTableRows: 2.5 })).toThrow(/maxTableRows/);
  });

  it('renders an empty period as "No runs in this period" without charts', async () => {
    const html = await render(emptyAnalysis({ failedApps: [{ appId: 'app-x', error: 'HTTP 401' }] }));
    expect(html).toContain('No runs in this period');
    expect(html).not.toContain('<canvas');
    expect(html).toContain('id="table-failed-apps"');
    expect(html).not.toContain('id="table-nodes"');
    expect(JSON.parse(splitData(html).json)).toEqual({ charts: [] });
  });

  it("shows the chat apps' conversations, escaped, only when the report has them", async () => {
    const conversations = createConversationAnalyzer({ timezone: 'UTC' });
    const base = {
      appId: HOSTILE_HTML,
      conversationId: 'c-1',
      createdAt: '2026-03-02T08:00:00.000Z',
      answer: 'ok',
      endUserId: `${HOSTILE_HTML}-user`,
      totalTokens: 40,
      latency: 2,
      status: 'normal',
      error: null,
      feedback: null,
    } as const;
    conversations.add({ ...base, messageId: 'm-1', query: `${HOSTILE_HTML} question`, feedback: 'dislike' });
    conversations.add({
      ...base,
      messageId: 'm-2',
      query: 'second',
      status: 'error',
      error: `${HOSTILE_HTML} error`,
      answer: null,
    });
    conversations.add({ ...base, messageId: 'm-3', query: 'third', feedback: 'like' });
    const html = await render({ ...emptyAnalysis(), conversations: conversations.result() });
    const { rest } = splitData(html);
    expect(rest).toContain('id="conversations"');
    expect(rest).toContain("the chat apps' conversations are below");
    expect(rowsOf(rest, 'table-conversation-apps')).toBe(2); // header and one app
    expect(rowsOf(rest, 'table-questions')).toBe(3);
    expect(rest).toContain('50.0'); // satisfaction: 1 like, 1 dislike
    expect(rest).not.toContain('<script>alert');
    expect(rest).not.toContain('<img');
    expect(rest).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(references(html)).toEqual([]);
    // The disliked and the failed message share a conversation: one transcript with every turn, linked from the
    // questions table.
    expect(rest.match(/<article class="transcript" id="transcript-c-1">/g)).toHaveLength(1);
    expect(rest).toContain('failed and disliked: conversation');
    expect(rest.match(/<p class="question">/g)).toHaveLength(3);
    expect(rest).toContain('<a href="#transcript-c-1">read</a>');
    expect(rowsOf(rest, 'table-end-users')).toBe(2);
    expect(await render(emptyAnalysis())).not.toContain('id="conversations"');
  });

  it('shows times in UTC, and says so, when the time zone is unknown', async () => {
    const analysis = buildAnalysis();
    const html = await render(buildAnalysis({ window: { ...analysis.window, timezone: 'Mars/Olympus' } }));
    expect(html).toContain('2026-03-01 16:00</time>');
    expect(html).toContain('UTC (unknown time zone “Mars/Olympus”)');
  });
});

/** The little of the DOM the browser tests read (the package compiles without the DOM lib). */
interface DomElement {
  getAttributeNames(): string[];
  getAttribute(name: string): string | null;
  textContent: string | null;
}
interface DomCanvas {
  width: number;
  height: number;
  getContext(
    kind: '2d',
  ): { getImageData(x: number, y: number, width: number, height: number): { data: Uint8ClampedArray } } | null;
}
interface BrowserGlobals {
  document: { querySelectorAll<T = DomElement>(selectors: string): Iterable<T>; scripts: { length: number } };
  Chart?: { instances: Record<string, unknown> };
}

interface OpenedPage {
  page: Page;
  requests: string[];
  dialogs: string[];
  errors: string[];
  fileUrl: string;
}

describe(
  HAS_CHROMIUM ? 'HTML report in Chromium' : `HTML report in Chromium (needs ${CHROMIUM}, not installed: skipped)`,
  () => {
    let browser: Browser | undefined;
    let folder: string;

    beforeAll(async () => {
      if (!HAS_CHROMIUM) return;
      folder = mkdtempSync(join(tmpdir(), 'dify-logs-html-'));
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
    }, 60_000);

    afterAll(async () => {
      await browser?.close();
      if (folder) rmSync(folder, { recursive: true, force: true });
    });

    /** Opens the page from a file with every request recorded, and every one but the file itself refused. */
    async function open(html: string, name: string): Promise<OpenedPage> {
      const file = join(folder, `${name}.html`);
      writeFileSync(file, html);
      const fileUrl = pathToFileURL(file).href;
      const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
      const opened: OpenedPage = { page, requests: [], dialogs: [], errors: [], fileUrl };
      await page.route('**/*', async (route) => {
        const url = route.request().url();
        if (url === fileUrl) await route.continue();
        else {
          opened.requests.push(url);
          await route.abort();
        }
      });
      page.on('request', (request) => {
        if (request.url() !== fileUrl) opened.requests.push(request.url());
      });
      page.on('dialog', async (dialog) => {
        opened.dialogs.push(dialog.message());
        await dialog.dismiss();
      });
      page.on('pageerror', (error) => opened.errors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') opened.errors.push(message.text());
      });
      await page.goto(fileUrl, { waitUntil: 'load' });
      return opened;
    }

    /** Canvases, Chart.js instances, and which canvases hold at least one painted pixel. */
    const chartState = (page: Page) =>
      page.evaluate(() => {
        const { document, Chart } = globalThis as unknown as BrowserGlobals;
        const canvases = [...document.querySelectorAll<DomCanvas>('canvas')];
        return {
          canvases: canvases.length,
          instances: Chart ? Object.keys(Chart.instances).length : -1,
          painted: canvases.map((canvas) => {
            const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
            for (let index = 3; index < pixels.length; index += 4) if (pixels[index]! > 0) return true;
            return false;
          }),
        };
      });

    /** The numbers of one column: the cells' sort value, else their text. */
    const column = (page: Page, table: string, index: number) =>
      page.evaluate(
        ([selector, cell]) => {
          const { document } = globalThis as unknown as BrowserGlobals;
          return [...document.querySelectorAll<{ cells: DomElement[] }>(selector)].map((row) => {
            const element = row.cells[cell]!;
            return Number(element.getAttribute('data-sort') ?? element.textContent!.replace(/,/g, ''));
          });
        },
        [`#${table} tbody tr`, index] as const,
      );

    it.skipIf(!HAS_CHROMIUM)(
      'loads offline, runs no injected script, draws every chart and sorts tables',
      async () => {
        const { page, requests, dialogs, errors, fileUrl } = await open(
          await render(withHostileStrings(buildAnalysis())),
          'hostile',
        );
        expect(page.url()).toBe(fileUrl);
        expect(await page.textContent('h1')).toBe(`dify-logs report: ${HOSTILE_HTML}daily-ops`);
        expect(await page.textContent('#table-nodes tbody')).toContain(`${HOSTILE_HTML}Call ERP`);
        expect(await page.textContent('#table-errors tbody')).toContain(`${HOSTILE_HTML}HTTP 504 from`);
        const dom = await page.evaluate(() => {
          const { document } = globalThis as unknown as BrowserGlobals;
          return {
            embedded: [...document.querySelectorAll('img, iframe, object, embed, link, base, form')].length,
            scripts: document.scripts.length,
            handlers: [...document.querySelectorAll('*')].flatMap((element) =>
              element.getAttributeNames().filter((name) => name.startsWith('on')),
            ),
          };
        });
        expect(dom).toEqual({ embedded: 0, scripts: 3, handlers: [] });

        const charts = await chartState(page);
        expect(charts.canvases).toBe(6);
        expect(charts.instances).toBe(charts.canvases);
        expect(charts.painted).toEqual(Array(6).fill(true));

        // Apps come in analysis order (820, 412, 723); a numeric header sorts most first, then least first.
        expect(await column(page, 'table-apps', 1)).toEqual([820, 412, 723]);
        await page.click('#table-apps thead th:nth-child(2)');
        expect(await column(page, 'table-apps', 1)).toEqual([820, 723, 412]);
        expect(await page.getAttribute('#table-apps thead th:nth-child(2)', 'aria-sort')).toBe('descending');
        await page.click('#table-apps thead th:nth-child(2)');
        expect(await column(page, 'table-apps', 1)).toEqual([412, 723, 820]);
        // Seconds sort by value, not by text ("0.002 s" < "0.04 s" < "2.4 s" < "12 s").
        await page.click('#table-nodes thead th:nth-child(7)');
        const p95 = await column(page, 'table-nodes', 6);
        expect(p95).toEqual([...p95].sort((a, b) => b - a));

        const png = await page.screenshot({ fullPage: true });
        expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
        expect(png.length).toBeGreaterThan(10_000);

        expect(dialogs).toEqual([]);
        expect(errors).toEqual([]);
        expect(requests).toEqual([]);
        await page.close();
      },
      60_000,
    );

    it.skipIf(!HAS_CHROMIUM)(
      'renders an empty period without errors',
      async () => {
        const analysis = emptyAnalysis({
          failedApps: [{ appId: 'app-legacy-faq', error: 'Dify answered 401' }],
          comparison: buildAnalysis().comparison,
        });
        const { page, requests, dialogs, errors } = await open(await render(analysis), 'empty');
        expect(await page.textContent('#no-runs h2')).toBe('No runs in this period');
        const charts = await chartState(page);
        expect(charts).toEqual({ canvases: 0, instances: 0, painted: [] });
        await page.click('#table-failed-apps thead th:nth-child(1)');
        expect(errors).toEqual([]);
        expect(dialogs).toEqual([]);
        expect(requests).toEqual([]);
        await page.close();
      },
      60_000,
    );

    it.skipIf(!HAS_CHROMIUM)(
      'takes a full-page screenshot of the fixture (written to docs/images with UPDATE_SCREENSHOT=1)',
      async () => {
        const { page, errors, requests } = await open(await render(buildAnalysis()), 'fixture');
        const png = await page.screenshot({ fullPage: true, type: 'png' });
        expect(png.subarray(0, 4).toString('latin1')).toBe('\u0089PNG');
        expect(png.readUInt32BE(16)).toBe(1280);
        expect(errors).toEqual([]);
        expect(requests).toEqual([]);
        if (process.env.UPDATE_SCREENSHOT === '1') {
          mkdirSync(dirname(SCREENSHOT), { recursive: true });
          writeFileSync(SCREENSHOT, png);
        }
        await page.close();
      },
      60_000,
    );
  },
);
