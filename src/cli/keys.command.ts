import { audit } from '../audit/audit.js';
import { getAgent } from '../agents/agents.repo.js';
import { createApiKey, listApiKeys, revokeApiKey } from '../auth/keys.repo.js';
import { isRole, ROLES, type Role } from '../auth/roles.js';
import { withTransaction, type Db } from '../store/db.js';
import { UsageError } from './cli.options.js';

export const KEYS_USAGE = `ringwise keys create --role ${ROLES.join('|')} [--name NAME] [--agent-id ID]
       ringwise keys list
       ringwise keys revoke ID`;

export type KeysCommand = { action: 'create'; role: Role; name: string; agentId: number | null } | { action: 'list' } | { action: 'revoke'; id: number };

const usage = (msg: string) => new UsageError(`keys: ${msg}\nusage: ${KEYS_USAGE}`);

export function parseKeysArgs(args: string[]): KeysCommand {
  const [action, ...rest] = args;
  switch (action) {
    case 'create': {
      const opts = new Map<string, string>();
      for (let i = 0; i < rest.length; i++) {
        const m = /^--(role|name|agent-id)(?:=(.*))?$/.exec(rest[i]!);
        if (!m) throw usage(`unexpected argument "${rest[i]}"`);
        const value = m[2] ?? rest[++i];
        if (value === undefined || value === '') throw usage(`--${m[1]} needs a value`);
        opts.set(m[1]!, value);
      }
      const role = opts.get('role');
      if (!isRole(role)) throw usage(`--role must be one of ${ROLES.join(', ')}`);
      const rawAgent = opts.get('agent-id');
      const agentId = rawAgent === undefined ? null : Number(rawAgent);
      if (agentId !== null && (!Number.isSafeInteger(agentId) || agentId < 1)) throw usage('--agent-id must be a positive integer');
      if (agentId !== null && role !== 'agent') throw usage('--agent-id is only for agent keys');
      // An agent key acts for one agent (its calls, its state); one for nobody is refused.
      if (agentId === null && role === 'agent') throw usage('an agent key needs --agent-id (the agent it belongs to; POST /v1/agents makes both)');
      return { action: 'create', role, name: opts.get('name') ?? `${role} key`, agentId };
    }
    case 'list':
      if (rest.length) throw usage(`unexpected argument "${rest[0]}"`);
      return { action: 'list' };
    case 'revoke': {
      const id = Number(rest[0]);
      if (rest.length !== 1 || !Number.isSafeInteger(id) || id < 1) throw usage('revoke needs one key id');
      return { action: 'revoke', id };
    }
    default:
      throw usage(action ? `unknown action "${action}"` : 'missing action');
  }
}

interface Out {
  write(s: string): unknown;
}

/** `ringwise keys`: create prints the key once (it is stored only as a hash); audited as the CLI. */
export async function runKeysCommand(args: string[], deps: { db: Db; stdout: Out; stderr: Out }): Promise<number> {
  const cmd = parseKeysArgs(args);
  const { db, stdout, stderr } = deps;
  switch (cmd.action) {
    case 'create': {
      if (cmd.agentId !== null && !(await getAgent(db, cmd.agentId))) {
        stderr.write(`ringwise: no agent ${cmd.agentId}\n`);
        return 3;
      }
      const { key, row } = await withTransaction(db, async (c) => {
        const created = await createApiKey(c, { name: cmd.name, role: cmd.role, agentId: cmd.agentId });
        await audit(c, null, 'key.create', { type: 'api_key', id: created.row.id }, { role: cmd.role, via: 'cli' });
        return created;
      });
      stderr.write(`created key ${row.id} (${row.role}, "${row.name}"). It is shown once; store it now:\n`);
      stdout.write(`${key}\n`);
      return 0;
    }
    case 'list': {
      const rows = await listApiKeys(db);
      stdout.write(`${'ID'.padEnd(6)}${'ROLE'.padEnd(12)}${'PREFIX'.padEnd(12)}${'STATUS'.padEnd(10)}${'LAST USED'.padEnd(26)}NAME\n`);
      for (const r of rows) {
        const status = r.revokedAt ? 'revoked' : 'active';
        stdout.write(
          `${String(r.id).padEnd(6)}${r.role.padEnd(12)}${r.keyPrefix.padEnd(12)}${status.padEnd(10)}${(r.lastUsedAt?.toISOString() ?? '-').padEnd(26)}${r.name}\n`,
        );
      }
      return 0;
    }
    case 'revoke': {
      const row = await withTransaction(db, async (c) => {
        const r = await revokeApiKey(c, cmd.id);
        if (r) await audit(c, null, 'key.revoke', { type: 'api_key', id: r.id }, { via: 'cli' });
        return r;
      });
      if (!row) {
        stderr.write(`ringwise: no key ${cmd.id}\n`);
        return 1;
      }
      stdout.write(`revoked key ${row.id} (${row.role}, "${row.name}") at ${row.revokedAt!.toISOString()}\n`);
      return 0;
    }
  }
}
