import * as vitest from 'vitest';
import { consoleNotifier, memoryStorage, recordingNotifier } from '../src/entries/pipeline.js';
import { testNotifier, testStorageAdapter } from '../src/testing/index.js';

testStorageAdapter(vitest, {
  name: 'memory',
  create: () => memoryStorage(),
  skip: { signedUrls: 'memory storage has no URLs' },
});

testNotifier(vitest, {
  name: 'recording',
  create: () => recordingNotifier(),
  received: (notifier) => notifier.received(),
});

const printed = new WeakMap<object, string[]>();
testNotifier(vitest, {
  name: 'console',
  create: () => {
    const lines: string[] = [];
    const notifier = consoleNotifier({ write: (text) => lines.push(text) });
    printed.set(notifier, lines);
    return notifier;
  },
  received: (notifier) => printed.get(notifier) ?? [],
});
