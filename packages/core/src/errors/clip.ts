/**
 * Text a server sent, cut for an error message: a proxy page or a runaway validation message can be
 * megabytes, and every error message ends up in logs, run history and notifications.
 */
export function clip(text: string, maximum = 500): string {
  return text.length > maximum ? `${text.slice(0, maximum - 1)}…` : text;
}
