/** The user-metadata entry (`x-amz-meta-dify-logs-metadata`) holding entries plain headers cannot carry. */
export const PACKED_METADATA = 'dify-logs-metadata';

/**
 * Header-safe: S3 lower-cases metadata names; underscores are dropped or rewritten by some servers and
 * proxies (OpenStack Swift loses `x-amz-meta-app_name`, nginx drops such headers by default); header
 * values are ASCII without edge spaces.
 */
const PLAIN_NAME = /^[a-z0-9][a-z0-9-]*$/;
const PLAIN_VALUE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

/**
 * Request metadata as S3 user metadata. Entries with lower-case names of letters, digits and `-` and
 * printable ASCII values become plain `x-amz-meta-<name>` headers (readable in any S3 console); the
 * rest (names with upper-case letters or `_`, non-ASCII text such as Chinese app names, empty values)
 * go into one base64 JSON entry, so every entry reads back exactly as it was given.
 */
export function toS3Metadata(metadata: Record<string, string> | undefined): Record<string, string> {
  const plain: Record<string, string> = {};
  const packed: Record<string, string> = {};
  for (const [name, value] of Object.entries(metadata ?? {})) {
    const text = String(value);
    if (name !== PACKED_METADATA && PLAIN_NAME.test(name) && PLAIN_VALUE.test(text)) plain[name] = text;
    else packed[name] = text;
  }
  if (Object.keys(packed).length > 0) plain[PACKED_METADATA] = Buffer.from(JSON.stringify(packed), 'utf8').toString('base64');
  return plain;
}

/** The request metadata back from S3 user metadata (the inverse of `toS3Metadata`). */
export function fromS3Metadata(metadata: Record<string, string> | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  let packed: Record<string, string> = {};
  for (const [name, value] of Object.entries(metadata ?? {})) {
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
