import { describe, expect, it } from 'vitest';
import { parseStorageKey, storageKey } from '../src/adapter-kit.js';

describe('storage keys', () => {
  it('reads the creation time back, not the time in a run id', () => {
    const createdAt = new Date('2026-12-03T00:00:00.000Z');
    for (const runId of ['20261204T165454427Z-ac2457', 'forget-20261204T165457010Z-927750', 'run-1']) {
      const key = storageKey(
        'data',
        {
          type: 'archive-messages',
          job: 'daily',
          app: 'cfb6d423-6c80',
          runId,
          extension: 'json',
          body: '',
          contentType: 'application/json',
        },
        createdAt,
      );
      expect(parseStorageKey(key)).toEqual({ kind: 'data', type: 'archive-messages', createdAt });
    }
  });
});
