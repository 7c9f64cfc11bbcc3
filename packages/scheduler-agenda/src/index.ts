export { createAgendaScheduler, type AgendaScheduler, type AgendaSchedulerOptions } from './agenda-scheduler.js';
export {
  openAgendaDatabase,
  databaseKind,
  databaseScheme,
  DATABASE_PACKAGES,
  type AgendaDatabase,
  type DatabaseKind,
  type DatabaseOptions,
  type DatabasePlugins,
} from './database.js';
export type { AgendaRun } from './plan.js';
export * from './state/index.js';
export * from './server/index.js';
export { plugin, workerSection, NO_DATABASE, type WorkerSection } from './plugin.js';
export { startWorker, type StartWorkerOptions, type RunningWorker, type WorkerParts } from './worker.js';
