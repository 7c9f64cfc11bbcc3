import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ConversationRecord, MessageRecord } from '@dify-logs/core';
import type { ArchiveManifest } from '@dify-logs/core/archive';
import { decodeParquetConversations, decodeParquetMessages } from '@dify-logs/parquet';
import { describe, expect, it } from 'vitest';
import { cli, filesUnder, sim, tempDir, writeWorkspaceConfig } from './helpers.js';

async function collect<T>(records: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const record of records) out.push(record);
  return out;
}

/** A chat dataset's archive as stored: its manifests, the records of its NDJSON parts and of their Parquet copies. */
async function chatArchive<T>(
  dir: string,
  type: 'archive-messages' | 'archive-conversations',
  decode: (bytes: Uint8Array, name: string) => AsyncIterable<T>,
): Promise<{ manifests: ArchiveManifest[]; ndjson: T[]; parquet: T[]; files: string[] }> {
  const files = filesUnder(join(dir, 'outputs', 'data', type));
  const manifests = files
    .filter((file) => file.endsWith('.manifest.json'))
    .map((file) => JSON.parse(readFileSync(file, 'utf8')) as ArchiveManifest);
  const ndjson = files
    .filter((file) => file.endsWith('.ndjson.gz'))
    .flatMap((file) => gunzipSync(readFileSync(file)).toString('utf8').split('\n'))
    .filter(Boolean)
    .map((line) => JSON.parse(line) as T);
  const parquet: T[] = [];
  for (const file of files.filter((name) => name.endsWith('.parquet')))
    parquet.push(...(await collect(decode(readFileSync(file), file))));
  return { manifests, ndjson, parquet, files };
}

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const byId =
  <T>(id: (record: T) => string) =>
  (a: T, b: T) =>
    id(a).localeCompare(id(b));

describe('dify-logs archive with Parquet copies of the chat datasets', () => {
  it(
    'writes message and conversation parts as Parquet too, listed in their manifests; verify checks them and finds ' +
      'a damaged one; forget re-encodes them without the end user',
    async () => {
      const simulator = await sim({
        runsPerApp: 60,
        runningRuns: 0,
        now: new Date(Date.now() - 60_000).toISOString(),
        days: 1,
      });
      const dir = await tempDir();
      await writeWorkspaceConfig(dir, simulator, {
        storage: 'storage: { baseDir: ./outputs, archiveFormats: [parquet] }',
      });
      const run = await cli(['run', '--config', 'dify-logs.yaml'], { cwd: dir, env: {} });
      expect(run.code, run.stderr + run.stdout).toBe(0);

      const messages = await chatArchive<MessageRecord>(dir, 'archive-messages', decodeParquetMessages);
      const conversations = await chatArchive<ConversationRecord>(
        dir,
        'archive-conversations',
        decodeParquetConversations,
      );
      for (const { manifests, ndjson, parquet } of [messages, conversations]) {
        expect(ndjson.length).toBeGreaterThan(10);
        expect(manifests.length).toBeGreaterThan(0);
        // Every part keeps its NDJSON and has one Parquet copy, listed as its alternate.
        for (const part of manifests.flatMap((manifest) => manifest.parts)) {
          expect(part.format).toBeUndefined();
          expect(part.alternates).toEqual([expect.objectContaining({ format: 'parquet' })]);
          expect(part.alternates![0]!.key).toMatch(/\.part-\d+\.parquet$/);
        }
        expect(parquet).toHaveLength(ndjson.length);
      }
      // The copies hold the very records of the parts.
      const messageId = (message: MessageRecord) => message.messageId;
      expect([...messages.parquet].sort(byId(messageId))).toEqual([...messages.ndjson].sort(byId(messageId)));
      const conversationId = (conversation: ConversationRecord) =>
        `${conversation.conversationId} ${conversation.updatedAt}`;
      expect([...conversations.parquet].sort(byId(conversationId))).toEqual(
        [...conversations.ndjson].sort(byId(conversationId)),
      );

      const verify = () =>
        cli(['archive', 'verify', '--from', day(-3), '--to', day(1), '--config', 'dify-logs.yaml'], {
          cwd: dir,
          env: {},
        });
      const verified = await verify();
      expect(verified.code, verified.stdout + verified.stderr).toBe(0);
      expect(verified.stdout).toMatch(new RegExp(`${messages.ndjson.length} messages: OK`));

      // A damaged copy is found (checksum), and named.
      const copy = messages.files.find((file) => file.endsWith('.parquet'))!;
      const original = readFileSync(copy);
      const damaged = Buffer.from(original);
      damaged[Math.floor(damaged.length / 2)]! ^= 0xff;
      await writeFile(copy, damaged);
      const failed = await verify();
      expect(failed.code).not.toBe(0);
      expect(failed.stdout).toMatch(/messages: .*1 PROBLEM\(S\)/);
      expect(failed.stdout).toMatch(/checksum .*\.parquet: the parquet copy has/);
      await writeFile(copy, original);

      // The end user with the most messages is forgotten from the parts and their copies.
      const counts = new Map<string, number>();
      for (const message of messages.ndjson)
        if (message.endUserId) counts.set(message.endUserId, (counts.get(message.endUserId) ?? 0) + 1);
      const [person] = [...counts].sort((a, b) => b[1] - a[1])[0]!;
      const done = await cli(
        ['archive', 'forget', '--end-user', person, '--yes', '--json', '--config', 'dify-logs.yaml'],
        {
          cwd: dir,
          env: {},
        },
      );
      expect(done.code, done.stderr).toBe(0);
      const result = JSON.parse(done.stdout) as {
        messageArchive: { removed: number };
        conversationArchive: { removed: number };
      };
      expect(result.messageArchive.removed).toBeGreaterThanOrEqual(counts.get(person)!);
      expect(result.conversationArchive.removed).toBeGreaterThan(0);
      const after = await chatArchive<MessageRecord>(dir, 'archive-messages', decodeParquetMessages);
      const afterConversations = await chatArchive<ConversationRecord>(
        dir,
        'archive-conversations',
        decodeParquetConversations,
      );
      for (const records of [after.ndjson, after.parquet, afterConversations.ndjson, afterConversations.parquet])
        expect(records.filter((record) => record.endUserId === person)).toEqual([]);
      expect(after.parquet).toHaveLength(messages.ndjson.length - result.messageArchive.removed);
      expect(after.ndjson).toHaveLength(after.parquet.length);
      expect(afterConversations.parquet).toHaveLength(afterConversations.ndjson.length);
      // Nothing left behind: every Parquet file is one a manifest lists.
      const listed = new Set(
        [...after.manifests, ...afterConversations.manifests].flatMap((manifest) =>
          manifest.parts.flatMap((part) => (part.alternates ?? []).map((alternate) => alternate.key)),
        ),
      );
      const copies = [...after.files, ...afterConversations.files].filter((file) => file.endsWith('.parquet'));
      expect(copies).toHaveLength(listed.size);
      const again = await verify();
      expect(again.code, again.stdout + again.stderr).toBe(0);
    },
  );
});
