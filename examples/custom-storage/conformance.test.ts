import * as vitest from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testStorageAdapter } from '@dify-logs/core/testing';
import { createJsonFileStorage } from './index.js';

const folders: string[] = [];
testStorageAdapter(vitest, {
  name: 'json-file',
  create: () => {
    const folder = mkdtempSync(join(tmpdir(), 'dify-logs-json-file-'));
    folders.push(folder);
    return createJsonFileStorage({ file: join(folder, 'objects.json') });
  },
  cleanup: () => {
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  },
  skip: { signedUrls: 'a JSON file has no URLs' },
});
