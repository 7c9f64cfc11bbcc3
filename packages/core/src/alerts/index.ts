export { evaluateAlerts, validateAlertPolicy } from './evaluate.js';
export { alertMessage } from './messages.js';
export {
  EMPTY_ALERT_STATE,
  type AlertRule,
  type AlertRuleKind,
  type AlertPolicy,
  type AlertState,
  type ActiveAlert,
  type AlertEvent,
} from './types.js';
