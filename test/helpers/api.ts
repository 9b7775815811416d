import { buildApp } from '../../src/api/app.js';
import type { ApiApp, ApiDeps } from '../../src/api/api.types.js';
import { createApiKey } from '../../src/auth/keys.repo.js';
import { ROLES, type Role } from '../../src/auth/roles.js';
import { loadConfig } from '../../src/config.js';
import { Metrics } from '../../src/observability/metrics.js';
import { createLogger } from '../../src/shared/logger.js';
import { createTestDb, type TestDb } from './db.js';
import { testEnv } from './sandbox-env.js';

export interface TestApi {
  t: TestDb;
  app: ApiApp;
  deps: ApiDeps;
  /** One live key per role, in clear text (the agent key belongs to an agent with no calls). */
  keys: Record<Role, string>;
  keyIds: Record<Role, number>;
  /** Headers for `app.inject`: `{ authorization: 'Bearer rw_...' }`. */
  as(role: Role): { authorization: string };
  /** Mints another key (e.g. an agent key bound to an agent id). */
  mintKey(role: Role, opts?: { name?: string; agentId?: number | null }): Promise<{ key: string; id: number }>;
  close(): Promise<void>;
}

/**
 * The control API over a fresh test database (one per test file), with a key for every role.
 * Usage: `let api: TestApi; beforeAll(async () => { api = await createTestApi(); }); afterAll(() => api.close());`
 */
export async function createTestApi(opts: { env?: Record<string, string>; deps?: Partial<ApiDeps> } = {}): Promise<TestApi> {
  const t = await createTestDb();
  const config = loadConfig(testEnv({ DATABASE_URL: t.url, ...opts.env }));
  const deps: ApiDeps = {
    config,
    log: createLogger('silent'),
    db: t.db,
    readiness: { postgres: () => t.db.query('SELECT 1') },
    metrics: new Metrics(),
    ...opts.deps,
  };
  const app = await buildApp(deps);
  await app.ready();
  const keys = {} as Record<Role, string>;
  const keyIds = {} as Record<Role, number>;
  const mintKey: TestApi['mintKey'] = async (role, o = {}) => {
    const { key, row } = await createApiKey(t.db, { name: o.name ?? `test-${role}`, role, agentId: o.agentId ?? null });
    return { key, id: row.id };
  };
  // An agent key always belongs to an agent: this one has taken no call yet.
  const { rows } = await t.db.query(
    `INSERT INTO agents (name, sip_username, sip_md5, sip_realm) VALUES ('Keyholder agent', 'rwt-keyholder', repeat('0', 32), 'ringwise') RETURNING id`,
  );
  const keyholderAgentId = Number(rows[0].id);
  for (const role of ROLES) {
    const k = await mintKey(role, role === 'agent' ? { agentId: keyholderAgentId } : {});
    keys[role] = k.key;
    keyIds[role] = k.id;
  }
  return {
    t,
    app,
    deps,
    keys,
    keyIds,
    as: (role) => ({ authorization: `Bearer ${keys[role]}` }),
    mintKey,
    async close() {
      await app.close();
      await t.drop();
    },
  };
}
