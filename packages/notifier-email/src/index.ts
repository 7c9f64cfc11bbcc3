export { createEmailNotifier } from './email-notifier.js';
export { emailNotifierFromEnv, emailOptionsFromEnv } from './from-env.js';
export { renderEmail, renderSubject, escapeHtml, type RenderedEmail } from './render-email.js';
export type { EmailNotifierOptions, AttachReportsOptions } from './options.js';
export { plugin } from './plugin.js';
