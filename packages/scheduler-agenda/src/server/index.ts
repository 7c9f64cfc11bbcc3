export {
  createPipelineMetrics,
  type PipelineMetrics,
  type PipelineMetricsOptions,
  type FailedPipelineRun,
} from './pipeline-metrics.js';
export { createWorkerServer, type WorkerServer, type WorkerServerOptions } from './worker-server.js';
export type { DashboardAuth } from './auth.js';
export type { ReadinessCheck, ReadinessResult } from './readiness.js';
export { publicMessage } from './redact-message.js';
export { endpointFamily } from './labels.js';
