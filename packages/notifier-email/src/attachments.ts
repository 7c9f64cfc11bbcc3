import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@dify-logs/core';
import type { NotificationMessage } from '@dify-logs/core/adapter-kit';
import type { AttachReportsOptions } from './options.js';

export interface EmailAttachment {
  filename: string;
  content: Buffer;
}

/** A local path for a link, or undefined for a URL that is not a file (http, https, …). */
function localPath(url: string): string | undefined {
  if (/^file:/i.test(url)) return fileURLToPath(url);
  if (/^[a-z][a-z0-9+.-]+:/i.test(url)) return undefined;
  return url;
}

function fileName(url: string, label: string): string {
  let path = url;
  try {
    path = decodeURIComponent(new URL(url).pathname);
  } catch {
    // a plain path
  }
  const name = basename(path.replace(/\\/g, '/'));
  return name !== '' ? name : label.replace(/[^\p{L}\p{N}._-]+/gu, '-');
}

/** Reads a local file when it fits within `budget` bytes; undefined when it does not or is not a file. */
async function readLocal(url: string, budget: number): Promise<Uint8Array | undefined> {
  const path = localPath(url);
  if (path === undefined) return undefined;
  const info = await stat(path);
  if (!info.isFile() || info.size > budget) return undefined;
  return readFile(path);
}

/**
 * Reads the files behind the message's links and keeps those that fit, in order, while their total stays
 * within `maxBytes`. A link that cannot be read or is too large is simply not attached (it stays a link).
 */
export async function collectAttachments(
  message: NotificationMessage,
  options: AttachReportsOptions,
  logger: Logger,
): Promise<{ attachments: EmailAttachment[]; attached: Set<string> }> {
  const attachments: EmailAttachment[] = [];
  const attached = new Set<string>();
  let budget = options.maxBytes;
  for (const link of message.links) {
    if (attached.has(link.url)) continue;
    try {
      const bytes = options.read ? await options.read(link.url) : await readLocal(link.url, budget);
      if (bytes === undefined || bytes.byteLength > budget) {
        logger.debug({ label: link.label, size: bytes?.byteLength }, 'report linked, not attached');
        continue;
      }
      budget -= bytes.byteLength;
      attachments.push({
        filename: fileName(link.url, link.label),
        content: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
      });
      attached.add(link.url);
    } catch (error) {
      logger.debug(
        { label: link.label, error: error instanceof Error ? error.message : String(error) },
        'report could not be read; linked instead',
      );
    }
  }
  return { attachments, attached };
}
