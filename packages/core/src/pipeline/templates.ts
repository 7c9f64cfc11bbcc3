import Mustache from 'mustache';
import type { NotificationKind, NotificationMessage } from '../adapters/notifier.js';
import { DifyConfigError } from '../errors/config-error.js';

/** Per kind of notification, Mustache templates replacing the title and/or the summary. */
export type MessageTemplates = Partial<Record<NotificationKind, { title?: string; summary?: string }>>;

/** `Success rate` → `success_rate`: how a fact is named in templates (`{{fact.success_rate}}`). */
export function factKey(label: string): string {
  return label
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
}

/**
 * What a template can use: the message's own fields, `fact.*`, and `links` (`{{#links}}{{label}}: {{url}}{{/links}}`).
 */
function view(message: NotificationMessage): Record<string, unknown> {
  return {
    kind: message.kind,
    severity: message.severity,
    title: message.title,
    summary: message.summary,
    job: message.job ?? '',
    runId: message.runId ?? '',
    occurredAt: message.occurredAt,
    fact: Object.fromEntries(message.facts.map((fact) => [factKey(fact.label), fact.value])),
    facts: message.facts,
    links: message.links,
  };
}

const config = { escape: (value: unknown) => String(value) };

/** Checks every template once (bad syntax names the key); call at start, not at 2 a.m. */
export function validateTemplates(templates: MessageTemplates, key = 'notification.templates'): void {
  for (const [kind, parts] of Object.entries(templates)) {
    for (const [part, template] of Object.entries(parts ?? {})) {
      try {
        Mustache.parse(template);
      } catch (error) {
        throw new DifyConfigError(`${key}.${kind}.${part}`, `is not a valid template: ${(error as Error).message}`);
      }
    }
  }
}

/**
 * The message with its title and summary rendered from the templates of its kind. Mustache is
 * logic-less: templates read values, they cannot run code, and partials are not loaded. Values are
 * inserted as they are; each channel escapes them for its own markup when it renders the message.
 */
export function applyTemplates(
  message: NotificationMessage,
  templates: MessageTemplates | undefined,
): NotificationMessage {
  const parts = templates?.[message.kind];
  if (!parts || (!parts.title && !parts.summary)) return message;
  const data = view(message);
  return {
    ...message,
    ...(parts.title ? { title: Mustache.render(parts.title, data, {}, config) } : {}),
    ...(parts.summary ? { summary: Mustache.render(parts.summary, data, {}, config) } : {}),
  };
}
