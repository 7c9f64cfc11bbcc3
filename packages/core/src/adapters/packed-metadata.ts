/**
 * The user-metadata entry (`x-amz-meta-` / `x-oss-meta-dify-logs-metadata`) holding entries plain headers cannot carry.
 */
export const PACKED_METADATA = 'dify-logs-metadata';

/**
 * Header-safe: object stores lower-case metadata names and allow only letters, digits and `-` in them
 * (OSS), or lose names with `_` (OpenStack Swift drops `x-amz-meta-app_name`, nginx drops such headers
 * by default); header values are ASCII without edge spaces.
 */
const PLAIN_NAME = /^[a-z0-9][a-z0-9-]*$/;
const PLAIN_VALUE = /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/;

/**
 * Request metadata as object-store user metadata (names without the store's header prefix). Entries with
 * lower-case names of letters, digits and `-` and printable ASCII values stay plain entries (readable in
 * the store's console); the rest (names with upper-case letters or `_`, non-ASCII text such as Chinese
 * app names, empty values) go into one base64 JSON entry, so every entry reads back exactly as given.
 */
export function packMetadata(metadata: Record<string, string> | undefined): Record<string, string> {
  const plain: Record<string, string> = {};
  const packed: Record<string, string> = {};
  for (const [name, value] of Object.entries(metadata ?? {})) {
    const text = String(value);
    if (name !== PACKED_METADATA && PLAIN_NAME.test(name) && PLAIN_VALUE.test(text)) plain[name] = text;
    else packed[name] = text;
  }
  if (Object.keys(packed).length > 0)
    plain[PACKED_METADATA] = Buffer.from(JSON.stringify(packed), 'utf8').toString('base64');
  return plain;
}

/** The request metadata back from user metadata entries (the inverse of `packMetadata`). */
export function unpackMetadata(entries: Iterable<[string, string]>): Record<string, string> {
  const result: Record<string, string> = {};
  let packed: Record<string, string> = {};
  for (const [name, value] of entries) {
    if (name !== PACKED_METADATA) {
      result[name] = value;
      continue;
    }
    try {
      const parsed: unknown = JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
        packed = Object.fromEntries(
          Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
        );
      }
    } catch {
      result[name] = value;
    }
  }
  return { ...result, ...packed };
}
