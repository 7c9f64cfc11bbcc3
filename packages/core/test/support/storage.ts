import { gunzipSync } from 'node:zlib';
import type { StorageAdapter } from '../../src/adapter-kit.js';

/** Every stored data object's text (gzip parts unzipped), by key: what a test checks no object still holds. */
export async function storedTexts(storage: StorageAdapter): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for await (const object of storage.list({ kind: 'data' })) {
    const bytes = Buffer.from(await storage.read(object.key));
    found.set(object.key, object.key.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8'));
  }
  return found;
}
