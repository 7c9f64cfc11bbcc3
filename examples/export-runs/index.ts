/**
 * Export one day of runs, with run detail and node executions, into an NDJSON file,
 * and print per-status counts and the tokens spent per model.
 *
 *   DIFY_BASE_URL=… DIFY_CONSOLE_EMAIL=… DIFY_CONSOLE_PASSWORD=… DIFY_APP_ID=… \
 *     pnpm --filter dify-logs-examples export-runs
 *
 * Without DIFY_BASE_URL it starts the bundled Dify simulator and exports from it.
 */
import { createDifyClient, exportRuns, type DifyClient } from '@dify-logs/core';
import { createAtomicFileWriter } from '@dify-logs/core/adapter-kit';
import { startSimulator } from '@dify-logs/dify-sim';

async function connect(): Promise<{ client: DifyClient; appId: string; stop: () => Promise<void> }> {
  const { DIFY_BASE_URL, DIFY_CONSOLE_EMAIL, DIFY_CONSOLE_PASSWORD, DIFY_APP_ID } = process.env;
  if (DIFY_BASE_URL && DIFY_CONSOLE_EMAIL && DIFY_CONSOLE_PASSWORD && DIFY_APP_ID) {
    const client = createDifyClient({
      baseUrl: DIFY_BASE_URL,
      console: { email: DIFY_CONSOLE_EMAIL, password: DIFY_CONSOLE_PASSWORD },
    });
    return { client, appId: DIFY_APP_ID, stop: () => client.close() };
  }
  const simulator = await startSimulator({ runsPerApp: 200 });
  const app = simulator.apps.find((candidate) => candidate.mode === 'workflow')!;
  const client = createDifyClient({ baseUrl: simulator.url, console: simulator.account });
  return {
    client,
    appId: app.id,
    stop: async () => {
      await client.close();
      await simulator.close();
    },
  };
}

const { client, appId, stop } = await connect();
const since = new Date(Date.now() - 24 * 3600 * 1000);
const writer = await createAtomicFileWriter('runs.ndjson');
const statuses = new Map<string, number>();
const tokensByModel = new Map<string, number>();
try {
  for await (const run of exportRuns(client, {
    appId,
    createdAfter: since,
    withDetails: true,
    withNodeExecutions: true,
    concurrency: 8,
  })) {
    await writer.write(`${JSON.stringify(run)}\n`);
    statuses.set(run.status ?? 'lost', (statuses.get(run.status ?? 'lost') ?? 0) + 1);
    for (const node of run.nodes ?? []) {
      if (node.modelName)
        tokensByModel.set(node.modelName, (tokensByModel.get(node.modelName) ?? 0) + node.totalTokens);
    }
  }
  await writer.commit();
} catch (error) {
  await writer.abort();
  throw error;
} finally {
  await stop();
}
console.log('runs by status', Object.fromEntries(statuses));
console.log('tokens by model', Object.fromEntries(tokensByModel));
