import { createAnalyzer } from '@dify-logs/core/pipeline';
import type { NotificationMessage, Notifier } from '@dify-logs/core/adapter-kit';
import type { RunRecord } from '@dify-logs/core';
import { failureMessage, renderMarkdown, reportReadyMessage } from '@dify-logs/core/internal';
import { createDingtalkNotifier } from '@dify-logs/notifier-dingtalk';
import { createEmailNotifier } from '@dify-logs/notifier-email';
import { createFeishuNotifier } from '@dify-logs/notifier-feishu';
import { createSlackNotifier } from '@dify-logs/notifier-slack';
import { createWecomNotifier } from '@dify-logs/notifier-wecom';
import { describe, expect, it } from 'vitest';
import { smtpCapture, webhookReceiver } from './secret-channels.js';

/**
 * Markup injection end to end: hostile app ids, job names, error messages, node titles, model names and
 * link labels go through the analysis and the message builders the pipeline uses, then through every
 * chat notifier to a local receiver, the Markdown report, and e-mail (header injection in the subject
 * and the sender). What each channel would read as markup must arrive as text.
 */

const PAYLOAD = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(2)>',
  '[click](https://evil.example/phish)',
  '![pixel](https://evil.example/track.png)',
  '<font color=red>URGENT</font>',
  '<at id=all></at>',
  '<@all>',
  '<!channel> <!here>',
  '<https://evil.example|go>',
  '**bold** `code`',
  '\n# heading\n- item',
].join(' ');

function record(index: number): RunRecord {
  return {
    appId: `app-${index}${PAYLOAD}`,
    logId: `log-${index}`,
    runId: `run-${index}`,
    status: 'failed',
    workflowVersion: PAYLOAD,
    triggeredFrom: PAYLOAD,
    createdFrom: 'service-api',
    createdByRole: 'end_user',
    endUserSessionId: PAYLOAD,
    accountEmail: null,
    loggedAt: '2026-03-09T10:00:00.000Z',
    createdAt: '2026-03-09T10:00:00.000Z',
    finishedAt: '2026-03-09T10:00:02.000Z',
    elapsedTime: 2,
    totalTokens: 10,
    totalSteps: 1,
    exceptionsCount: 0,
    error: `boom ${PAYLOAD}`,
    inputs: { [PAYLOAD]: PAYLOAD },
    outputs: null,
    nodes: [
      {
        id: 'ne',
        nodeId: 'llm',
        nodeType: 'llm',
        title: PAYLOAD,
        index: 1,
        predecessorNodeId: null,
        status: 'failed',
        error: PAYLOAD,
        elapsedTime: 1,
        totalTokens: 10,
        totalPrice: 0.01,
        currency: 'USD',
        modelProvider: PAYLOAD,
        modelName: PAYLOAD,
        iterationId: null,
        iterationIndex: null,
        loopId: null,
        loopIndex: null,
        createdAt: '2026-03-09T10:00:00.000Z',
        finishedAt: '2026-03-09T10:00:01.000Z',
      },
    ],
    enrichmentError: null,
  };
}

function hostileMessages(): NotificationMessage[] {
  const analyzer = createAnalyzer({
    job: `nightly${PAYLOAD}`,
    runId: 'r1',
    window: { from: '2026-03-09T00:00:00.000Z', to: '2026-03-10T00:00:00.000Z', timezone: 'UTC' },
  });
  for (let index = 0; index < 3; index += 1) analyzer.add(record(index));
  analyzer.failApp(`lost-app${PAYLOAD}`, `HTTP 500 ${PAYLOAD}`);
  const links = [
    { label: `report ${PAYLOAD}`, url: 'https://reports.example.com/r.html?x=<y>&z=(1)' },
    { label: `local ${PAYLOAD}`, url: 'javascript:alert(3)' },
  ];
  return [
    reportReadyMessage(analyzer.result(), links, true),
    failureMessage(`nightly${PAYLOAD}`, 'r2', `could not save ${PAYLOAD}`, '2026-03-10T00:00:00.000Z'),
  ];
}

/**
 * The parts of a chat body the app renders as markup: DingTalk `markdown.text`, WeCom `markdown.content`,
 * Feishu card elements other than `plain_text`, Slack `mrkdwn` texts and the `text` fallback. (Titles
 * shown in a notification preview are plain text by the vendors' documentation.)
 */
function markupOf(channel: string, body: Record<string, unknown>): string {
  const found: string[] = [];
  const walk = (value: unknown, parentKind: unknown) => {
    if (Array.isArray(value)) for (const item of value) walk(item, parentKind);
    else if (typeof value === 'object' && value !== null) {
      const node = value as Record<string, unknown>;
      const kind = node.tag ?? node.type ?? parentKind;
      for (const [key, item] of Object.entries(node)) {
        if (typeof item === 'string' && (key === 'content' || key === 'text') && kind !== 'plain_text')
          found.push(item);
        else walk(item, kind);
      }
    }
  };
  if (channel === 'dingtalk')
    return String(
      (body.markdown as { text?: string } | undefined)?.text ??
        (body.actionCard as { text?: string } | undefined)?.text,
    );
  if (channel === 'wecom') return String((body.markdown as { content?: string }).content);
  walk(channel === 'feishu' ? body.card : body.blocks, undefined);
  if (channel === 'slack') found.push(String(body.text));
  return found.join('\n');
}

