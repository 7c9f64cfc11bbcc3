import { DifyStorageError } from '../errors/storage-error.js';
import type { SaveRequest, StorageKind } from './storage.js';

const UNSAFE = /[^\p{L}\p{N}._-]+/gu;
const MAX_SEGMENT = 80;

/**
 * Makes a name safe as one path segment on every backend: letters (any script), digits, `.`, `_`, `-`;
 * anything else becomes `-`; no leading dots (so no `..` or hidden files); at most 80 characters.
 */
export function safeSegment(value: string): string {
  const cleaned = value
    .normalize('NFC')
    .replace(UNSAFE, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[.-]+/, '')
    .replace(/-+$/, '');
  const short = [...cleaned].slice(0, MAX_SEGMENT).join('');
  return short === '' ? '_' : short;
}

/** `20260302T083512123Z`: sortable, no characters any backend dislikes. */
export function compactTimestamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace('.', '');
}

/** The top folder of a kind: `reports` or `data`. */
export function kindFolder(kind: StorageKind): string {
  return kind === 'report' ? 'reports' : 'data';
}

/**
 * The key of an object: `{reports|data}/{type}/{YYYY}/{MM}/{DD}/{job}-{app}-{timestamp}-{runId}.{extension}`
 * (dates in UTC). Every field is passed through `safeSegment`, so none can leave the adapter's root.
 */
export function storageKey(kind: StorageKind, request: SaveRequest, createdAt: Date): string {
  if (Number.isNaN(createdAt.getTime()))
    throw new DifyStorageError('storage', 'invalid_key', 'createdAt is not a valid date');
  const iso = createdAt.toISOString();
  const extension = safeSegment(request.extension.replace(/^\.+/, '')).toLowerCase();
  const file = [request.job, request.app, compactTimestamp(createdAt), request.runId].map(safeSegment).join('-');
  return (
    `${kindFolder(kind)}/${safeSegment(request.type)}/${iso.slice(0, 4)}` +
    `/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${file}.${extension}`
  );
}

export interface ParsedKey {
  kind: StorageKind;
  type: string;
  createdAt: Date;
}

// The first stamp after the job and app: a run id may hold one too (the CLI's `20261204T165454427Z-ac2457`), and the
// key's creation time is the one before it.
const KEY = /^(reports|data)\/([^/]+)\/\d{4}\/\d{2}\/\d{2}\/[^/]+?-(\d{8}T\d{9}Z)-[^/]+\.[^/.]+$/u;

/** Reads kind, type and creation time back from a key made by `storageKey`; null for any other key. */
export function parseStorageKey(key: string): ParsedKey | null {
  const match = KEY.exec(key);
  if (!match) return null;
  const stamp = match[3]!;
  const createdAt = new Date(
    `${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}` +
      `:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}.${stamp.slice(15, 18)}Z`,
  );
  if (Number.isNaN(createdAt.getTime())) return null;
  return { kind: match[1] === 'reports' ? 'report' : 'data', type: match[2]!, createdAt };
}

/** Rejects keys that could escape a root (`..`, absolute paths, backslashes, NUL) before any I/O. */
export function assertSafeKey(adapter: string, key: string): void {
  if (
    typeof key !== 'string' ||
    key === '' ||
    key.startsWith('/') ||
    key.includes('\\') ||
    key.includes('\0') ||
    key.split('/').some((part) => part === '..' || part === '.' || part === '')
  ) {
    throw new DifyStorageError(adapter, 'invalid_key', `refused key ${JSON.stringify(key)}`, { key });
  }
}

/** Collects a body (string, bytes or async iterable of bytes) into one buffer. */
export async function bodyBytes(body: SaveRequest['body']): Promise<Uint8Array> {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return body;
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  return Buffer.concat(chunks);
}

/** Objects created before this instant are old enough for `cleanup({ olderThanDays, now })` to delete. */
export function cleanupCutoff(options: { olderThanDays: number; now?: Date }): Date {
  return new Date((options.now ?? new Date()).getTime() - options.olderThanDays * 86_400_000);
}

/** Whether an object's creation time passes a list query's age bounds. */
export function withinAge(createdAt: Date, query: { olderThan?: Date; newerThan?: Date }): boolean {
  if (query.olderThan && !(createdAt.getTime() < query.olderThan.getTime())) return false;
  if (query.newerThan && createdAt.getTime() < query.newerThan.getTime()) return false;
  return true;
}
