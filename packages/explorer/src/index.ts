export {
  createExplorer,
  serveExplorer,
  serveConfig,
  type Explorer,
  type ExplorerOptions,
  type ServeOverrides,
} from './explorer.js';
export { plugin, serveSection, type ServeSection } from './plugin.js';
export type { RefreshResult, IndexSource } from './index/load.js';
export type { RunFilter } from './query/filters.js';
export type { RunPage, RunSummary } from './query/runs.js';
export type { ConversationFilter, ConversationPage, Transcript } from './query/conversations.js';
export type { Stats, StatsRow, StatsGroup } from './query/stats.js';
