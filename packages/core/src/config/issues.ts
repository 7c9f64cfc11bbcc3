import type { z } from 'zod';
import { DifyConfigError } from '../errors/config-error.js';
import { isPlainObject, keyPath, showValue } from './key-path.js';

/** One problem of a configuration: the dotted key path and what was expected. */
export interface ConfigIssue {
  key: string;
  message: string;
}

type RawIssue = Parameters<z.core.$ZodErrorMap>[0];

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping of keys',
  record: 'a mapping of keys',
  array: 'a list',
};

const MAX_SHOWN_ISSUES = 20;

function quoteAll(values: readonly unknown[]): string {
  const quoted = values.map((value) => JSON.stringify(value));
  return quoted.length <= 1 ? (quoted[0] ?? 'nothing') : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
}

function allowedKeys(issue: RawIssue): string[] {
  const definition = (issue.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def;
  return Object.keys(definition?.shape ?? {});
}

/**
 * The error map used for configuration parsing: what was expected, in words; the value is added later, if not secret.
 */
export function expectation(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.expected === 'string' && (typeof issue.input === 'number' || typeof issue.input === 'boolean'))
        return 'expected a string (put the value in quotes)';
      return issue.input === undefined
        ? `is required (expected ${TYPE_WORDS[issue.expected] ?? issue.expected})`
        : `expected ${TYPE_WORDS[issue.expected] ?? issue.expected}`;
    case 'invalid_value':
      return `expected ${issue.values.length > 1 ? 'one of ' : ''}${quoteAll(issue.values)}`;
    case 'invalid_union':
      return issue.discriminator
        ? `expected ${quoteAll(Array.isArray(issue.options) ? issue.options : [])}`
        : 'expected one of the accepted forms';
    case 'unrecognized_keys': {
      const allowed = allowedKeys(issue);
      return allowed.length > 0 ? `unknown key (expected one of: ${allowed.join(', ')})` : 'unknown key';
    }
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const comparison = issue.code === 'too_small' ? '>=' : '<=';
      if (issue.origin === 'string')
        return issue.code === 'too_small' && Number(bound) <= 1
          ? 'expected a non-empty string'
          : `expected a string of length ${comparison} ${bound}`;
      if (issue.origin === 'array')
        return (
          `expected a list of ${comparison === '>=' ? 'at least' : 'at most'}` +
          ` ${bound} item${Number(bound) === 1 ? '' : 's'}`
        );
      return `expected a number ${comparison} ${bound}`;
    }
    case 'invalid_format':
      return issue.format === 'url'
        ? 'expected a URL (http or https)'
        : `expected ` +
            `${issue.format === 'regex' ? `text matching ${issue.pattern ?? 'the pattern'}` : `a ${issue.format}`}`;
    default:
      return undefined;
  }
}

/**
 * Zod's issues as configuration issues: unknown keys named one by one, the offending value shown unless it is a secret.
 */
export function toConfigIssues(issues: readonly z.core.$ZodIssue[]): ConfigIssue[] {
  const result: ConfigIssue[] = [];
  for (const issue of issues) {
    const path = keyPath(issue.path);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) result.push({ key: path ? `${path}.${key}` : key, message: issue.message });
      continue;
    }
    if (issue.code === 'invalid_union' && issue.discriminator) {
      // The issue's path already ends with the discriminator on zod 4; its input is the whole object.
      const input = isPlainObject(issue.input) ? issue.input[issue.discriminator] : issue.input;
      const key = issue.path.at(-1) === issue.discriminator ? path : `${path}.${issue.discriminator}`;
      result.push({
        key,
        message:
          input === undefined ? `is required (${issue.message})` : `${issue.message}, got ${showValue(input, key)}`,
      });
      continue;
    }
    const showsInput = issue.code !== 'custom' && !(issue.code === 'invalid_type' && issue.input === undefined);
    result.push({
      key: path || 'config',
      message: showsInput ? `${issue.message}, got ${showValue(issue.input, path)}` : issue.message,
    });
  }
  return result;
}

/**
 * One DifyConfigError for a list of issues: `key` names the first, the message lists every one, a line each
 * (`key: message`), each followed by where its value came from when `origin` knows.
 */
export function issuesToError(
  issues: readonly ConfigIssue[],
  origin: (key: string) => string | undefined = () => undefined,
): DifyConfigError {
  const lines = issues.slice(0, MAX_SHOWN_ISSUES).map((issue) => {
    const from = origin(issue.key);
    return { key: issue.key, message: from ? `${issue.message} (${from})` : issue.message };
  });
  const [first, ...rest] = lines;
  if (!first) return new DifyConfigError('config', 'is invalid');
  const more = issues.length > MAX_SHOWN_ISSUES ? [`... and ${issues.length - MAX_SHOWN_ISSUES} more`] : [];
  const message = [first.message, ...rest.map((line) => `${line.key}: ${line.message}`), ...more].join('\n');
  return new DifyConfigError(first.key, message);
}
