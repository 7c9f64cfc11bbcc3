export { createWebhookNotifier, type WebhookNotifierOptions, type WebhookPayload } from './webhook-notifier.js';
export {
  verifyWebhookSignature,
  signWebhookBody,
  TIMESTAMP_HEADER,
  SIGNATURE_HEADER,
  type VerifyWebhookOptions,
  type SignWebhookOptions,
} from './signature.js';
export { plugin } from './plugin.js';
