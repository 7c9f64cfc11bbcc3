import { jsonResponse, type SimResponse } from './http.js';
import type { Personality } from './personalities.js';

const AUTH_HEADER = { 'www-authenticate': 'Bearer realm="api"' };

/** Dify's error body `{"code","message","status"}`; 401s also carry `WWW-Authenticate`. */
export function difyError(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): SimResponse {
  return jsonResponse(status, { code, message, status }, status === 401 ? { ...AUTH_HEADER, ...headers } : headers);
}

export function unauthorized(message: string): SimResponse {
  return difyError(401, 'unauthorized', message);
}

export function notFound(): SimResponse {
  return difyError(
    404,
    'not_found',
    'The requested URL was not found on the server. ' +
      'If you entered the URL manually please check your spelling and try again.',
  );
}

export function methodNotAllowed(): SimResponse {
  return difyError(405, 'method_not_allowed', 'The method is not allowed for the requested URL.');
}

export function internalServerError(): SimResponse {
  return jsonResponse(500, { message: 'Internal Server Error', code: 'unknown', status: 500 });
}

/** A ValueError raised in a controller or service: 400 invalid_param in every era. */
export function valueError(message: string): SimResponse {
  return difyError(400, 'invalid_param', message);
}

export interface ParamProblem {
  field: string;
  /** The pydantic-era message (1.11+), e.g. "Input should be less than or equal to 100 [type=less_than_equal, ...]". */
  pydantic: string;
  /** The reqparse-era reason, e.g. "Invalid argument: 101. argument must be within the range 1 - 100". */
  restx: string;
}

/**
 * A query-parameter validation failure in the shape of the release:
 * flask-restx reqparse `{"message":"Input payload validation failed","errors":{...}}` (no code), or
 * pydantic's ValidationError text as `{"code":"invalid_param",...}`.
 */
export function invalidParam(personality: Personality, model: string, problem: ParamProblem): SimResponse {
  if (personality.validation === 'restx') {
    return jsonResponse(400, {
      errors: { [problem.field]: problem.restx },
      message: 'Input payload validation failed',
    });
  }
  const message =
    `1 validation error for ${model}\n${problem.field}\n  ${problem.pydantic}\n` +
    `    For further information visit https://errors.pydantic.dev/2.11/v/` +
    `${/\[type=([a-z_]+)/.exec(problem.pydantic)?.[1] ?? 'value_error'}`;
  return difyError(400, 'invalid_param', message);
}
