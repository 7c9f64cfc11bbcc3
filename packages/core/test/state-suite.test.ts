import * as vitest from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { fileStateStore, memoryStateStore } from '../src/entries/pipeline.js';
import { testStateStore } from '../src/testing/index.js';

testStateStore(vitest, { name: 'memory', create: () => memoryStateStore() });

const dir = mkdtempSync(join(tmpdir(), 'dify-logs-state-suite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
testStateStore(vitest, {
  name: 'file',
  create: () => fileStateStore({ path: join(dir, 'state.json') }),
  shared: true,
  skip: {
    concurrentStores:
      'a state file takes one writer: commits are serialised within one store, not across stores or processes',
  },
});
