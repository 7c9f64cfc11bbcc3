export { testStorageAdapter, type StorageSuiteOptions, type StorageSuiteGroup } from './storage-suite.js';
export { testNotifier, sampleMessage, type NotifierSuiteOptions } from './notifier-suite.js';
export { memoryStorage, recordingNotifier } from '../adapters/index.js';
export { testScheduler, type SchedulerSuiteOptions } from './scheduler-suite.js';
export { testStateStore, type StateSuiteOptions, type StateSuiteGroup } from './state-suite.js';
export { testSink, type SinkSuiteOptions, type SinkCounts, type SinkRunView } from './sink-suite.js';
export type { SinkConversationView, ConversationSuiteOptions } from './sink-conversation-suite.js';
export { sampleRun, sampleNode, sampleChatMessage, sampleConversation } from './sink-samples.js';
export type { TestRunner, RunnerTest, RunnerTestContext, RunnerMatchers } from './runner.js';
