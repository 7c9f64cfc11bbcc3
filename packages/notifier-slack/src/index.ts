export { createSlackNotifier, type SlackNotifierOptions } from './slack-notifier.js';
export { escapeMrkdwn } from './mrkdwn.js';
export { plugin } from './plugin.js';
