export {
  createDifyLogs,
  type DifyLogs,
  type DifyLogsOptions,
  type RunOverrides,
  type ReportOptions,
} from './create-runtime.js';
export type { ArchiveEdits } from './archive-edits.js';
export { formatReporters, registeredArchiveFormats, type RuntimeDeps } from './deps.js';
