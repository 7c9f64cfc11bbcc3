/**
 * The embedded default: the daily and weekly reports on one machine, no database. Croner timers in
 * this process, history and pauses in a state file, catch-up of ticks missed while it was down.
 *
 *   pnpm --filter dify-logs-examples cron-scheduler        (the simulator, every 5 s, for 20 s)
 *
 * Move to examples/agenda-scheduler when one machine is not enough (docs/guide/scheduling.md).
 */
import { createDifyClient } from '@dify-logs/core';
import { fileStateStore, runPipeline } from '@dify-logs/core/pipeline';
import type { Deployment } from '@dify-logs/core/adapter-kit';
import { startSimulator } from '@dify-logs/dify-sim';
import { createCronScheduler } from '@dify-logs/scheduler-cron';
import { createLocalStorage } from '@dify-logs/storage-local';

const simulator = await startSimulator({ runsPerApp: 200, now: new Date().toISOString(), days: 8 });
const app = simulator.apps.find((candidate) => candidate.mode === 'workflow')!;
const client = createDifyClient({
  baseUrl: simulator.url,
  apiKey: app.apiKey,
  appId: app.id,
  console: simulator.account,
});
const storage = createLocalStorage({ baseDir: './reports' });
const state = fileStateStore({ path: './reports/.dify-logs-state.json' });

// In production: '0 2 * * *' and '0 3 * * 1'; here every few seconds so something happens.
const deployments: Deployment[] = [
  {
    name: 'daily-report',
    job: 'daily',
    schedule: '*/5 * * * * *',
    timezone: 'Asia/Shanghai',
    parameters: { from: '{{yesterday}}', to: '{{today}}' },
  },
  {
    name: 'weekly-report',
    job: 'weekly',
    schedule: '3-59/10 * * * * *',
    timezone: 'Asia/Shanghai',
    parameters: { from: '{{last_week}}', to: '{{this_week}}' },
  },
];
const scheduler = createCronScheduler({ state });
await scheduler.define(deployments, async (deployment, context) => {
  const result = await runPipeline(
    {
      name: deployment.job,
      apps: [{ id: app.id, client }],
      window: { mode: 'explicit', from: String(context.parameters.from), to: String(context.parameters.to) },
      timezone: deployment.timezone ?? 'UTC',
      fetch: { withNodeExecutions: true },
      report: { type: deployment.job },
    },
    { storage, state, now: () => context.scheduledFor },
  );
  const reports = result.reports.map((report) => report.location).join(', ');
  console.log(`${deployment.name}: ${result.status}, ${result.analysis?.runs ?? 0} runs → ${reports}`);
  return { status: result.status, summary: { runs: result.analysis?.runs ?? 0 } };
});
await scheduler.start();
for (const deployment of deployments)
  console.log(
    `${deployment.name} next: ${scheduler
      .next(deployment.name, 2)
      .map((tick) => tick.toISOString())
      .join(', ')}`,
  );

const stop = async () => {
  await scheduler.stop({ drainMs: 60_000 });
  console.log(`history: ${(await scheduler.runs({ limit: 100 })).length} runs`);
  await client.close();
  await simulator.close();
};
process.once('SIGINT', () => void stop());
setTimeout(() => void stop(), Number(process.env.FOR_SECONDS ?? 20) * 1000);
