import { constants } from 'node:fs';
import { access, mkdir, readdir, readFile, rm, rmdir, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import {
  DifyConfigError,
  DifyStorageError,
  type CleanupOptions,
  type ListQuery,
  type SaveRequest,
  type StorageAdapter,
  type StorageKind,
  type StoredObject,
} from '@dify-logs/core';
import {
  assertSafeKey,
  cleanupCutoff,
  createAtomicFileWriter,
  kindFolder,
  safeSegment,
  parseStorageKey,
  storageKey,
  withinAge,
} from '@dify-logs/core/adapter-kit';

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

  function pathOf(key: string): string {
    assertSafeKey(name, key);
    const path = resolve(root, key);
    if (!path.startsWith(root + sep))
      throw new DifyStorageError(name, 'invalid_key', `key ${JSON.stringify(key)} leaves ${root}`, { key });
    return path;
  }

  function failure(error: unknown, action: string, key: string): DifyStorageError {
    if (DifyStorageError.isInstance(error)) return error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return new DifyStorageError(name, 'not_found', `no object at ${key}`, { key, cause: error });
    if (code === 'EEXIST')
      return new DifyStorageError(name, 'already_exists', `${key} exists; reports are never overwritten`, {
        key,
        cause: error,
      });
    return new DifyStorageError(
      name,
      'storage_failed',
      `could not ${action} ${key} (${code ?? (error as Error).message})`,
      { key, cause: error },
    );
  }

  async function save(kind: StorageKind, request: SaveRequest): Promise<StoredObject> {
    const createdAt = request.createdAt ?? new Date();
    const key = storageKey(kind, request, createdAt);
    const path = pathOf(key);
    try {
      await mkdir(dirname(path), { recursive: true }).catch(async (error: unknown) => {
        // A recursive mkdir reports ENOENT for what is really a read-only disk or a missing base folder: say which.
        const reason = await access(root, constants.W_OK).then(
          () => (error as NodeJS.ErrnoException).code ?? 'unknown',
          (rootError: NodeJS.ErrnoException) => rootError.code ?? 'unknown',
        );
        throw new DifyStorageError(
          name,
          'storage_failed',
          `could not save ${key}: cannot create its folder under ${root} (${reason}${reason === 'EROFS' ? ': the file system is read-only' : reason === 'ENOENT' ? ': the base folder is gone' : ''})`,
          { key, cause: error },
        );
      });
      if (await exists(path))
        throw new DifyStorageError(name, 'already_exists', `${key} exists; reports are never overwritten`, { key });
      const writer = await createAtomicFileWriter(path, { noOverwrite: true });
      try {
        const body = request.body;
        if (typeof body === 'string' || body instanceof Uint8Array) await writer.write(body);
        else for await (const chunk of body) await writer.write(chunk);
        const sidecar: Sidecar = {
          contentType: request.contentType,
          metadata: { ...request.metadata },
          size: writer.bytesWritten,
        };
        await writeSidecar(path, sidecar);
        await writer.commit();
      } catch (error) {
        await writer.abort();
        throw error;
      }
      const size = (await stat(path)).size;
      return {
        key,
        kind,
        type: safeSegment(request.type),
        contentType: request.contentType,
        size,
        createdAt: createdAt.toISOString(),
        metadata: { ...request.metadata },
        location: path,
      };
    } catch (error) {
      throw failure(error, 'save', key);
    }
  }

  async function describe(key: string, path: string): Promise<StoredObject | undefined> {
    const parsed = parseStorageKey(key);
    if (!parsed) return undefined;
    const sidecar = await readSidecar(path);
    const size = sidecar?.size ?? (await stat(path)).size;
    return {
      key,
      kind: parsed.kind,
      type: parsed.type,
      contentType: sidecar?.contentType ?? 'application/octet-stream',
      size,
      createdAt: parsed.createdAt.toISOString(),
      metadata: sidecar?.metadata ?? {},
      location: path,
    };
  }

  async function collect(query: ListQuery): Promise<StoredObject[]> {
    const kinds: StorageKind[] = query.kind ? [query.kind] : ['report', 'data'];
    const found: StoredObject[] = [];
    for (const kind of kinds) {
      const base = query.type ? `${kindFolder(kind)}/${safeSegment(query.type)}` : kindFolder(kind);
      for await (const key of walk(root, base)) {
        const object = await describe(key, join(root, key)).catch(() => undefined);
        if (
          object &&
          (!query.type || object.type === safeSegment(query.type)) &&
          withinAge(new Date(object.createdAt), query)
        )
          found.push(object);
      }
    }
    return found.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.key.localeCompare(a.key));
  }

  async function remove(key: string): Promise<boolean> {
    const path = pathOf(key);
    try {
      await unlink(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw failure(error, 'delete', key);
    }
    await rm(path + SIDECAR, { force: true });
    await pruneEmptyFolders(dirname(path), root);
    return true;
  }

  return {
    name,
    location: root,
    capabilities: { signedUrls: false, versioning: false },
    saveReport: (request) => save('report', request),
    saveData: (request) => save('data', request),
    async read(key) {
      const path = pathOf(key);
      try {
        return new Uint8Array(await readFile(path));
      } catch (error) {
        throw failure(error, 'read', key);
      }
    },
    async *list(query = {}) {
      yield* await collect(query);
    },
    delete: remove,
    async cleanup(options: CleanupOptions) {
      const cutoff = cleanupCutoff(options);
      const deleted: string[] = [];
      for (const object of await collect({ kind: options.kind, type: options.type, olderThan: cutoff })) {
        if (await remove(object.key)) deleted.push(object.key);
      }
      // Temporary files of saves a crash interrupted: never objects, removed once a day old.
      await removeStaleTemporaryFiles(root, (options.now ?? new Date()).getTime() - DAY);
      return { deleted };
    },
  };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
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
