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

/** Roles that see personal data (names, full phone numbers) in responses and exports. */
export const PERSONAL_DATA_ROLES: readonly Role[] = ['admin', 'operator', 'supervisor', 'agent'];

export function seesPersonalData(p: Pick<Principal, 'role'>): boolean {
  return PERSONAL_DATA_ROLES.includes(p.role);
}
