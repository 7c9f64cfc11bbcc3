import { encryptSecret, generateSecretKey } from '@dify-logs/core';
import { encryptSecretsInDocument, rotateSecrets } from '../support/secret-document.js';
import { SECRET_KEY_VARIABLE } from '@dify-logs/core/internal';
import type { Command } from 'commander';
import { EXIT, UsageError } from '../support/exit-codes.js';
import type { CliIo } from '../support/io.js';
import { readDocument, readSecretKey, readStdin, replaceFile, rewriting } from '../support/secret-files.js';

/** Where `rotate-key` finds the new key when `--new-key-file` is absent. */
export const NEW_SECRET_KEY_VARIABLE = 'DIFY_LOGS_NEW_SECRET_KEY';

interface EncryptFlags {
  file?: string;
  keyFile?: string;
  inPlace?: boolean;
}

interface RotateFlags {
  file: string;
  keyFile?: string;
  newKeyFile?: string;
  inPlace?: boolean;
}

export function registerSecrets(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const secrets = program
    .command('secrets')
    .description('encrypted configuration values (enc:v1:…): encrypt, create a key, rotate the key');
  secrets
    .command('encrypt [value]')
    .description(
      'print enc:v1:… for a value (`-` reads it from stdin), or encrypt every plain secret of a configuration file',
    )
    .option('--file <config>', 'encrypt every plain secret value of this YAML or JSON file; prints the new file')
    .option('--key-file <file>', `file holding the key [env ${SECRET_KEY_VARIABLE}]`)
    .option('--in-place', 'rewrite --file (atomically) instead of printing it')
    .action(async (value: string | undefined, flags: EncryptFlags) => setExit(await runEncrypt(value, flags, io)));
  secrets
    .command('generate-key')
    .description(`print a new random key (base64, 32 bytes), for ${SECRET_KEY_VARIABLE} or a key file`)
    .action(() => {
      io.stdout.write(`${generateSecretKey()}\n`);
      setExit(EXIT.ok);
    });
  secrets
    .command('rotate-key')
    .description(
      're-encrypt every enc:v1: value of a configuration file with a new key; everything else stays byte for byte',
    )
    .requiredOption('--file <config>', 'the YAML or JSON configuration file')
    .option('--key-file <file>', `file holding the old key [env ${SECRET_KEY_VARIABLE}]`)
    .option('--new-key-file <file>', `file holding the new key [env ${NEW_SECRET_KEY_VARIABLE}]`)
    .option('--in-place', 'rewrite --file (atomically) instead of printing it')
    .action(async (flags: RotateFlags) => setExit(await runRotate(flags, io)));
}

export async function runEncrypt(value: string | undefined, flags: EncryptFlags, io: CliIo): Promise<number> {
  if (value !== undefined && flags.file !== undefined) throw new UsageError('give either a value or --file, not both');
  if (value === undefined && flags.file === undefined)
    throw new UsageError('give the value to encrypt (`-` reads it from stdin), or --file CONFIG');
  if (flags.inPlace && flags.file === undefined) throw new UsageError('--in-place rewrites --file; give --file CONFIG');
  if (flags.file === undefined) {
    const plain = value === '-' ? await readStdin(io) : value!;
    if (plain === '') throw new UsageError('the value to encrypt is empty');
    const key = await readSecretKey(io, flags.keyFile, '--key-file', SECRET_KEY_VARIABLE);
    io.stdout.write(`${encryptSecret(plain, key)}\n`);
    return EXIT.ok;
  }
  const { path, text } = await readDocument(io, flags.file);
  const key = await readSecretKey(io, flags.keyFile, '--key-file', SECRET_KEY_VARIABLE);
  const { document, encrypted } = rewriting(path, () => encryptSecretsInDocument(text, key));
  const what =
    encrypted.length === 0
      ? 'no plain secret values to encrypt'
      : `encrypted ${count(encrypted.length)}: ${encrypted.join(', ')}`;
  await output(io, path, document, flags.inPlace === true, encrypted.length > 0);
  io.stderr.write(`${path}: ${what}${flags.inPlace && encrypted.length > 0 ? ' (file rewritten)' : ''}\n`);
  return EXIT.ok;
}

export async function runRotate(flags: RotateFlags, io: CliIo): Promise<number> {
  const { path, text } = await readDocument(io, flags.file);
  const oldKey = await readSecretKey(io, flags.keyFile, '--key-file', SECRET_KEY_VARIABLE);
  const newKey = await readSecretKey(io, flags.newKeyFile, '--new-key-file', NEW_SECRET_KEY_VARIABLE);
  if (oldKey.equals(newKey))
    throw new UsageError('the new key is the old key: create a new one with `dify-logs secrets generate-key`');
  const document = rewriting(path, () => rotateSecrets(text, oldKey, newKey));
  // Every re-encrypted value is new text (a fresh IV); comments that merely mention enc:v1: are unchanged.
  const before = new Set(encryptedValues(text));
  const rotated = encryptedValues(document).filter((value) => !before.has(value)).length;
  await output(io, path, document, flags.inPlace === true, rotated > 0);
  const what = rotated === 0 ? 'no enc:v1: values to re-encrypt' : `re-encrypted ${count(rotated)} with the new key`;
  io.stderr.write(`${path}: ${what}${flags.inPlace && rotated > 0 ? ' (file rewritten)' : ''}\n`);
  return EXIT.ok;
}

/**
 * `--in-place` rewrites the file only when something changed (and then prints nothing); else the document goes to
 * stdout.
 */
async function output(io: CliIo, path: string, document: string, inPlace: boolean, changed: boolean): Promise<void> {
  if (!inPlace) io.stdout.write(document);
  else if (changed) await replaceFile(path, document);
}

function encryptedValues(text: string): string[] {
  return text.match(/enc:v1:[A-Za-z0-9_-]+/g) ?? [];
}

const count = (n: number) => `${n} value${n === 1 ? '' : 's'}`;
