import { packMetadata, unpackMetadata } from '@dify-logs/core/adapter-kit';

const META_PREFIX = 'x-oss-meta-';

/** Request metadata as `x-oss-meta-*` request headers (see `packMetadata`). */
export function toOssMetaHeaders(metadata: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(packMetadata(metadata)).map(([name, value]) => [META_PREFIX + name, value]));
}

/** The request metadata back from response headers (the inverse of `toOssMetaHeaders`). */
export function fromOssMetaHeaders(headers: Record<string, unknown> | undefined): Record<string, string> {
  const entries: Array<[string, string]> = [];
  for (const [header, value] of Object.entries(headers ?? {})) {
    const lower = header.toLowerCase();
    if (lower.startsWith(META_PREFIX) && typeof value === 'string')
      entries.push([lower.slice(META_PREFIX.length), value]);
  }
  return unpackMetadata(entries);
}
