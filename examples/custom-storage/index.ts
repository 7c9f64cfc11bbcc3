/**
 * A custom StorageAdapter written by following docs/writing-an-adapter.md: every object (its bytes as
 * base64, its content type and metadata) lives in ONE JSON file, rewritten atomically on each change. It is a
 * driver for `createObjectStorage`, which adds what every adapter shares (keys, listing order, cleanup, errors).
 *
 *   const storage = createJsonFileStorage({ file: './outputs/objects.json' });
 *   await storage.saveReport({ type: 'daily', job: 'nightly', app: 'triage', runId: 'run-1',
 *     extension: 'md', contentType: 'text/markdown', body: '# Daily report\n' });
 *
 * Good for small volumes and one process at a time: the whole file is read on first use and rewritten
 * on every save, delete and cleanup.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { DifyConfigError, DifyStorageError, silentLogger, type Logger } from '@dify-logs/core';
import type { StorageAdapter } from '@dify-logs/core/adapter-kit';
import {
  configValues,
  createAtomicFileWriter,
  createObjectStorage,
  definePlugin,
  z,
} from '@dify-logs/core/adapter-kit';

export interface JsonFileStorageOptions {
  /** The JSON file holding every object (created, with its folder, on the first save). */
  file: string;
  /** Name in errors and logs (default `json-file`). */
  name?: string;
  /** pino-compatible; silent by default. */
  logger?: Logger;
}

/** One stored object: its content type, metadata and bytes. */
interface Entry {
  contentType: string;
  metadata: Record<string, string>;
  /** The bytes, base64. */
  body: string;
}

/** File-system errors worth trying again: busy, out of descriptors, interrupted. */
const TRANSIENT = new Set(['EAGAIN', 'EBUSY', 'EMFILE', 'ENFILE', 'EINTR', 'ETIMEDOUT']);

export function createJsonFileStorage(options: JsonFileStorageOptions): StorageAdapter {
  // Validate options without touching the disk: no I/O at creation.
  if (typeof options?.file !== 'string' || options.file.trim() === '') throw new DifyConfigError('file', 'is required');
  const { file } = options;
  const name = options.name ?? 'json-file';
  const logger = (options.logger ?? silentLogger).child({ adapter: name });

  /** Every object by key; undefined until first use. Replaced (never mutated) once a write is committed. */
  let objects: Map<string, Entry> | undefined;
  let loading: Promise<Map<string, Entry>> | undefined;
  /** Changes run one at a time, so two saves of one key cannot both pass the existence check. */
  let queue: Promise<unknown> = Promise.resolve();

  function exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  }

  function failure(error: unknown, action: string, key?: string): DifyStorageError {
    if (DifyStorageError.isInstance(error)) return error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code ?? (error instanceof Error ? error.message : String(error));
    // The message names the file and the action, never the bytes or metadata values.
    return new DifyStorageError(name, 'storage_failed', `could not ${action} (${reason})`, {
      key,
      cause: error,
      isRetryable: code !== undefined && TRANSIENT.has(code),
    });
  }

  async function load(): Promise<Map<string, Entry>> {
    if (objects) return objects;
    loading ??= readEntries().finally(() => {
      loading = undefined;
    });
    const loaded = await loading;
    objects ??= loaded;
    return objects;
  }

  async function readEntries(): Promise<Map<string, Entry>> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw failure(error, `read ${file}`);
    }
    try {
      const parsed = JSON.parse(text) as { objects: Record<string, Entry> };
      logger.debug({ file, objects: Object.keys(parsed.objects).length }, 'loaded');
      return new Map(Object.entries(parsed.objects));
    } catch (error) {
      throw new DifyStorageError(name, 'storage_failed', `${file} is not a storage file`, { cause: error });
    }
  }

  /** Writes the whole file atomically: readers see the old file or the new one, never half of one. */
  async function persist(next: Map<string, Entry>, action: string, key?: string): Promise<void> {
    try {
      await mkdir(dirname(file), { recursive: true });
      const writer = await createAtomicFileWriter(file);
      try {
        await writer.write('{"version":1,"objects":{');
        let first = true;
        for (const [entryKey, entry] of next) {
          await writer.write(`${first ? '' : ','}\n${JSON.stringify(entryKey)}:${JSON.stringify(entry)}`);
          first = false;
        }
        await writer.write('\n}}\n');
        await writer.commit();
      } catch (error) {
        await writer.abort();
        throw error;
      }
    } catch (error) {
      throw failure(error, `${action} in ${file}`, key);
    }
    objects = next;
  }

  async function remove(keys: string[]): Promise<string[]> {
    return exclusive(async () => {
      const current = await load();
      const present = keys.filter((key) => current.has(key));
      if (present.length === 0) return [];
      const next = new Map(current);
      for (const key of present) next.delete(key);
      await persist(next, 'delete', present.length === 1 ? present[0] : undefined);
      return present;
    });
  }

  // What differs from any other store; createObjectStorage adds keys, listing order, cleanup and error wording.
  return createObjectStorage({
    name,
    location: file,
    capabilities: { signedUrls: false, versioning: false },
    locate: (key) => `${file}#${key}`,
    async head(key) {
      const entry = (await load()).get(key);
      return (
        entry && {
          contentType: entry.contentType,
          size: Buffer.byteLength(entry.body, 'base64'),
          metadata: { ...entry.metadata },
        }
      );
    },
    async put(key, body, { contentType, metadata }) {
      // A body that fails midway throws here, before anything is written: its error reaches the caller unchanged.
      const chunks: Buffer[] = [];
      for (let chunk = await body.next(); chunk; chunk = await body.next()) chunks.push(chunk);
      const bytes = Buffer.concat(chunks);
      return exclusive(async () => {
        const current = await load();
        if (current.has(key)) throw Object.assign(new Error(`${key} exists`), { code: 'EEXIST' });
        const entry: Entry = { contentType, metadata: { ...metadata }, body: bytes.toString('base64') };
        await persist(new Map(current).set(key, entry), 'save', key);
        logger.debug({ key, size: bytes.byteLength }, 'saved');
        return bytes.byteLength;
      });
    },
    async get(key) {
      const entry = (await load()).get(key);
      return entry && new Uint8Array(Buffer.from(entry.body, 'base64'));
    },
    async *listFolder(folder) {
      for (const key of (await load()).keys()) if (key.startsWith(folder)) yield key;
    },
    deleteOne: async (key) => (await remove([key])).length > 0,
    deleteMany: remove,
    /** Waits for changes in flight and forgets the cache. There is no client or handle to release. */
    async close() {
      await queue;
      objects = undefined;
    },
    isAlreadyExists: (error) => (error as NodeJS.ErrnoException).code === 'EEXIST',
    failure,
  });
}

/**
 * The plugin: how a configuration selects this storage (`storage.type: json`, section `storage.json`), the variable
 * that fills its one key, and how the runtime creates it. Registering it is all `createDifyLogs` needs:
 *
 *   createDifyLogs({ plugins: [plugin], config: { storage: { type: 'json', json: { file: './objects.json' } }, … } })
 */
export const jsonSection = z.strictObject({ file: configValues.nonEmpty });

export const plugin = definePlugin({
  kind: 'storage',
  type: 'json',
  description: 'every object in one JSON file',
  schema: jsonSection,
  env: [
    {
      name: 'JSON_STORAGE_FILE',
      key: 'storage.json.file',
      description: 'the JSON file of the json storage',
      required: true,
    },
  ],
  create: (section: z.output<typeof jsonSection>, context) =>
    createJsonFileStorage({ file: resolve(context.cwd, section.file), logger: context.logger }),
});
