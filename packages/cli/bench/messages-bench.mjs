// Chat messages benchmark: a window of N chat messages (5 per conversation, in 500-message pages of conversations
// as Dify's console gives them) through the whole pipeline: privacy, the conversation analysis with its
// transcripts, JSON and Markdown reports, the partitioned archive of the messages on local disk. The client is an
// in-process stand-in that answers the console's conversation and message lists from a generator, so what is
// measured is dify-logs' own memory and time, not a Dify's. A child process per N, so peak RSS is its own.
// Goal (issue: conversation data everywhere): 1,000,000 messages with peak RSS < 300 MB.
// Usage: node bench/messages-bench.mjs [--messages 100000,1000000]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { messages: { type: 'string', default: '100000,1000000' }, child: { type: 'string' } },
});
const PER_CONVERSATION = 5;
const DAY = Date.parse('2026-03-09T00:00:00.000Z');

if (values.child) {
  const { memoryStateStore, runPipeline } = await import('@dify-logs/core/pipeline');
  const { createLocalStorage } = await import('@dify-logs/storage-local');
  const total = Number(values.child);
  const conversations = Math.ceil(total / PER_CONVERSATION);
  const seconds = (index) => Math.floor((DAY + (index / total) * 86_000_000) / 1000);
  const message = (conversation, turn) => {
    const index = conversation * PER_CONVERSATION + turn;
    return {
      id: `m-${index}`,
      conversation_id: `c-${conversation}`,
      query:
        `Question ${index}: where is order ${100000 + (index % 900000)}? ` +
        `Mail me at user${index % 977}@example.com`,
      answer: `Answer ${index}: your order ships tomorrow. `.repeat(4),
      message_tokens: 40,
      answer_tokens: 120,
      provider_response_latency: 1 + (index % 7) / 3,
      from_source: 'api',
      from_end_user_id: `eu-${conversation % 5000}`,
      from_account_id: null,
      feedbacks: index % 11 === 0 ? [{ rating: index % 2 ? 'like' : 'dislike', from_source: 'user' }] : [],
      annotation: null,
      workflow_run_id: null,
      created_at: seconds(index),
      status: index % 97 === 0 ? 'error' : 'normal',
      error: index % 97 === 0 ? 'model timed out' : null,
    };
  };
  const client = {
    hasConsole: true,
    webUrl: null,
    logSurface: 'console',
    scrub: (text) => text,
    workspace: async () => null,
    close: async () => undefined,
    async *conversations() {
      for (let conversation = 0; conversation < conversations; conversation += 1)
        yield {
          id: `c-${conversation}`,
          from_end_user_session_id: `session-${conversation % 5000}`,
          created_at: seconds(conversation * PER_CONVERSATION),
          updated_at: seconds(Math.min(total, (conversation + 1) * PER_CONVERSATION) - 1),
        };
    },
    async *messages(_app, conversationId) {
      const conversation = Number(conversationId.slice(2));
      for (let turn = 0; turn < PER_CONVERSATION; turn += 1)
        if (conversation * PER_CONVERSATION + turn < total) yield message(conversation, turn);
    },
  };
  const storage = createLocalStorage({ baseDir: process.env.BENCH_DIR });
  const started = performance.now();
  const result = await runPipeline(
    {
      name: 'bench',
      apps: [{ id: 'app-chat', client, mode: 'chat' }],
      window: { mode: 'explicit', from: '2026-03-09T00:00:00.000Z', to: '2026-03-10T00:00:00.000Z' },
      archive: { mode: 'partitioned' },
      report: { formats: ['json', 'markdown'] },
    },
    { storage, state: memoryStateStore(), now: () => new Date('2026-03-10T06:00:00.000Z') },
  );
  const secondsTaken = (performance.now() - started) / 1000;
  console.log(
    JSON.stringify({
      messages: result.analysis?.conversations?.messages ?? 0,
      archived: result.messagePartitions?.records ?? 0,
      status: result.status,
      problems: result.problems.map((problem) => problem.message),
      seconds: Number(secondsTaken.toFixed(1)),
      messagesPerSecond: Math.round(total / secondsTaken),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      liveHeapMb: globalThis.gc ? (globalThis.gc(), Math.round(process.memoryUsage().heapUsed / 2 ** 20)) : undefined,
    }),
  );
} else {
  for (const count of values.messages.split(',').map(Number)) {
    const dir = mkdtempSync(join(tmpdir(), 'messages-bench-'));
    const child = spawnSync(process.execPath, [new URL(import.meta.url).pathname, '--child', String(count)], {
      encoding: 'utf8',
      env: { ...process.env, BENCH_DIR: dir },
      maxBuffer: 1 << 24,
    });
    rmSync(dir, { recursive: true, force: true });
    if (child.status !== 0) {
      console.error(child.stderr);
      process.exit(1);
    }
    console.log(child.stdout.trim());
  }
}
