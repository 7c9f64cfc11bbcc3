import { describe, expect, it } from 'vitest';
import { cli, sim } from './helpers.js';

describe('Service and Console API on their own addresses', () => {
  it('probe takes --service-api-url and DIFY_CONSOLE_API_URL apart from --base-url and names both', async () => {
    const simulator = await sim({ version: '1.13.3' });
    const app = simulator.apps.find((candidate) => candidate.mode === 'workflow')!;
    const result = await cli(
      [
        'probe',
        '--base-url',
        'http://127.0.0.1:9',
        '--service-api-url',
        `${simulator.url}/v1`,
        '--api-key',
        app.apiKey,
        '--app-id',
        app.id,
        '--console-email',
        simulator.account.email,
      ],
      { env: { DIFY_CONSOLE_API_URL: simulator.url, DIFY_CONSOLE_PASSWORD: simulator.account.password } },
    );
    expect(result.stdout).toContain(`Service API: ${simulator.url}/v1 · Console API: ${simulator.url}/console/api`);
    expect(result.stdout).toMatch(/reach: node level/);
    expect(result.code).toBe(0);
  });
});
