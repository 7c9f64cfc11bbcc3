export {
  consoleLogsUrl,
  explorerLinks,
  explorerMessageLinks,
  type ExplorerLinks,
  type ExplorerFilter,
} from './explorer-links.js';
export { createAnalyzer, type Analyzer, type AnalyzerOptions } from './analyzer.js';
export { compareAnalyses, DEFAULT_ANOMALY_THRESHOLDS, type AnomalyThresholds } from './compare.js';
export { createPricer, type PriceRule, type PriceTable, type Pricer } from './prices.js';
export { errorSignature } from './signature.js';
export { SKETCH_ACCURACY } from './latency.js';
export { mainCurrency } from './money.js';
export { snapshotAnalyzer, restoreAnalyzer, type AnalyzerSnapshot } from './snapshot.js';
export { createConversationAnalyzer, type ConversationAnalyzer, type MessageFacts } from './conversations.js';
