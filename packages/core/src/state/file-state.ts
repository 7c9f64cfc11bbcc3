import { mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { EMPTY_APP_STATE, type AppState, type StateStore } from '../adapters/state.js';
import { DifyConfigError } from '../errors/config-error.js';
import { createAtomicFileWriter } from '../fs/atomic-file.js';

interface StateFile {
  version: 1;
  jobs: Record<string, Record<string, AppState>>;
}

/**
 * Keeps state in one JSON file, replaced atomically (temporary file, fsync, rename) on every commit:
 * a crash leaves either the previous state or the new one. Commits are serialised within the process.
 */
export function fileStateStore(options: { path: string }): StateStore {
  let queue: Promise<unknown> = Promise.resolve();

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
      throw new DifyConfigError('state.path', `${options.path} is not a dify-logs state file (${(error as Error).message}); move it away to start over`);
    }
  }

  return {
    name: 'file',
    async read(job, app) {
      const file = await load();
      return structuredClone(file.jobs[job]?.[app] ?? { ...EMPTY_APP_STATE, recent: {}, pending: {} });
    },
    commit(job, app, state) {
      const next = queue.then(async () => {
        const file = await load();
        file.jobs[job] = { ...file.jobs[job], [app]: structuredClone(state) };
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
    },
  };
}
