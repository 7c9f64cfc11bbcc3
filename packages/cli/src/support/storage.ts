import type { StorageAdapter, StorageKind } from '@dify-logs/core/adapter-kit';
import { UsageError } from './exit-codes.js';

export function parseKind(value: string | undefined): StorageKind | undefined {
  if (value === undefined || value === 'report' || value === 'data') return value;
  throw new UsageError(`--kind must be report or data, got ${JSON.stringify(value)}`);
}

/**
 * Where the storage keeps its objects, for messages: `under s3://bucket/prefix/`, `under /srv/outputs`; else its name.
 */
export function storagePlace(storage: StorageAdapter): string {
  return storage.location ? `under ${storage.location}` : `in the ${JSON.stringify(storage.name)} storage`;
}

/** `512 B`, `1.5 KiB`, `12.0 MiB`. */
export function humanSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
