export { createFeishuNotifier, MAX_BODY_BYTES, type FeishuNotifierOptions } from './feishu-notifier.js';
export { escapeMarkdown } from './markdown.js';
export { plugin } from './plugin.js';
