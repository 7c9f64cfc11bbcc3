export {
  type DifyLogsPlugin,
  type PluginKind,
  type PluginContext,
  type StoragePlugin,
  type NotifierPlugin,
  type SinkPlugin,
  type FormatPlugin,
  type FormatProduct,
  type SchedulerPlugin,
  type ServicePlugin,
  type DatabasePlugin,
} from './types.js';
export { createPluginRegistry, type PluginRegistry, type PluginsOption } from './registry.js';
