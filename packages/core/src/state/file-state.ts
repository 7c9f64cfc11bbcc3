import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { EMPTY_APP_STATE, type AppState, type StateStore } from '../adapters/state.js';
import { DifyConfigError } from '../errors/config-error.js';
import { createAtomicFileWriter } from '../fs/atomic-file.js';
import { fileRunCache } from './file-run-cache.js';

interface StateFile {
  version: 1;
  jobs: Record<string, Record<string, AppState>>;
  documents?: Record<string, unknown>;
}

export interface FileStateStoreOptions {
  /** The state file. */
  path: string;
  /**
   * Folder of the finished-run cache (default: the state file's path without `.json`, plus `.runs`); `false`: no cache.
   */
  runsDir?: string | false;
}

/**
 * Keeps state in one JSON file, replaced atomically (temporary file, fsync, rename) on every commit:
 * a crash leaves either the previous state or the new one. Commits are serialised within the process.
 * Finished runs are cached beside it (`fileRunCache`), so re-runs skip their enrichment requests.
 */
export function fileStateStore(options: FileStateStoreOptions): StateStore {
  let queue: Promise<unknown> = Promise.resolve();
  const runs =
    options.runsDir === false
      ? undefined
      : fileRunCache({ dir: options.runsDir ?? `${options.path.replace(/\.json$/i, '')}.runs` });

  async function load(): Promise<StateFile> {
    let text: string;
    try {
      text = await readFile(options.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, jobs: {} };
      throw error;
    }
    try {
      const parsed = JSON.parse(text) as StateFile;
      if (parsed.version !== 1 || typeof parsed.jobs !== 'object') throw new Error('unknown layout');
      return parsed;
    } catch (error) {
      throw new DifyConfigError(
        'state.path',
        `${options.path} is not a dify-logs state file (${(error as Error).message}); move it away to start over`,
      );
    }
  }

  return {
    name: 'file',
    ...(runs ? { runs } : {}),
    async read(job, app) {
      const file = await load();
      return structuredClone(file.jobs[job]?.[app] ?? { ...EMPTY_APP_STATE, recent: {}, pending: {} });
    },
    commit(job, app, state) {
      return update((file) => {
        file.jobs[job] = { ...file.jobs[job], [app]: structuredClone(state) };
      });
    },
    async readDocument(key) {
      return structuredClone((await load()).documents?.[key]);
    },
    writeDocument(key, value) {
      return update((file) => {
        file.documents = { ...file.documents, [key]: structuredClone(value) };
      });
    },
    async close() {
      await queue;
      await runs?.close?.();
    },
  };

  /** Read, change and replace the file, one change at a time within the process. */
  function update(change: (file: StateFile) => void): Promise<void> {
    const next = queue.then(async () => {
      const file = await load();
      change(file);
      await mkdir(dirname(options.path), { recursive: true });
      const writer = await createAtomicFileWriter(options.path);
      try {
        await writer.write(`${JSON.stringify(file, null, 2)}\n`);
        await writer.commit();
      } catch (error) {
        await writer.abort();
        throw error;
      }
    });
    queue = next.catch(() => undefined);
    return next;
  }
}
