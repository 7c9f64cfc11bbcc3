import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, filesUnder, sim, tempDir } from './helpers.js';

async function configured(simulator: Awaited<ReturnType<typeof sim>>, workspaceLine: string) {
  const dir = await tempDir();
  await writeFile(
    join(dir, 'dify-logs.yaml'),
    [
      'dify:',
      `  baseUrl: ${simulator.url}`,
      `  console: { email: ${simulator.account.email}, password: ${simulator.account.password}${workspaceLine} }`,
      'jobs:',
      '  - name: daily',
      '    apps: all',
      '    window: { mode: explicit, from: "{{yesterday}}", to: "{{tomorrow}}" }',
      '    outputFormat: [json, markdown]',
      'storage: { baseDir: ./outputs }',
      'logging: { level: warn }',
      '',
    ].join('\n'),
  );
  return dir;
}

describe('dify-logs run when someone switched the account to another workspace', () => {
  it(
    'with dify.console.workspaceId: switches back before ' + 'listing apps and reports on that workspace, named',
    async () => {
      const simulator = await sim({
        runsPerApp: 40,
        runningRuns: 0,
        now: new Date(Date.now() - 60_000).toISOString(),
        days: 1,
        secondWorkspace: true,
      });
      const [home, staging] = simulator.workspaces;
      simulator.switchWorkspace(staging!.id);
      const dir = await configured(simulator, `, workspaceId: ${home!.id}`);
      const run = await cli(['run', '--config', 'dify-logs.yaml'], { cwd: dir, env: {} });
      expect(run.code, run.stderr + run.stdout).toBe(0);
      const files = filesUnder(join(dir, 'outputs'));
      const report = JSON.parse(
        readFileSync(
          files.find((file) => file.includes('/reports/') && file.endsWith('.json') && !file.endsWith('.meta.json'))!,
          'utf8',
        ),
      ) as { workspace: unknown; apps: Array<{ appId: string }> };
      expect(report.workspace).toEqual({ id: home!.id, name: home!.name, pinned: true });
      const homeApps = new Set(simulator.apps.filter((app) => app.workspaceId === home!.id).map((app) => app.id));
      expect(report.apps.length).toBeGreaterThan(0);
      expect(report.apps.every((app) => homeApps.has(app.appId))).toBe(true);
      expect(
        readFileSync(
          files.find((file) => file.endsWith('.md'))!,
          'utf8',
        ),
      ).toContain(`(${home!.id}).`);
      expect(simulator.currentWorkspaceId()).toBe(home!.id);
    },
  );

  it('without it: reads the current workspace and names it in the report', async () => {
    const simulator = await sim({
      runsPerApp: 40,
      runningRuns: 0,
      now: new Date(Date.now() - 60_000).toISOString(),
      days: 1,
      secondWorkspace: true,
    });
    const staging = simulator.workspaces[1]!;
    simulator.switchWorkspace(staging.id);
    const dir = await configured(simulator, '');
    const run = await cli(['run', '--config', 'dify-logs.yaml'], { cwd: dir, env: {} });
    expect(run.code, run.stderr + run.stdout).toBe(0);
    const markdown = readFileSync(
      filesUnder(join(dir, 'outputs')).find((file) => file.endsWith('.md'))!,
      'utf8',
    );
    expect(markdown).toContain(`Dify workspace Staging (${staging.id}, the account's current workspace).`);
  });
});

describe('dify-logs export of every app', () => {
  it("exports the account's current workspace's apps and names it", async () => {
    const simulator = await sim({ runsPerApp: 20, runningRuns: 0, secondWorkspace: true });
    const staging = simulator.workspaces[1]!;
    simulator.switchWorkspace(staging.id);
    const dir = await tempDir();
    const result = await cli(['export', '--max-pages', '1', '--out', join(dir, 'runs.ndjson')], {
      env: {
        DIFY_BASE_URL: simulator.url,
        DIFY_CONSOLE_EMAIL: simulator.account.email,
        DIFY_CONSOLE_PASSWORD: simulator.account.password,
      },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`from 2 app(s) of workspace Staging (${staging.id})`);
    const appIds = new Set(
      readFileSync(join(dir, 'runs.ndjson'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { appId: string }).appId),
    );
    expect([...appIds].every((id) => simulator.apps.find((app) => app.id === id)?.workspaceId === staging.id)).toBe(
      true,
    );
  });
});
