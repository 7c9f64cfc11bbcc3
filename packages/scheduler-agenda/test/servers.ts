import { Redis } from 'ioredis';
import pg from 'pg';

export const PG_URL = process.env.PG_URL ?? 'postgres://root@127.0.0.1:5432/test';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Whether a test server answers; the reason when not (tests skip visibly with it). */
export async function reachable(url: string): Promise<{ ok: true } | { ok: false; reason: string }> {
  try {
    if (url.startsWith('redis')) {
      const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      await client.connect();
      await client.ping();
      client.disconnect();
    } else {
      const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
      await client.connect();
      await client.end();
    }
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: `${url.replace(/:[^:@/]*@/, ':***@')} does not answer (${(error as Error).message})` };
  }
}

/** Deletes every table or key a test made under `prefix`. */
export async function dropPrefix(url: string, prefix: string): Promise<void> {
  if (url.startsWith('redis')) {
    const client = new Redis(url);
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await client.del(...keys);
    } while (cursor !== '0');
    client.disconnect();
    return;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ tablename: string }>(
    'SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE $1',
    [`${prefix.replace(/_/g, '\\_')}%`],
  );
  for (const row of rows) await client.query(`DROP TABLE IF EXISTS "${row.tablename}" CASCADE`);
  await client.end();
}
