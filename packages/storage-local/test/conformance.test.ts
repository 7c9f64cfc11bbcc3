import * as vitest from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testStorageAdapter } from '@dify-logs/core/testing';
import { createLocalStorage } from '../src/index.js';

const folders: string[] = [];
testStorageAdapter(vitest, {
  name: 'local',
  create: () => {
    const baseDir = mkdtempSync(join(tmpdir(), 'dify-logs-local-'));
    folders.push(baseDir);
    return createLocalStorage({ baseDir });
  },
  cleanup: () => {
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  },
  skip: { signedUrls: 'files have no URLs' },
});
