export {
  createDifyLogs,
  type DifyLogs,
  type DifyLogsOptions,
  type RunOverrides,
  type ReportOptions,
} from './create-runtime.js';
export { configuredDeployments, deploymentWindow } from './deployments.js';
export { resolveApps } from './apps.js';
export { toPipelineJob } from './pipeline-job.js';
export { formatReporters, registeredArchiveFormats, type RuntimeDeps } from './deps.js';
