import { describe, expect, it } from 'vitest';
import { createCookieJar } from '../src/client/auth/cookie-jar.js';
import { versionAtLeast } from '../src/client/server-version.js';
import { toHttpError } from '../src/client/transport/error-body.js';
import { parseRetryAfter } from '../src/client/transport/retry-after.js';
import { DifyAuthError, DifyHttpError, DifyLogsError } from '../src/index.js';
import { toDifyFilterTime, toIsoTime } from '../src/records/time.js';
import { redact, scrub } from '../src/adapter-kit.js';

describe('cookie jar', () => {
  it('keeps names exactly, finds prefixed ones, and drops expired cookies', () => {
    const jar = createCookieJar();
    jar.store([
      '__Host-access_token=aaa; HttpOnly; Path=/; SameSite=Lax; Max-Age=3600',
      '__Host-csrf_token=ccc; Path=/; Max-Age=3600',
      'refresh_token=rrr; HttpOnly',
    ]);
    expect(jar.get('access_token')).toBe('aaa');
    expect(jar.get('csrf_token')).toBe('ccc');
    expect(jar.header()).toBe('__Host-access_token=aaa; __Host-csrf_token=ccc; refresh_token=rrr');
    jar.store(['refresh_token=; Max-Age=0', '__Host-access_token=new; Max-Age=60']);
    expect(jar.header()).toBe('__Host-access_token=new; __Host-csrf_token=ccc');
  });
});

describe('versions', () => {
  it('compares releases and treats unknown as older', () => {
    expect(versionAtLeast('1.13.3', '1.11.0')).toBe(true);
    expect(versionAtLeast('1.11.0', '1.11.0')).toBe(true);
    expect(versionAtLeast('1.10.1', '1.11.0')).toBe(false);
    expect(versionAtLeast('1.9.10', '1.9.2')).toBe(true);
    expect(versionAtLeast(null, '1.0.0')).toBe(false);
    expect(versionAtLeast('main', '1.0.0')).toBe(false);
  });
});

describe('error bodies', () => {
  const headers = (values: Record<string, string> = {}) => new Headers(values);
  it('reads the modern {code,message,status} shape and Retry-After', () => {
    const error = toHttpError(
      'GET /v1/x',
      429,
      headers({ 'retry-after': '3' }),
      '{"code":"too_many_requests","message":"slow down","status":429}',
    );
    expect(error).toMatchObject({
      difyCode: 'too_many_requests',
      difyMessage: 'slow down',
      retryAfterMs: 3000,
      isRetryable: true,
      status: 429,
    });
    expect(error.message).toBe('GET /v1/x answered HTTP 429 (too_many_requests): slow down');
  });
  it('reads the flask-restx {message, errors} shape and the old params shape', () => {
    const restx = toHttpError(
      'GET /v1/x',
      400,
      headers(),
      '{"message":"Input payload validation failed","errors":{"limit":"must be <= 100"}}',
    );
    expect(restx.fields).toEqual({ limit: 'must be <= 100' });
    expect(restx.isRetryable).toBe(false);
    expect(restx.message).toContain('limit: must be <= 100');
    const old = toHttpError('GET /v1/x', 400, headers(), '{"code":"invalid_param","message":"bad","params":"status"}');
    expect(old.fields).toEqual({ status: 'bad' });
  });
  it('summarises an nginx HTML page by its title', () => {
    const error = toHttpError(
      'GET /v1/x',
      502,
      headers(),
      '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>',
    );
    expect(error.difyMessage).toBe('non-JSON body: 502 Bad Gateway');
    expect(error.isRetryable).toBe(true);
  });
  it('parses Retry-After dates', () => {
    expect(parseRetryAfter(new Date(Date.now() + 5000).toUTCString())).toBeGreaterThan(3000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('error guards', () => {
  it('recognise errors from another copy of the package by the Symbol.for marker and name', () => {
    const foreign = Object.assign(new Error('x'), {
      [Symbol.for('dify-logs.error')]: true,
      name: 'DifyHttpError',
      code: 'http_500',
    });
    expect(DifyLogsError.isInstance(foreign)).toBe(true);
    expect(DifyHttpError.isInstance(foreign)).toBe(true);
    expect(DifyAuthError.isInstance(foreign)).toBe(false);
    expect(DifyLogsError.isInstance(new Error('plain'))).toBe(false);
  });
});

describe('times', () => {
  it('converts unix seconds, ms and strings; rejects garbage', () => {
    expect(toIsoTime(1772440512)).toBe('2026-03-02T08:35:12.000Z');
    expect(toIsoTime(1772440512000)).toBe('2026-03-02T08:35:12.000Z');
    expect(toIsoTime('1772440512')).toBe('2026-03-02T08:35:12.000Z');
    expect(toIsoTime(null)).toBeNull();
    expect(() => toIsoTime('yesterday-ish')).toThrow(/not a timestamp/);
    expect(toDifyFilterTime('2026-03-02T10:00:00+08:00')).toBe('2026-03-02T02:00:00Z');
  });
});

describe('redaction', () => {
  it('replaces secret-named keys deeply and scrubs secret strings', () => {
    expect(
      redact({ apiKey: 'app-1', nested: { password: 'p', Cookie: 'c', ok: 1 }, list: [{ csrf_token: 't' }] }),
    ).toEqual({
      apiKey: '[redacted]',
      nested: { password: '[redacted]', Cookie: '[redacted]', ok: 1 },
      list: [{ csrf_token: '[redacted]' }],
    });
    expect(scrub('key app-secret-123 leaked', ['app-secret-123'])).toBe('key [redacted] leaked');
  });
});
