/** A campaign contact's states (campaign_contacts.state), and the ones it never leaves. */
export const CONTACT_STATES = ['pending', 'queued', 'deferred', 'dialing', 'completed', 'blocked', 'failed', 'opted_out', 'cancelled', 'expired'] as const;
export type ContactState = (typeof CONTACT_STATES)[number];

/** Contact states that will not be dialed again: they count as progress. */
export const FINISHED_CONTACT_STATES: readonly ContactState[] = ['completed', 'blocked', 'failed', 'opted_out', 'cancelled', 'expired'];

export function isFinishedContact(state: string): boolean {
  return (FINISHED_CONTACT_STATES as readonly string[]).includes(state);
}
