/** The user-metadata entry (`x-oss-meta-dify-logs-metadata`) holding entries plain headers cannot carry. */
export const PACKED_METADATA = 'dify-logs-metadata';

const META_PREFIX = 'x-oss-meta-';

/**
 * Header-safe: OSS allows only letters, digits and `-` in user-metadata names and lower-cases them;
 * header values are ASCII without edge spaces.
 */
const PLAIN_NAME = /^[a-z0-9][a-z0-9-]*$/;
const PLAIN_VALUE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

/**
 * Request metadata as `x-oss-meta-*` request headers. Entries with lower-case names of letters, digits
 * and `-` and printable ASCII values become plain `x-oss-meta-<name>` headers (readable in the OSS
 * console); the rest (names with upper-case letters or `_`, non-ASCII text such as Chinese app names,
 * empty values) go into one base64 JSON entry, so every entry reads back exactly as it was given.
 */
export function toOssMetaHeaders(metadata: Record<string, string> | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  const packed: Record<string, string> = {};
  for (const [name, value] of Object.entries(metadata ?? {})) {
    const text = String(value);
    if (name !== PACKED_METADATA && PLAIN_NAME.test(name) && PLAIN_VALUE.test(text)) headers[META_PREFIX + name] = text;
    else packed[name] = text;
  }
  if (Object.keys(packed).length > 0) headers[META_PREFIX + PACKED_METADATA] = Buffer.from(JSON.stringify(packed), 'utf8').toString('base64');
  return headers;
}

/** The request metadata back from response headers (the inverse of `toOssMetaHeaders`). */
export function fromOssMetaHeaders(headers: Record<string, unknown> | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  let packed: Record<string, string> = {};
  for (const [header, value] of Object.entries(headers ?? {})) {
    const lower = header.toLowerCase();
    if (!lower.startsWith(META_PREFIX) || typeof value !== 'string') continue;
    const name = lower.slice(META_PREFIX.length);
    if (name !== PACKED_METADATA) {
      result[name] = value;
      continue;
    }
    try {
      const parsed: unknown = JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        packed = Object.fromEntries(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
      }
    } catch {
      result[name] = value;
    }
  }
  return { ...result, ...packed };
}
