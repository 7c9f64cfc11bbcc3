import { describe, expect, it } from 'vitest';
import * as mongodb from '@dify-logs/mongodb';
import { sinkPlugin } from '@dify-logs/mongodb/plugin';
import { createMongoSink, plugin } from '../src/index.js';
import { plugin as pluginEntry } from '../src/plugin.js';

describe('@dify-logs/sink-mongodb (deprecated)', () => {
  it('re-exports the sink and its plugin of @dify-logs/mongodb', () => {
    expect(createMongoSink).toBe(mongodb.createMongoSink);
    expect(plugin).toBe(sinkPlugin);
    expect(pluginEntry).toBe(sinkPlugin);
    expect(plugin.kind).toBe('sink');
  });
});
