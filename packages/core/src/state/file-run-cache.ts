import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { coversLevel, fitToLevel, type EnrichmentLevel, type RunCache } from '../adapters/run-cache.js';
import { safeSegment } from '../adapters/keys.js';
import type { RunRecord } from '../records/schema.js';

interface Entry {
  offset: number;
  length: number;
}

interface AppFile {
  path: string;
  index: Map<string, Entry>;
  reader: FileHandle;
  writer: FileHandle;
  size: number;
  queue: Promise<unknown>;
}

const RUN_ID = /^\{"runId":"((?:[^"\\]|\\.)*)"/;
const SCAN_CHUNK = 1 << 20;

/**
 * Finished runs in one append-only NDJSON file per app (`<dir>/<app>.ndjson`), one line
 * `{"runId", "level", "record"}` per run. Only an index (run id → byte range) is held in memory, built
 * by one scan when an app is first touched. A line torn by a crash is cut off at that scan. Appends are
 * not fsynced: losing the last entries on a power cut only costs their enrichment requests again.
 */
export function fileRunCache(options: { dir: string }): RunCache {
  const apps = new Map<string, Promise<AppFile>>();

  async function openApp(app: string): Promise<AppFile> {
    await mkdir(options.dir, { recursive: true });
    const path = join(options.dir, `${safeSegment(app)}.ndjson`);
    const writer = await open(path, 'a+');
    const reader = await open(path, 'r');
    const { index, size } = await scan(reader);
    const { size: onDisk } = await writer.stat();
    if (onDisk > size) await writer.truncate(size);
    return { path, index, reader, writer, size, queue: Promise.resolve() };
  }

  function appFile(app: string): Promise<AppFile> {
    let file = apps.get(app);
    if (!file) {
      file = openApp(app);
      apps.set(app, file);
      file.catch(() => apps.delete(app));
    }
    return file;
  }

  return {
    async get(app, runId, level) {
      const file = await appFile(app);
      const entry = file.index.get(runId);
      if (!entry) return undefined;
      const buffer = Buffer.alloc(entry.length);
      await file.reader.read(buffer, 0, entry.length, entry.offset);
      try {
        const line = JSON.parse(buffer.toString('utf8')) as { level: EnrichmentLevel; record: RunRecord };
        return coversLevel(line.level, level) ? fitToLevel(line.record, level) : undefined;
      } catch {
        return undefined;
      }
    },
    async put(app, record, level) {
      if (!record.runId) return;
      const file = await appFile(app);
      const line = Buffer.from(`${JSON.stringify({ runId: record.runId, level, record })}\n`, 'utf8');
      const next = file.queue.then(async () => {
        await file.writer.write(line, 0, line.length, null);
        file.index.set(record.runId!, { offset: file.size, length: line.length - 1 });
        file.size += line.length;
      });
      file.queue = next.catch(() => undefined);
      await next;
    },
    async close() {
      const opened = await Promise.allSettled(apps.values());
      apps.clear();
      for (const result of opened) {
        if (result.status !== 'fulfilled') continue;
        await result.value.queue;
        await Promise.all([result.value.reader.close(), result.value.writer.close()]);
      }
    },
  };
}

/** The index of every complete line, and the byte length those lines cover (a torn tail is not counted). */
async function scan(handle: FileHandle): Promise<{ index: Map<string, Entry>; size: number }> {
  const index = new Map<string, Entry>();
  const chunk = Buffer.alloc(SCAN_CHUNK);
  let carry = Buffer.alloc(0);
  let position = 0;
  let lineStart = 0;
  for (;;) {
    const { bytesRead } = await handle.read(chunk, 0, SCAN_CHUNK, position);
    if (bytesRead === 0) break;
    const data = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
    const dataStart = position - carry.length;
    let from = 0;
    for (let newline = data.indexOf(10, from); newline !== -1; newline = data.indexOf(10, from)) {
      const match = RUN_ID.exec(data.subarray(from, Math.min(newline, from + 512)).toString('utf8'));
      if (match)
        index.set(JSON.parse(`"${match[1]!}"`) as string, { offset: dataStart + from, length: newline - from });
      from = newline + 1;
      lineStart = dataStart + from;
    }
    carry = Buffer.from(data.subarray(from));
    position += bytesRead;
  }
  return { index, size: lineStart };
}
