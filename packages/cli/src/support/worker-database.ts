import type { AgendaDatabase } from '@dify-logs/scheduler-agenda';
import { UsageError } from './exit-codes.js';
import type { RunSession } from './run-session.js';

type AgendaPackage = typeof import('@dify-logs/scheduler-agenda');

/**
 * Opens `worker.databaseUrl` and moves the session's pipeline state onto it, so every worker shares
 * the watermarks, alert state and run cache.
 */
export async function openWorkerDatabase(session: RunSession, agendaPackage: AgendaPackage): Promise<AgendaDatabase> {
  const { worker } = session.config;
  if (!worker.databaseUrl) {
    throw new UsageError(
      'worker.databaseUrl is not set: set DIFY_LOGS_DATABASE_URL (or MONGODB_URL) to mongodb://…, postgres://… or redis://… — the workers share jobs, locks, state and run history there. On one machine without a database, `dify-logs schedule start` runs the same deployments.',
    );
  }
  const database = await agendaPackage.openAgendaDatabase(worker.databaseUrl, worker.prefix ? { prefix: worker.prefix } : {});
  await session.deps.state.close?.();
  session.deps.state = database.state;
  return database;
}
