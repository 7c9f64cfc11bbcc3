export { createWecomNotifier, type WecomNotifierOptions } from './wecom-notifier.js';
export { escapeMarkdown } from './markdown.js';
export { plugin } from './plugin.js';
