import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkerAgents, type WorkerAgentsRuntime } from '../../../src/agents/agents.runtime.js';
import { loadConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/shared/logger.js';
import { sandboxAri } from '../../helpers/ari.js';
import { testEnv } from '../../helpers/sandbox-env.js';
import { createAgent, startAgentsHarness, startSoftphone, until, type AgentsHarness } from './agents-harness.js';

// An Asterisk that lost its agents (a new box, a wiped astdb): the worker's agents runtime pushes
// every agent again when its ARI connects, and the softphone registers with the password handed
// out at creation (the stored md5 is all that is needed). Its own AMI connection sees the
// registration.
let h: AgentsHarness;
let runtime: WorkerAgentsRuntime | undefined;
let client: ReturnType<typeof sandboxAri> | undefined;

beforeAll(async () => {
  h = await startAgentsHarness({ wrapUpSeconds: 1 });
});
afterAll(async () => {
  await runtime?.close();
  await client?.close();
  await h?.close();
});

describe('re-push at worker start', () => {
  it('endpoints removed from Asterisk come back when the worker connects, and the old password still registers', async () => {
    const a = await createAgent(h, 'rwt-agent-repush');
    const b = await createAgent(h, 'rwt-agent-repush-2');
    h.presence.stop();
    for (const user of [a.user, b.user]) {
      for (const type of ['endpoint', 'aor', 'auth']) await h.ari.deleteConfig('res_pjsip', type, user);
      await expect(h.ari.getEndpoint('PJSIP', user)).rejects.toMatchObject({ httpStatus: 404 });
    }

    const config = loadConfig(testEnv({ DATABASE_URL: h.api.t.url, RINGWISE_QUEUE_PREFIX: h.prefix }));
    client = sandboxAri(`rw-test-repush-${a.id}`);
    runtime = startWorkerAgents({
      config,
      db: h.api.t.db,
      redis: h.redis,
      log: createLogger('silent'),
      servers: [{ name: 'asterisk-1', ari: client, ami: config.ami }],
    });
    await client.connect({ timeoutMs: 10_000 });
    for (const user of [a.user, b.user]) {
      await until(
        `${user} pushed again`,
        () =>
          h.ari.getEndpoint('PJSIP', user).then(
            (e) => e.state,
            () => 'missing',
          ),
        (s) => s === 'offline',
      );
    }

    await startSoftphone(h, a, 5292, 'answer');
    // Presence here comes from the runtime's own AMI connection (the harness's was stopped).
    await until(
      'registered',
      async () => (await h.api.app.inject({ method: 'GET', url: '/v1/agents/me', headers: a.auth })).json(),
      (x) => x.registered === true,
    );
    expect((await h.ari.getEndpoint('PJSIP', a.user)).state).toBe('online');
  });
});
