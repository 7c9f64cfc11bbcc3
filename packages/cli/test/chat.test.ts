import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { cli, filesUnder, sim, tempDir, writeWorkspaceConfig } from './helpers.js';

describe('dify-logs run on a workspace with a chatflow', () => {
  it(
    'reports the chatflow beside the workflow apps: conversation ' +
      'sections, a messages CSV and the archived messages',
    async () => {
      const simulator = await sim({
        runsPerApp: 60,
        runningRuns: 0,
        now: new Date(Date.now() - 60_000).toISOString(),
        days: 1,
      });
      const dir = await tempDir();
      await writeWorkspaceConfig(dir, simulator, { job: ['    outputFormat: [markdown, csv, html]'] });
      const run = await cli(['run', '--config', 'dify-logs.yaml'], { cwd: dir, env: {} });
      expect(run.code, run.stderr + run.stdout).toBe(0);
      const files = filesUnder(join(dir, 'outputs'));
      // The messages are partitioned beside the runs' archive (gzip NDJSON per app and UTC day, with manifests).
      const parts = files.filter((file) => file.includes('archive-messages') && file.endsWith('.ndjson.gz'));
      expect(parts.length).toBeGreaterThan(0);
      const messages = parts
        .flatMap((part) => gunzipSync(readFileSync(part)).toString('utf8').split('\n'))
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { messageId: string; appId: string });
      const chatflow = simulator.apps.find((app) => app.mode === 'advanced-chat')!;
      expect(messages.length).toBeGreaterThan(20);
      expect(messages.every((message) => message.appId === chatflow.id)).toBe(true);
      const csv = readFileSync(
        files.find((file) => file.endsWith('.messages.csv'))!,
        'utf8',
      );
      expect(csv.charCodeAt(0)).toBe(0xfeff);
      expect(csv.slice(1, csv.indexOf('\r\n'))).toBe(
        'appId,conversationId,messageId,createdAt,status,query,answer,error,messageTokens,answerTokens,totalTokens,' +
          'latency,feedback,adminFeedback,annotated,fromSource,endUserId,accountId,workflowRunId',
      );
      for (const message of messages) expect(csv.split(message.messageId)).toHaveLength(2);
      expect(
        readFileSync(
          files.find((file) => file.endsWith('.md'))!,
          'utf8',
        ),
      ).toContain(`- Conversations: **`);
      const html = readFileSync(
        files.find((file) => file.endsWith('.html'))!,
        'utf8',
      );
      expect(html).toContain('id="conversations"');
      expect(html).toContain(chatflow.id);
    },
  );
});
