export { createDingtalkNotifier, type DingtalkNotifierOptions } from './dingtalk-notifier.js';
export { escapeMarkdown } from './markdown.js';
export { plugin } from './plugin.js';
