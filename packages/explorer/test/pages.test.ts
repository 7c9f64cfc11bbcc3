import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RunRecord } from '@dify-logs/core';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExplorer, type Explorer } from '../src/index.js';
import {
  archive,
  archiveDataset,
  fixtureChat,
  fixtureRuns,
  HOSTILE_MESSAGE,
  localArchive,
  node,
  run,
} from './support.js';

const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
const IMAGES = fileURLToPath(new URL('../../../docs/images/', import.meta.url));
const HOSTILE = '<img src=x onerror="alert(1)"><script>alert(2)</script>';

/** A run with an iteration of two rounds and a hostile node title and error. */
function iterationRun(): RunRecord {
  const t = (seconds: number) => new Date(Date.parse('2026-03-09T12:00:00.000Z') + seconds * 1000).toISOString();
  return run({
    appId: 'app-a',
    logId: 'log-iter',
    runId: 'run-iter',
    status: 'failed',
    createdAt: t(0),
    loggedAt: t(0),
    finishedAt: t(10),
    elapsedTime: 10,
    error: `failed: ${HOSTILE}`,
    inputs: { question: '请帮我查询订单 12345 的物流状态' },
    outputs: { answer: null },
    nodes: [
      node({ id: 'n1', nodeId: 'start', nodeType: 'start', title: '开始', index: 1, createdAt: t(0), elapsedTime: 1 }),
      node({
        id: 'n2',
        nodeId: 'loop',
        nodeType: 'iteration',
        title: HOSTILE,
        index: 2,
        createdAt: t(1),
        elapsedTime: 6,
      }),
      ...[0, 1].map((round) =>
        node({
          id: `n3-${round}`,
          nodeId: 'inner',
          title: `inner ${round}`,
          index: 3 + round,
          iterationId: 'loop',
          iterationIndex: round,
          createdAt: t(1 + round * 3),
          elapsedTime: 3,
        }),
      ),
      node({
        id: 'n5',
        nodeId: 'llm',
        title: '工单分类',
        index: 5,
        createdAt: t(7),
        elapsedTime: 3,
        status: 'failed',
        error: HOSTILE,
        modelName: 'gpt-4o-mini',
        totalTokens: 321,
        totalPrice: 0.0123,
        inputs: { prompt: HOSTILE },
      }),
    ],
  });
}

