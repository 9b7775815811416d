/**
 * What a ledger row counts as for the caps. A call counts as an attempt from the moment it is
 * reserved, and as a conversation from the moment it is answered, not only once it has ended:
 * the connected-per-day cap and the cooldown after a conversation must see a call that is still
 * going on (a second campaign must not reach the customer while the first one talks to them).
 * A call answered by a machine also counts until AMD and the end say otherwise: stricter is safe.
 */
export interface LedgerFacts {
  readonly state: string;
  /** Set when the call ends and a person was reached. */
  readonly connected: boolean;
}

export function countsAsConnected(row: LedgerFacts): boolean {
  return row.connected || row.state === 'answered';
}
