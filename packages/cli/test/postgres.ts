import { createServer } from 'node:net';
import pg from 'pg';

/** The PostgreSQL the CLI tests use (the machine's, trust auth), or `PG_URL`. */
export const PG_URL = process.env.PG_URL ?? 'postgres://root@127.0.0.1:5432/test';

/** Why PostgreSQL cannot be used (for a visible skip), or undefined when it answers. */
export async function postgresReason(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.end();
    return undefined;
  } catch (error) {
    return `PostgreSQL at ${PG_URL} does not answer (${(error as Error).message})`;
  }
}

/** A TCP port that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Drops every table of the current schema whose name starts with `prefix`. */
export async function dropTables(prefix: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  const { rows } = await client.query<{ tablename: string }>(
    'SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE $1',
    [`${prefix}%`],
  );
  for (const row of rows) await client.query(`DROP TABLE IF EXISTS "${row.tablename}" CASCADE`);
  await client.end();
}