describe(
  HAS_CHROMIUM
    ? 'explorer pages in Chromium'
    : `explorer pages in Chromium (needs ${CHROMIUM}, not installed: skipped)`,
  () => {
    let browser: Browser | undefined;
    let explorer: Explorer;
    let remove: () => Promise<void>;

    beforeAll(async () => {
      const local = await localArchive();
      remove = local.remove;
      const days = { from: '2026-03-07', to: '2026-03-10' };
      await archive(local.storage, [...fixtureRuns(), iterationRun()], days);
      const chat = fixtureChat();
      await archiveDataset(local.storage, 'conversations', chat.conversations, days);
      await archiveDataset(local.storage, 'messages', chat.messages, days);
      explorer = await createExplorer({ storage: local.storage, port: 0, privacy: { enabled: false } });
      if (!HAS_CHROMIUM) return;
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
      await explorer?.close();
      await remove?.();
    });

    /** Opens a page, recording requests that leave the explorer, script errors and dialogs. */
    async function open(path: string) {
      const page: Page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
      const foreign: string[] = [];
      const errors: string[] = [];
      const dialogs: string[] = [];
      page.on('request', (request) => {
        if (!request.url().startsWith(explorer.url)) foreign.push(request.url());
      });
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      const response = await page.goto(`${explorer.url}${path}`);
      expect(response?.status()).toBe(200);
      return { page, foreign, errors, dialogs };
    }

    async function screenshot(page: Page, name: string) {
      if (process.env.UPDATE_SCREENSHOT !== '1') return;
      mkdirSync(IMAGES, { recursive: true });
      await page.screenshot({ path: `${IMAGES}${name}.png`, fullPage: true });
    }

    it.skipIf(!HAS_CHROMIUM)(
      'shows the overview: totals, per day and app, top errors; loads nothing else',
      async () => {
        const { page, foreign, errors } = await open('/');
        expect(await page.textContent('.cards')).toContain('61');
        expect(await page.locator('table').count()).toBe(3);
        expect(await page.textContent('body')).toContain('Node 工单分类 failed: timeout after <n>s');
        await screenshot(page, 'explorer-overview');
        expect(foreign).toEqual([]);
        expect(errors).toEqual([]);
        await page.close();
      },
    );

    it.skipIf(!HAS_CHROMIUM)('filters and searches the run list, sorts it, and opens a run', async () => {
      const { page, errors } = await open('/runs');
      expect(await page.locator('#runs tbody tr').count()).toBe(50);
      await page.fill('input[name=q]', '退款 needle');
      await page.click('button[type=submit]');
      await page.waitForURL(/q=/);
      expect(await page.locator('#runs tbody tr').count()).toBe(1);
      await page.fill('input[name=q]', '');
      await page.fill('input[name=status]', 'failed');
      await page.fill('input[name=app]', 'app-a');
      await page.click('button[type=submit]');
      await page.waitForURL(/status=failed/);
      const statuses = await page.locator('#runs tbody tr td:nth-child(3)').allTextContents();
      expect(statuses.length).toBe(7);
      expect(new Set(statuses)).toEqual(new Set(['failed']));
      await page.click('#runs thead th:nth-child(4)');
      const times = (await page
        .locator('#runs tbody tr td:nth-child(4)')
        .evaluateAll((cells) => cells.map((cell) => Number(cell.getAttribute('data-value'))))) as number[];
      expect(times).toEqual([...times].sort((a, b) => a - b));
      await screenshot(page, 'explorer-runs');
      await page.click('#runs tbody tr:first-child a');
      await page.waitForURL(/\/runs\/run-/);
      expect(await page.textContent('h1')).toMatch(/^Run run-/);
      expect(errors).toEqual([]);
      await page.close();
    });

    it.skipIf(!HAS_CHROMIUM)("draws the waterfall's bars at the nodes' times, rounds folded", async () => {
      const { page, errors, dialogs } = await open('/runs/run-iter');
      const lanes = page.locator('#waterfall > details.step > summary .lane');
      const bars = page.locator('#waterfall > details.step > summary .bar');
      expect(await bars.count()).toBe(3); // start, the iteration, the LLM; the rounds are folded
      // The run spans 10 s: start 0–1 s, iteration 1–7 s, LLM 7–10 s.
      const expected = [
        [0, 0.1],
        [0.1, 0.6],
        [0.7, 0.3],
      ];
      for (const [index, [left, width]] of expected.entries()) {
        const lane = (await lanes.nth(index).boundingBox())!;
        const box = (await bars.nth(index).boundingBox())!;
        expect((box.x - lane.x) / lane.width).toBeCloseTo(left!, 2);
        expect(box.width / lane.width).toBeCloseTo(width!, 2);
      }
      expect(await page.locator('.rounds > details').count()).toBe(2);
      expect(await page.locator('.rounds > details').first().isVisible()).toBe(false);
      await page.click('#waterfall > details.step:nth-child(2) > summary');
      expect(await page.locator('.rounds > details').first().isVisible()).toBe(true);
      // Hostile strings stay text.
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.textContent('#run-error')).toBe(`failed: ${HOSTILE}`);
      expect(await page.textContent('body')).toContain('请帮我查询订单 12345 的物流状态');
      await page.click('#waterfall > details.step:nth-child(3) > summary');
      await screenshot(page, 'explorer-run');
      expect(dialogs).toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    });

    it.skipIf(!HAS_CHROMIUM)('lists error signatures with counts and sample runs', async () => {
      const { page, errors } = await open('/errors');
      const first = page.locator('table tbody tr').first();
      expect((await first.locator('td').first().textContent())?.trim()).toBe(
        'Node 工单分类 failed: timeout after <n>s',
      );
      expect((await first.locator('td').nth(1).textContent())?.trim()).toBe('12');
      expect(await first.locator('td:last-child a').count()).toBe(3);
      await screenshot(page, 'explorer-errors');
      expect(errors).toEqual([]);
      await page.close();
    });
    it.skipIf(!HAS_CHROMIUM)('lists conversations and opens a transcript; a hostile message stays text', async () => {
      const { page, errors, dialogs, foreign } = await open('/conversations');
      expect(await page.locator('#conversations tbody tr').count()).toBe(8);
      await page.selectOption('select[name=feedback]', 'dislike');
      await page.click('button[type=submit]');
      await page.waitForURL(/feedback=dislike/);
      expect(await page.locator('#conversations tbody tr').count()).toBe(2);
      await page.fill('input[name=q]', '退款');
      await page.selectOption('select[name=feedback]', '');
      await page.click('button[type=submit]');
      await page.waitForURL(/q=/);
      expect(await page.locator('#conversations tbody tr').count()).toBe(1);
      await page.click('#conversations tbody tr:first-child a');
      await page.waitForURL(/\/conversations\/c-0$/);
      expect(await page.textContent('h1')).toBe('Conversation 退款 问题');
      const turns = page.locator('#transcript .turn');
      expect(await turns.count()).toBe(2);
      expect(await turns.first().locator('.question pre').textContent()).toBe(`${HOSTILE_MESSAGE} 请问退款多久到账？`);
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.locator('#transcript script').count()).toBe(0);
      expect(await turns.nth(1).locator('.user-feedback').textContent()).toContain('like');
      await screenshot(page, 'explorer-conversation');
      await page.click('#transcript a.run');
      await page.waitForURL(/\/runs\/run-3$/);
      expect(await page.textContent('h1')).toMatch(/^Run run-3/);
      expect(foreign).toEqual([]);
      expect(dialogs).toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    });
  },
);
