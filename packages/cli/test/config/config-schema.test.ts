import { describe, expect, it } from 'vitest';
import { DifyConfigError } from '@dify-logs/core';
import { checkConfig, ConfigSchema, validateConfig } from '@dify-logs/core';
import { PLUGINS as FIRST_PARTY } from '../../src/support/config-flags.js';

const minimal = { dify: { baseUrl: 'https://dify.example.com', apiKey: 'app-key', appId: 'app-1' } };

function errorOf(input: unknown): DifyConfigError {
  try {
    validateConfig(input, undefined, FIRST_PARTY.schema);
  } catch (error) {
    if (DifyConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a DifyConfigError');
}

function firstLine(error: Error): string {
  return error.message.split('\n')[0] ?? '';
}

describe('ConfigSchema defaults', () => {
  it('fills in every default, with one incremental job named "default"', () => {
    const config = validateConfig(minimal);
    expect(config.dify).toMatchObject({ timeoutMs: 30_000, retries: 6 });
    expect(config.jobs).toEqual([
      {
        name: 'default',
        window: { mode: 'incremental', overlapMinutes: 10, initialFrom: '{{yesterday}}' },
        timezone: 'UTC',
        withDetails: true,
        withNodeExecutions: false,
        concurrency: 16,
        outputFormat: ['json', 'markdown'],
        reportType: 'daily',
        notifyOn: ['failure', 'report-ready'],
        archive: 'partitioned',
        compare: true,
      },
    ]);
    expect(config.storage).toEqual({ type: 'local', baseDir: './outputs', archiveNdjson: true });
    expect(config.notification).toEqual({ enabled: false, type: ['console'] });
    expect(config.logging).toEqual({ level: 'info', retentionDays: 30 });
    expect(config.state).toEqual({ type: 'file' });
  });

  it('accepts comma lists, numeric strings, boolean words and any-case log levels', () => {
    const config = validateConfig(
      {
        ...minimal,
        jobs: [
          {
            name: 'nightly',
            outputFormat: 'csv, markdown',
            concurrency: '16',
            withDetails: 'no',
            apps: 'a,b',
            window: { mode: 'explicit', from: '{{yesterday}}', to: '2026-03-01T00:00:00Z' },
          },
        ],
        notification: {
          enabled: 'yes',
          type: 'email,slack',
          email: { host: 'smtp.example.com', port: '465', to: 'a@example.com, b@example.com' },
        },
        logging: { level: 'DEBUG' },
      },
      undefined,
      FIRST_PARTY.schema,
    );
    expect(config.jobs[0]).toMatchObject({
      outputFormat: ['csv', 'markdown'],
      concurrency: 16,
      withDetails: false,
      apps: ['a', 'b'],
    });
    expect(config.notification).toMatchObject({
      enabled: true,
      type: ['email', 'slack'],
      email: { port: 465, to: ['a@example.com', 'b@example.com'] },
    });
    expect(config.logging.level).toBe('debug');
    expect(validateConfig({ ...minimal, jobs: [{ name: 'x', apps: 'ALL' }] }).jobs[0]?.apps).toBe('all');
  });

  it('is the schema of a whole file, profiles included', () => {
    expect(
      ConfigSchema.safeParse({ ...minimal, profile: 'prod', profiles: { prod: { logging: { level: 'warn' } } } })
        .success,
    ).toBe(true);
  });
});

describe('validation errors name the key and what was expected', () => {
  it('a bad URL', () => {
    const error = errorOf({ dify: { baseUrl: 'not a url' } });
    expect(error.key).toBe('dify.baseUrl');
    expect(firstLine(error)).toBe('dify.baseUrl: expected a URL (http or https), got "not a url"');
    expect(firstLine(errorOf({ dify: { baseUrl: 'ftp://dify.example.com' } }))).toContain(
      'dify.baseUrl: expected a URL',
    );
  });

  it('a missing dify.baseUrl', () => {
    const error = errorOf({});
    expect(error.key).toBe('dify.baseUrl');
    expect(error.message).toBe('dify.baseUrl: is required (expected a string)');
  });

  it('an unknown key, anywhere', () => {
    const top = errorOf({ ...minimal, dfy: {} });
    expect(top.key).toBe('dfy');
    expect(firstLine(top)).toMatch(/^dfy: unknown key \(expected one of: dify, apps, jobs, storage/);
    const nested = errorOf({ ...minimal, jobs: [{ name: 'a', window: { mode: 'incremental', overlap: 5 } }] });
    expect(nested.key).toBe('jobs.0.window.overlap');
    expect(firstLine(nested)).toBe(
      'jobs.0.window.overlap: unknown key (expected one of: mode, overlapMinutes, initialFrom)',
    );
    expect(errorOf({ ...minimal, notification: { email: { host: 'h', to: 'a@b', tls: true } } }).key).toBe(
      'notification.email.tls',
    );
  });

  it('a bad time zone', () => {
    const error = errorOf({ ...minimal, jobs: [{ name: 'a', timezone: 'Mars/Base' }] });
    expect(error.key).toBe('jobs.0.timezone');
    expect(firstLine(error)).toBe(
      'jobs.0.timezone: "Mars/Base" is not an IANA time zone (e.g. UTC, Europe/Berlin, Asia/Shanghai)',
    );
  });

  it('a bad enum value', () => {
    const format = errorOf({ ...minimal, jobs: [{ name: 'a', outputFormat: 'json,pdf' }] });
    expect(format.key).toBe('jobs.0.outputFormat.1');
    expect(firstLine(format)).toBe(
      'jobs.0.outputFormat.1: expected one of "json", "markdown", ' +
        '"csv", "ndjson", "html", "xlsx" or "parquet", got "pdf"',
    );
    expect(firstLine(errorOf({ ...minimal, storage: { type: 'ftp' } }))).toBe(
      'storage.type: expected one of "local", "s3" or "oss", got "ftp"',
    );
    expect(firstLine(errorOf({ ...minimal, logging: { level: 'verbose' } }))).toContain(
      'logging.level: expected one of "fatal"',
    );
    const mode = errorOf({ ...minimal, jobs: [{ name: 'a', window: { mode: 'rolling' } }] });
    expect(firstLine(mode)).toBe('jobs.0.window.mode: expected "explicit" or "incremental", got "rolling"');
  });

  it('concurrency out of range', () => {
    const high = errorOf({ ...minimal, jobs: [{ name: 'a', concurrency: 100 }] });
    expect(high.key).toBe('jobs.0.concurrency');
    expect(firstLine(high)).toBe('jobs.0.concurrency: expected a number <= 64, got 100');
    expect(firstLine(errorOf({ ...minimal, jobs: [{ name: 'a', concurrency: 0 }] }))).toBe(
      'jobs.0.concurrency: expected a number >= 1, got 0',
    );
    expect(firstLine(errorOf({ ...minimal, jobs: [{ name: 'a', concurrency: 2.5 }] }))).toBe(
      'jobs.0.concurrency: expected a whole number, got 2.5',
    );
  });

  it('a bad job name, and a repeated one', () => {
    const error = errorOf({ ...minimal, jobs: [{ name: 'nightly report' }] });
    expect(error.key).toBe('jobs.0.name');
    expect(firstLine(error)).toBe(
      'jobs.0.name: "nightly report" is not a job name: use letters, digits, "_" and "-" only',
    );
    expect(firstLine(errorOf({ ...minimal, jobs: [{ name: 'a' }, { name: 'a' }] }))).toBe(
      'jobs.1.name: "a" is already the name of jobs.0',
    );
  });

  it('a bad window time', () => {
    const error = errorOf({
      ...minimal,
      jobs: [{ name: 'a', window: { mode: 'explicit', from: '{{someday}}', to: 'soon' } }],
    });
    expect(error.key).toBe('jobs.0.window.from');
    expect(error.message).toContain('jobs.0.window.from: unknown template {{someday}}');
    expect(error.message).toContain('jobs.0.window.to: "soon" is neither an ISO-8601 time nor a template');
  });

  it('lists every problem, one line each, and never shows a secret value', () => {
    const error = errorOf({ dify: { baseUrl: 'x', apiKey: 12345678 }, notification: { dingtalk: { webhook: 42 } } });
    const lines = error.message.split('\n');
    expect(lines).toEqual([
      'dify.baseUrl: expected a URL (http or https), got "x"',
      'dify.apiKey: expected a string (put the value in quotes), got a value (hidden: secret)',
      'notification.dingtalk.webhook: expected a string (put the value in quotes), got a value (hidden: secret)',
    ]);
    expect(error.message).not.toContain('12345678');
  });

  it('reports issues without throwing through checkConfig', () => {
    const result = checkConfig({ ...minimal, jobs: [{ name: 'a', timezone: 'Nowhere/Land' }] });
    expect(result.ok).toBe(false);
    expect(result.issues).toEqual([
      {
        key: 'jobs.0.timezone',
        message: '"Nowhere/Land" is not an IANA time zone (e.g. UTC, Europe/Berlin, Asia/Shanghai)',
      },
    ]);
  });

  it('rejects console and admin access together', () => {
    const error = errorOf({
      dify: {
        baseUrl: 'https://d.example.com',
        console: { email: 'a@b', password: 'pw-123456' },
        admin: { apiKey: 'admin-key', workspaceId: 'w' },
      },
    });
    expect(error.message).toBe('dify.admin: give either dify.console or dify.admin, not both');
  });

  it('names a missing key inside a section', () => {
    const error = errorOf({
      ...minimal,
      storage: { type: 'oss', oss: { endpoint: 'e', accessKeyId: 'id', bucket: 'b' } },
    });
    expect(error.message).toBe('storage.oss.accessKeySecret: is required (expected a string)');
  });
});
