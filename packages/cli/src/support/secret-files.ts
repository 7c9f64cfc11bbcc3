import { DifyConfigError, parseSecretKey } from '@dify-logs/core';
import { createAtomicFileWriter } from '@dify-logs/core/adapter-kit';
import { chmod, readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError } from './exit-codes.js';
import type { CliIo } from './io.js';

/**
 * A secret key from a key file (`flag`) or else an environment variable. A missing key is a usage error
 * naming both; an unreadable file or a malformed key is a DifyConfigError naming where it came from.
 * The key text is never repeated.
 */
export async function readSecretKey(
  io: CliIo,
  file: string | undefined,
  flag: string,
  variable: string,
): Promise<Buffer> {
  if (file !== undefined) {
    const path = resolve(io.cwd, file);
    const text = await readFile(path, 'utf8').catch((error: unknown) => {
      throw new DifyConfigError(
        flag,
        `cannot read the key file ${path} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})`,
      );
    });
    return parseSecretKey(text, `${flag} ${path}`);
  }
  const text = io.env[variable];
  if (text === undefined || text.trim() === '') {
    throw new UsageError(
      `no secret key: set ${variable} (base64 or 64 hex characters) or ` +
        `give ${flag} FILE; create one with \`dify-logs secrets generate-key\``,
    );
  }
  return parseSecretKey(text, variable);
}

/** All of standard input, one trailing line break removed (`echo value | dify-logs secrets encrypt -`). */
export async function readStdin(io: CliIo): Promise<string> {
  if (!io.stdin) throw new UsageError('there is no standard input to read the value from');
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

export async function readDocument(io: CliIo, file: string): Promise<{ path: string; text: string }> {
  const path = resolve(io.cwd, file);
  try {
    return { path, text: await readFile(path, 'utf8') };
  } catch (error) {
    throw new UsageError(
      `--file ${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
}

/** Runs a document rewrite; its `document: …` errors (bad YAML) name the file instead. */
export function rewriting<T>(path: string, task: () => T): T {
  try {
    return task();
  } catch (error) {
    if (DifyConfigError.isInstance(error) && error.key === 'document')
      throw new DifyConfigError(path, error.message.slice('document: '.length));
    throw error;
  }
}

/**
 * Replaces the file atomically: a temporary file in the same folder, given the original's permissions
 * (a 0600 configuration stays 0600), fsynced and renamed over it. The file is either old or new, never half.
 */
export async function replaceFile(path: string, text: string): Promise<void> {
  const mode = (await stat(path)).mode & 0o7777;
  const writer = await createAtomicFileWriter(path);
  try {
    await writer.write(text);
    await chmod(writer.tempPath, mode);
    await writer.commit();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
