/** Who may do what is decided per route; these are the only roles a key can carry. */
export const ROLES = ['admin', 'operator', 'supervisor', 'agent', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(v: unknown): v is Role {
  return typeof v === 'string' && (ROLES as readonly string[]).includes(v);
}

/** The authenticated caller of a request. */
export interface Principal {
  keyId: number;
  role: Role;
  /** Set for `agent` keys: the agent this key belongs to. */
  agentId: number | null;
}

/**
 * One rule for personal data, applied by every route and export (API responses, CSV):
 * - contact data (names, full phone numbers): admin and supervisor, and an agent for what its
 *   call scope lets it read at all (its own calls and their customers); the people who talk to
 *   or about a customer. Operators run campaigns and imports, which needs no number in clear.
 * - account data (external id, amount due, due date, days past due, risk score): everyone but
 *   viewers; operators choose segments and thresholds by them.
 * - viewers (dashboards, auditors) see both masked.
 */
export const CONTACT_DATA_ROLES: readonly Role[] = ['admin', 'supervisor', 'agent'];
export const ACCOUNT_DATA_ROLES: readonly Role[] = ['admin', 'operator', 'supervisor', 'agent'];

export function seesContactData(p: Pick<Principal, 'role'>): boolean {
  return CONTACT_DATA_ROLES.includes(p.role);
}

export function seesAccountData(p: Pick<Principal, 'role'>): boolean {
  return ACCOUNT_DATA_ROLES.includes(p.role);
}

/**
 * Which call-ledger rows (and customers behind them) a caller may read: every row, or only the
 * calls one agent took (`call_attempts.agent_id`, set when the agent was bridged). An `agent`
 * key is always scoped; one bound to no agent (`agentId` null) took no calls and reads nothing.
 */
export type CallScope = { readonly kind: 'all' } | { readonly kind: 'agent'; readonly agentId: number | null };

export const ALL_CALLS: CallScope = Object.freeze({ kind: 'all' });

export function callScope(p: Pick<Principal, 'role' | 'agentId'>): CallScope {
  return p.role === 'agent' ? { kind: 'agent', agentId: p.agentId } : ALL_CALLS;
}

/** The scope as two SQL parameters: `($n::boolean IS FALSE OR agent_id = $n+1::bigint)`. */
export function scopeParams(s: CallScope): [boolean, number | null] {
  return s.kind === 'agent' ? [true, s.agentId] : [false, null];
}
