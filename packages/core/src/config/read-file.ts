import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parseEnv } from 'node:util';
import { DifyConfigError } from '../errors/config-error.js';
import { isPlainObject } from './key-path.js';
import type { ConfigTree } from './merge.js';
import { lazyModule } from '../support/lazy-module.js';

const yaml = lazyModule<typeof import('yaml')>('yaml');

function lineAndColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, position).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

/** V8's reason without any quoted source text (which could be a secret). */
function jsonReason(message: string): string {
  const beforePosition = /^(.*) in JSON at position \d+/.exec(message)?.[1];
  if (beforePosition !== undefined) return beforePosition;
  if (message.startsWith('Unexpected end of JSON input')) return 'unexpected end of input';
  return 'unexpected token';
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    const position = /position (\d+)/.exec(message)?.[1];
    const where =
      position === undefined
        ? ''
        : (({ line, column }) => ` at line ${line}, column ${column}`)(lineAndColumn(text, Number(position)));
    throw new DifyConfigError(file, `is not valid JSON${where}: ${jsonReason(message)}`);
  }
}

function parseYaml(text: string, file: string): unknown {
  const document = yaml().parseDocument(text, { uniqueKeys: true });
  const problem = document.errors[0];
  if (problem) {
    const position = problem.linePos?.[0];
    const where = position ? ` at line ${position.line}, column ${position.col}` : '';
    // Only the first line of yaml's message: the following lines quote the source.
    const reason =
      problem.message
        .split('\n')[0]
        ?.replace(/ at line \d+, column \d+:?$/, '')
        .replace(/:$/, '') ?? problem.code;
    throw new DifyConfigError(file, `is not valid YAML${where}: ${reason}`);
  }
  try {
    const value = document.toJS({ maxAliasCount: 100 }) as unknown;
    if (isCircular(value)) throw new Error('an alias refers to the node that contains it (a circular structure)');
    return value;
  } catch (error) {
    // An alias to no anchor, aliases that would expand past maxAliasCount (a "billion laughs" file), or an alias
    // inside its own anchor: they surface only when the document is built.
    const reason =
      (error instanceof Error ? error.message : String(error)).split('\n')[0]?.replace(/:$/, '') ?? 'unreadable';
    throw new DifyConfigError(file, `is not valid YAML: ${reason}`);
  }
}

/** Whether a value built from YAML contains itself (a recursive alias), which nothing downstream could walk. */
function isCircular(value: unknown, path = new Set<object>()): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (path.has(value)) return true;
  path.add(value);
  const children = Array.isArray(value) ? value : value instanceof Map ? [...value.values()] : Object.values(value);
  const circular = children.some((child) => isCircular(child, path));
  path.delete(value);
  return circular;
}

/**
 * Refuses `__proto__` keys anywhere in a parsed file: copied into a configuration object they would
 * replace its prototype instead of setting a key (and hide or invent settings).
 */
function refusePrototypeKeys(value: unknown, file: string): void {
  const stack: Array<{ value: unknown; path: string }> = [{ value, path: '' }];
  while (stack.length > 0) {
    const { value: current, path } = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    for (const [key, item] of Object.entries(current)) {
      const itemPath = path === '' ? key : `${path}.${key}`;
      if (key === '__proto__') throw new DifyConfigError(itemPath, `is not allowed as a key (in ${file})`);
      stack.push({ value: item, path: itemPath });
    }
  }
}

/**
 * A data file (a price table, a previous report): JSON for `.json`, YAML otherwise. Errors name the file,
 * the line and the reason, never quoting the contents.
 */
export async function readDataFile(file: string, what = 'file'): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new DifyConfigError(file, `cannot read the ${what} (${typeof code === 'string' ? code : 'unreadable'})`);
  }
  const value =
    extname(file).toLowerCase() === '.json' ? parseJson(text.replace(/^\uFEFF/, ''), file) : parseYaml(text, file);
  refusePrototypeKeys(value, file);
  return value;
}

/** A configuration file as a tree: JSON for `.json`, YAML otherwise (an empty file is an empty configuration). */
export async function readConfigFile(file: string): Promise<ConfigTree> {
  const value = await readDataFile(file, 'configuration file');
  if (value === null || value === undefined) return {};
  if (!isPlainObject(value))
    throw new DifyConfigError(file, 'expected a mapping of configuration keys at the top level');
  return value;
}

/** A `.env` file as variables (Node's own parser); a missing file is an error only when `required`. */
export async function readEnvFile(
  file: string,
  required: boolean,
): Promise<Record<string, string | undefined> | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (!required && code === 'ENOENT') return undefined;
    throw new DifyConfigError(file, `cannot read the .env file (${typeof code === 'string' ? code : 'unreadable'})`);
  }
  return parseEnv(text);
}
