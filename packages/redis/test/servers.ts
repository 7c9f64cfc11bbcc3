import { Redis } from 'ioredis';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Whether the test server answers; the reason when not (tests skip visibly with it). */
export async function reachable(url: string): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    await client.connect();
    await client.ping();
    client.disconnect();
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: `${url.replace(/:[^:@/]*@/, ':***@')} does not answer (${(error as Error).message})` };
  }
}

/** Deletes every key a test made under `prefix`. */
export async function dropPrefix(url: string, prefix: string): Promise<void> {
  const client = new Redis(url);
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length) await client.del(...keys);
  } while (cursor !== '0');
  client.disconnect();
}
