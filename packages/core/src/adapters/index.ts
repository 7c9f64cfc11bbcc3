export type {
  StorageAdapter,
  StorageFactory,
  StorageCapabilities,
  StorageKind,
  SaveRequest,
  StoredObject,
  ListQuery,
  CleanupOptions,
  CleanupResult,
} from './storage.js';
export type {
  Notifier,
  NotifierFactory,
  NotifierCapabilities,
  NotificationMessage,
  NotificationKind,
  NotificationSeverity,
  NotificationReceipt,
} from './notifier.js';
export {
  storageKey,
  kindFolder,
  parseStorageKey,
  safeSegment,
  compactTimestamp,
  assertSafeKey,
  bodyBytes,
  withinAge,
  cleanupCutoff,
  type ParsedKey,
} from './keys.js';
export { memoryStorage } from './memory-storage.js';
export { recordingNotifier, consoleNotifier, renderPlainText } from './notifiers.js';
