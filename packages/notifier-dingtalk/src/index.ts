export { createDingtalkNotifier, type DingtalkNotifierOptions } from './dingtalk-notifier.js';
export { escapeMarkdown } from './markdown.js';
