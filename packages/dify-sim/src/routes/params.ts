import { invalidParam, valueError, type ParamProblem } from '../errors.js';
import { queryValue, type SimResponse } from '../http.js';
import type { Personality } from '../personalities.js';
import { parseIsoTime } from './iso-time.js';

/** Validates query parameters the way the release does, and answers its error shape. */
export interface ParamReader {
  int(name: string, options: { min: number; max: number; fallback: number }): number;
  choice(name: string, choices: readonly string[], kind?: 'literal' | 'enum'): string | undefined;
  bool(name: string): boolean;
  uuid(name: string): string | undefined;
  time(name: string): number | undefined;
  text(name: string): string | undefined;
  /** The first problem found, as a response; undefined when everything was valid. */
  error(): SimResponse | undefined;
}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;

function pydantic(text: string, type: string, value: string): string {
  return `${text} [type=${type}, input_value='${value}', input_type=str]`;
}

function quoteList(choices: readonly string[]): string {
  const quoted = choices.map((choice) => `'${choice}'`);
  return quoted.length < 2 ? (quoted[0] ?? '') : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
}

export function createParamReader(query: URLSearchParams, personality: Personality, model: string): ParamReader {
  let problem: SimResponse | undefined;
  const fail = (detail: ParamProblem) => {
    problem ??= invalidParam(personality, model, detail);
  };
  return {
    int(name, { min, max, fallback }) {
      const raw = queryValue(query, name);
      if (raw === undefined) return fallback;
      if (!/^\s*[+-]?\d+\s*$/.test(raw)) {
        fail({
          field: name,
          pydantic: pydantic(
            'Input should be a valid integer, unable to parse string as an integer',
            'int_parsing',
            raw,
          ),
          restx: `${raw} is not a valid integer`,
        });
        return fallback;
      }
      const value = Number.parseInt(raw, 10);
      if (value < min || value > max) {
        const pydanticText =
          value < min
            ? pydantic(`Input should be greater than or equal to ${min}`, 'greater_than_equal', raw)
            : pydantic(`Input should be less than or equal to ${max}`, 'less_than_equal', raw);
        fail({
          field: name,
          pydantic: pydanticText,
          restx: `Invalid argument: ${value}. argument must be within the range ${min} - ${max}`,
        });
        return fallback;
      }
      return value;
    },
    choice(name, choices, kind = 'literal') {
      const raw = queryValue(query, name);
      if (raw === undefined || choices.includes(raw)) return raw;
      fail({
        field: name,
        pydantic: pydantic(`Input should be ${quoteList(choices)}`, kind === 'enum' ? 'enum' : 'literal_error', raw),
        restx: `The value '${raw}' is not a valid choice for '${name}'.`,
      });
      return undefined;
    },
    bool(name) {
      const raw = queryValue(query, name);
      if (raw === undefined) return false;
      const lowered = raw.toLowerCase();
      if (['1', 'true', 'yes', 'on', 't', 'y'].includes(lowered)) return true;
      if (['0', 'false', 'no', 'off', 'f', 'n'].includes(lowered)) return false;
      fail({
        field: name,
        pydantic: pydantic('Input should be a valid boolean, unable to interpret input', 'bool_parsing', raw),
        restx: `Invalid literal for boolean(): ${raw}`,
      });
      return false;
    },
    uuid(name) {
      const raw = queryValue(query, name);
      if (raw === undefined || UUID.test(raw)) return raw?.toLowerCase();
      fail({
        field: name,
        pydantic: pydantic('Input should be a valid UUID, invalid character or length', 'uuid_parsing', raw),
        restx: `${raw} is not a valid uuid.`,
      });
      return undefined;
    },
    time(name) {
      const raw = queryValue(query, name);
      if (raw === undefined) return undefined;
      const ms = parseIsoTime(raw);
      if (ms === undefined) problem ??= valueError(`Invalid isoformat string: '${raw}'`);
      return ms;
    },
    text: (name) => queryValue(query, name),
    error: () => problem,
  };
}
