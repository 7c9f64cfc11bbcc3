import { describe, expect, it } from 'vitest';
import * as postgres from '@dify-logs/postgres';
import { sinkPlugin } from '@dify-logs/postgres/plugin';
import { createPostgresSink, MIGRATIONS, plugin } from '../src/index.js';
import { plugin as pluginEntry } from '../src/plugin.js';

describe('@dify-logs/sink-postgres (deprecated)', () => {
  it('re-exports the sink and its plugin of @dify-logs/postgres', () => {
    expect(createPostgresSink).toBe(postgres.createPostgresSink);
    expect(MIGRATIONS).toBe(postgres.MIGRATIONS);
    expect(plugin).toBe(sinkPlugin);
    expect(pluginEntry).toBe(sinkPlugin);
    expect(plugin.kind).toBe('sink');
  });
});
