import type { NotificationMessage, Notifier, NotificationReceipt } from './notifier.js';

/** Renders a message as plain text: what the console notifier prints and what channels without markup send. */
export function renderPlainText(message: NotificationMessage): string {
  const lines = [`[${message.severity.toUpperCase()}] ${message.title}`, message.summary];
  for (const fact of message.facts) lines.push(`- ${fact.label}: ${fact.value}`);
  for (const link of message.links) lines.push(`- ${link.label}: ${link.url}`);
  return lines.filter((line) => line !== '').join('\n');
}

/** Keeps every message it is sent: a test double, and the reference Notifier. */
export function recordingNotifier(
  options: { name?: string } = {},
): Notifier & { readonly messages: NotificationMessage[]; received(): string[] } {
  const messages: NotificationMessage[] = [];
  const name = options.name ?? 'recording';
  return {
    name,
    capabilities: { markdown: false },
    messages,
    async send(message): Promise<NotificationReceipt> {
      messages.push(structuredClone(message));
      return { notifier: name, id: String(messages.length) };
    },
    received: () => messages.map(renderPlainText),
  };
}

/** The embedded default channel: prints the message a chat channel would get, to a stream (stderr by default). */
export function consoleNotifier(options: { write?: (text: string) => void; name?: string } = {}): Notifier {
  const write = options.write ?? ((text: string) => process.stderr.write(text));
  const name = options.name ?? 'console';
  let sent = 0;
  return {
    name,
    capabilities: { markdown: false },
    async send(message) {
      write(`${renderPlainText(message)}\n`);
      sent += 1;
      return { notifier: name, id: String(sent) };
    },
  };
}
