import { describe, expect, it } from 'vitest';
import { createDifyClient } from '../../src/index.js';
import { consoleClient, quickRetry, sim, workflowApp } from './helpers.js';

const ACCOUNT = { email: 'ops@example.com', name: 'Ops' };

describe('password encoding: Base64 from Dify 1.11.2, not 1.11.0', () => {
  it.each(['1.10.1', '1.11.0', '1.11.1', '1.11.2'] as const)('logs in to %s (version probed) without a single failed login', async (version) => {
    const simulator = await sim({ version });
    const client = consoleClient(simulator, { appId: workflowApp(simulator).id });
    await client.logPage({ limit: 1 });
    expect(simulator.stats()).toMatchObject({ logins: 1, failedLogins: 0 });
  });

  // "Zm9vYmFy" is valid Base64 ("foobar"): sent plain to a Base64 release it is a wrong password that counts.
  it.each(['1.11.1', '1.11.2', '1.13.3'] as const)('an unknown release (%s) with a password Dify could decode: asked first, never a failed login', async (version) => {
    const simulator = await sim({ version, account: { ...ACCOUNT, password: 'Zm9vYmFy' } });
    for (let run = 0; run < 3; run += 1) {
      const client = consoleClient(simulator, { serverVersion: 'unknown', appId: workflowApp(simulator).id });
      await client.logPage({ limit: 1 });
    }
    expect(simulator.stats()).toMatchObject({ logins: 3, failedLogins: 0 });
  });

  it.each(['1.11.1', '1.13.3'] as const)('an unknown release (%s) with a password Dify cannot decode: plain first, Base64 only on the encoding refusal', async (version) => {
    const simulator = await sim({ version });
    const client = consoleClient(simulator, { serverVersion: 'unknown', appId: workflowApp(simulator).id });
    await client.logPage({ limit: 1 });
    expect(simulator.stats()).toMatchObject({ logins: 1, failedLogins: 0 });
    expect(simulator.stats().byRoute['POST /console/api/login']).toBe(version === '1.13.3' ? 2 : 1);
  });

  it('a wrong password on an unknown release is one failed login, not two', async () => {
    const simulator = await sim({ version: '1.11.1' });
    const client = createDifyClient({ baseUrl: simulator.url, console: { email: simulator.account.email, password: 'Zm9vYmFy' }, serverVersion: 'unknown', appId: workflowApp(simulator).id, retry: quickRetry });
    await expect(client.logPage({ limit: 1 })).rejects.toMatchObject({ code: 'invalid_credentials' });
    expect(simulator.stats().failedLogins).toBe(1);
  });
});