/** Markup that would be live in Markdown channels: tags, mentions, links/images not escaped, line-start headings. */
const LIVE_MARKDOWN = [
  /<script/i,
  /<img/i,
  /<font color=red/i,
  /<at[\s>]/i,
  /<@all>/,
  /(?<!\\)\]\(https:\/\/evil/,
  /(?<!\\)!(?<!\\)\[pixel/,
  /\]\(javascript:/i,
  /(?<!\\)\*\*bold/,
  /^#\s*heading/m,
  /^- item/m,
];

describe('markup injection from hostile log data is neutralised on every channel', () => {
  it('DingTalk, WeCom, Feishu and Slack bodies carry the hostile text only as text', async () => {
    const { url, bodies } = await webhookReceiver();
    const notifiers: Array<[string, Notifier, RegExp[]]> = [
      ['dingtalk', createDingtalkNotifier({ webhook: `${url}/robot/send?access_token=t` }), LIVE_MARKDOWN],
      ['wecom', createWecomNotifier({ webhook: `${url}/cgi-bin/webhook/send?key=k` }), LIVE_MARKDOWN],
      [
        'feishu',
        createFeishuNotifier({ webhook: `${url}/open-apis/bot/v2/hook/h` }),
        [...LIVE_MARKDOWN, /\[click\]/, /\[pixel\]/],
      ],
      [
        'slack',
        createSlackNotifier({ webhook: `${url}/services/T/B/x` }),
        [/<!channel>/, /<!here>/, /<@all>/, /<https:\/\/evil/, /<script/i, /<javascript:/i],
      ],
    ];
    for (const [name, notifier, live] of notifiers) {
      for (const message of hostileMessages()) {
        bodies.length = 0;
        await notifier.send(message);
        expect(bodies, name).toHaveLength(1);
        const text = markupOf(name, JSON.parse(bodies[0]!) as Record<string, unknown>);
        expect(text, name).toMatch(/alert\(1\)/);
        for (const pattern of live) expect(text, `${name}: ${message.kind} matches ${pattern}`).not.toMatch(pattern);
      }
    }
  });

  it('the Markdown report escapes tags, links, emphasis and table pipes in every hostile field', () => {
    const analyzer = createAnalyzer({
      job: 'nightly',
      runId: 'r1',
      window: { from: '2026-03-09T00:00:00.000Z', to: '2026-03-10T00:00:00.000Z', timezone: 'UTC' },
    });
    for (let index = 0; index < 3; index += 1) analyzer.add({ ...record(index), error: `boom | cell ${PAYLOAD}` });
    const markdown = renderMarkdown(analyzer.result());
    expect(markdown).toMatch(/alert\(1\)/);
    for (const pattern of LIVE_MARKDOWN) expect(markdown, String(pattern)).not.toMatch(pattern);
    // Every table row keeps its column count: a `|` in the data is escaped.
    for (const table of markdown.split(/\n\n/).filter((block) => block.startsWith('|'))) {
      const rows = table.split('\n').filter((row) => row.startsWith('|'));
      const columns = (row: string) => row.replace(/\\\|/g, '').split('|').length;
      for (const row of rows) expect(columns(row), row).toBe(columns(rows[0]!));
    }
  });

  it(
    'e-mail: CR/LF in the title cannot add headers or recipients; ' +
      'a sender, recipient or prefix with CR/LF is refused',
    async () => {
      const smtp = await smtpCapture({ user: 'u', password: 'p' });
      const notifier = createEmailNotifier({
        host: '127.0.0.1',
        port: smtp.port,
        user: 'u',
        password: 'p',
        from: 'reports@example.com',
        to: ['ops@example.com'],
      });
      const [, failure] = hostileMessages();
      await notifier.send({ ...failure!, title: 'failed\r\nBcc: victim@evil.example\r\nX-Injected: yes\n\nbody' });
      expect(smtp.recipients).toEqual([['ops@example.com']]);
      expect(smtp.headers[0]!.has('bcc')).toBe(false);
      expect(smtp.headers[0]!.has('x-injected')).toBe(false);
      expect(smtp.headers[0]!.get('subject')).toBe('[ERROR] failed Bcc: victim@evil.example X-Injected: yes body');
      // (The HTML part's escaping is notifier-email's own test; the plain-text part carries the text as it is.)

      for (const [key, options] of [
        ['from', { from: 'reports@example.com\r\nBcc: victim@evil.example', to: ['ops@example.com'] }],
        ['from', { from: 'reports@example.com\nX-Injected: yes', to: ['ops@example.com'] }],
        ['to', { from: 'reports@example.com', to: ['ops@example.com\r\nBcc: victim@evil.example'] }],
        [
          'subjectPrefix',
          { from: 'reports@example.com', to: ['ops@example.com'], subjectPrefix: '[x]\r\nBcc: victim@evil.example' },
        ],
      ] as const) {
        expect(
          () =>
            createEmailNotifier({
              host: '127.0.0.1',
              port: smtp.port,
              user: 'u',
              password: 'p',
              ...options,
              to: [...options.to],
            }),
          key,
        ).toThrow(new RegExp(`${key}: must be one line`));
      }
      expect(smtp.recipients).toHaveLength(1);
    },
  );
});
