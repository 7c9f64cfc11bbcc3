export {
  parseWebhook,
  describeWebhook,
  positiveInteger,
  optionalText,
  postJson,
  jsonObject,
  type ChannelResponse,
  type PostOptions,
} from './webhook.js';
export { byteLength, cutBytes, cutChars, fitSummary, isWebUrl, oneLine } from './fit.js';
