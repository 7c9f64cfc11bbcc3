import { constants } from 'node:fs';
import { access, mkdir, readdir, readFile, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { DifyConfigError, DifyStorageError } from '@dify-logs/core';
import type { StorageAdapter } from '@dify-logs/core/adapter-kit';
import { createAtomicFileWriter, createObjectStorage } from '@dify-logs/core/adapter-kit';

export interface LocalStorageOptions {
  /** Root folder of reports and data (created on the first save). */
  baseDir: string;
  /** Name in errors and logs (default `local`). */
  name?: string;
}

interface Sidecar {
  contentType: string;
  metadata: Record<string, string>;
  size: number;
}

const DAY = 86_400_000;
const SIDECAR = '.meta.json';

const errorCode = (error: unknown) => (error as NodeJS.ErrnoException | undefined)?.code;

/**
 * Stores reports and data as files under `baseDir`, named by `storageKey()`:
 * `reports/daily/2026/03/02/nightly-app-20260302T083512345Z-run-1.md`, with content type and
 * metadata in a `….meta.json` file beside each object. Writes go to a hidden temporary file that is
 * fsynced and then hard-linked into place, so an object is either complete or absent, and an existing
 * object is never replaced.
 */
export function createLocalStorage(options: LocalStorageOptions): StorageAdapter {
  if (typeof options?.baseDir !== 'string' || options.baseDir.trim() === '') {
    throw new DifyConfigError('baseDir', 'is required: the folder reports and data go to');
  }
  const name = options.name ?? 'local';
  const root = resolve(options.baseDir);
  const locate = (key: string) => join(root, key);

  /** A recursive mkdir reports ENOENT for what is really a read-only disk or a missing base folder: says which. */
  async function makeFolder(key: string, path: string): Promise<void> {
    await mkdir(dirname(path), { recursive: true }).catch(async (error: unknown) => {
      const reason = await access(root, constants.W_OK).then(
        () => errorCode(error) ?? 'unknown',
        (rootError: unknown) => errorCode(rootError) ?? 'unknown',
      );
      const why =
        reason === 'EROFS' ? ': the file system is read-only' : reason === 'ENOENT' ? ': the base folder is gone' : '';
      throw new DifyStorageError(
        name,
        'storage_failed',
        `could not save ${key}: cannot create its folder under ${root} (${reason}${why})`,
        { key, cause: error },
      );
    });
  }

  return createObjectStorage({
    name,
    location: root,
    capabilities: { signedUrls: false, versioning: false },
    locate,
    objectKeyOf(key) {
      if (!resolve(root, key).startsWith(root + sep))
        throw new DifyStorageError(name, 'invalid_key', `key ${JSON.stringify(key)} leaves ${root}`, { key });
      return key;
    },
    async head(key) {
      const path = locate(key);
      let size: number;
      try {
        size = (await stat(path)).size;
      } catch (error) {
        if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return undefined;
        throw error;
      }
      const sidecar = await readSidecar(path);
      return { contentType: sidecar?.contentType, size: sidecar?.size ?? size, metadata: sidecar?.metadata ?? {} };
    },
    async put(key, body, { contentType, metadata }) {
      const path = locate(key);
      await makeFolder(key, path);
      const writer = await createAtomicFileWriter(path, { noOverwrite: true });
      let sidecar = false;
      try {
        for (let chunk = await body.next(); chunk; chunk = await body.next()) await writer.write(chunk);
        await writeSidecar(path, { contentType, metadata: { ...metadata }, size: writer.bytesWritten });
        sidecar = true;
        await writer.commit();
      } catch (error) {
        await writer.abort();
        // A sidecar without its object (the disk filled up at the commit) would outlive the failed save.
        if (sidecar) await rm(path + SIDECAR, { force: true });
        throw error;
      }
      return (await stat(path)).size;
    },
    async get(key) {
      try {
        return new Uint8Array(await readFile(locate(key)));
      } catch (error) {
        if (errorCode(error) === 'ENOENT') return undefined;
        throw error;
      }
    },
    listFolder: (folder) => walk(root, folder.replace(/\/$/, '')),
    async deleteOne(key) {
      const path = locate(key);
      try {
        await unlink(path);
      } catch (error) {
        if (errorCode(error) === 'ENOENT') return false;
        throw error;
      }
      await rm(path + SIDECAR, { force: true });
      await pruneEmptyFolders(dirname(path), root);
      return true;
    },
    // Temporary files of saves a crash interrupted: never objects, removed once a day old.
    afterCleanup: (now) => removeStaleTemporaryFiles(root, now.getTime() - DAY),
    isAlreadyExists: (error) => errorCode(error) === 'EEXIST',
    failure: (error, action, key) =>
      new DifyStorageError(
        name,
        'storage_failed',
        `could not ${action} ${key === undefined ? root : locate(key)}` +
          ` (${errorCode(error) ?? (error as Error).message})`,
        { key, cause: error },
      ),
  });
}

async function writeSidecar(path: string, sidecar: Sidecar): Promise<void> {
  const writer = await createAtomicFileWriter(path + SIDECAR);
  await writer.write(JSON.stringify(sidecar));
  await writer.commit();
}

async function readSidecar(path: string): Promise<Sidecar | undefined> {
  try {
    return JSON.parse(await readFile(path + SIDECAR, 'utf8')) as Sidecar;
  } catch {
    return undefined;
  }
}

/** Yields the keys of object files below `root/base` (no sidecars, no hidden temporary files). */
async function* walk(root: string, base: string): AsyncGenerator<string> {
  let entries;
  try {
    entries = await readdir(join(root, base), { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const key = `${base}/${entry.name}`;
    if (entry.isDirectory()) yield* walk(root, key);
    else if (entry.isFile() && !entry.name.endsWith(SIDECAR)) yield key;
  }
}

async function removeStaleTemporaryFiles(folder: string, olderThanMs: number): Promise<void> {
  let entries;
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) await removeStaleTemporaryFiles(path, olderThanMs);
    else if (entry.isFile() && entry.name.startsWith('.') && entry.name.endsWith('.tmp')) {
      const info = await stat(path).catch(() => undefined);
      if (info && info.mtimeMs < olderThanMs) await rm(path, { force: true });
    }
  }
}

/** Removes empty date folders up to (not including) the root. */
async function pruneEmptyFolders(folder: string, root: string): Promise<void> {
  let current = folder;
  while (current.startsWith(root + sep) && current !== root) {
    try {
      await rmdir(current);
    } catch {
      return;
    }
    current = dirname(current);
  }
}
