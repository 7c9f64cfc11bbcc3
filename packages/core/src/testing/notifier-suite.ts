import type { TestRunner } from './runner.js';
import type { NotificationMessage, Notifier } from '../adapters/notifier.js';

export interface NotifierSuiteOptions<N extends Notifier = Notifier> {
  name: string;
  /** A fresh notifier for each test, wired to a channel (or test server) the suite can read back. */
  create: () => N | Promise<N>;
  /** The texts the channel received so far, in order (rendered bodies, e-mail text, webhook payload text). */
  received: (notifier: N) => string[] | Promise<string[]>;
  cleanup?: (notifier: N) => void | Promise<void>;
}

export function sampleMessage(overrides: Partial<NotificationMessage> = {}): NotificationMessage {
  return {
    kind: 'report-ready',
    severity: 'info',
    title: 'Daily report: Ticket Triage 2026-03-01',
    summary: '1 204 runs, 17 failed (1.4 %), p95 4.2 s. 客服工单 ✅',
    facts: [
      { label: 'Runs', value: '1 204' },
      { label: 'Failed', value: '17' },
      { label: 'Tokens', value: '98 765' },
    ],
    links: [{ label: 'Report', url: 'https://reports.example.com/daily/2026-03-01.html' }],
    job: 'nightly',
    runId: 'run-1',
    occurredAt: '2026-03-02T01:00:00.000Z',
    ...overrides,
  };
}

/** The Notifier contract as tests: every kind is delivered, with its title, facts, links and non-ASCII text. */
export function testNotifier<N extends Notifier>(runner: TestRunner, options: NotifierSuiteOptions<N>): void {
  const { afterEach, beforeEach, describe, expect, it } = runner;
  describe(`Notifier conformance: ${options.name}`, () => {
    let notifier: N;
    beforeEach(async () => {
      notifier = await options.create();
    });
    afterEach(async () => {
      await options.cleanup?.(notifier);
      await notifier.close?.();
    });

    it('delivers a message with its title, summary, facts and links, and returns a receipt', async () => {
      const receipt = await notifier.send(sampleMessage());
      expect(receipt.notifier).toBe(notifier.name);
      const [text] = await options.received(notifier);
      expect(text).toContain('Daily report: Ticket Triage 2026-03-01');
      expect(text).toContain('客服工单 ✅');
      expect(text).toContain('98 765');
      expect(text).toContain('https://reports.example.com/daily/2026-03-01.html');
    });

    it('delivers every kind of message, in order', async () => {
      const kinds = ['success', 'failure', 'report-ready', 'alert'] as const;
      for (const kind of kinds)
        await notifier.send(
          sampleMessage({ kind, title: `message ${kind}`, severity: kind === 'failure' ? 'error' : 'info' }),
        );
      const texts = await options.received(notifier);
      expect(texts).toHaveLength(kinds.length);
      kinds.forEach((kind, index) => expect(texts[index]).toContain(`message ${kind}`));
    });

    it('keeps a very long summary within the channel limit', async () => {
      await notifier.send(sampleMessage({ summary: 'x'.repeat(100_000) }));
      const [text] = await options.received(notifier);
      const limit = notifier.capabilities.maxLength;
      if (limit !== undefined) expect(text!.length).toBeLessThanOrEqual(limit);
      expect(text).toContain('Daily report');
    });
  });
}
