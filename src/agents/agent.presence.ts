import type { Redis } from 'ioredis';
import type { Logger } from '../shared/logger.js';
import type { Db } from '../store/db.js';
import type { AmiClient, ContactListEvent, ContactStatusEvent } from './ami.client.js';
import { isTlsContact } from './agent.provision.js';
import { publishAgentEvent } from './agent.service.js';
import { setRegistered, syncRegistered } from './agents.repo.js';

/** ContactStatus values that mean the phone has a usable contact (qualify off reports NonQualified). */
const UP = new Set(['Created', 'NonQualified', 'Reachable', 'Updated']);
const DOWN = new Set(['Removed', 'Unreachable']);
/** A single-server install's name (RINGWISE_ASTERISK_NAME's default). */
export const DEFAULT_SERVER = 'asterisk-1';

export interface Presence {
  /** Re-reads every contact from Asterisk (done at each AMI (re)connect). */
  resync(): Promise<void>;
  stop(): void;
}

/**
 * Registration state from AMI, written to `agents.registered`: ContactStatus events while
 * connected, and a full PJSIPShowContacts after every (re)connect, because events missed while
 * disconnected are never replayed. AMI rather than ARI: ARI sends endpoint events only for
 * endpoints an app subscribed to one by one, AMI sends them all on one connection.
 */
export function startPresence(deps: { db: Db; ami: AmiClient; redis: Redis; prefix: string; log: Logger; server?: string }): Presence {
  // With several Asterisk servers each has its own presence, and registrations are per server.
  const server = deps.server ?? DEFAULT_SERVER;
  const log = deps.log.child({ component: 'agent-presence', server });
  const tell = (agentId: number, registered: boolean) =>
    publishAgentEvent(deps.redis, deps.prefix, agentId, { type: 'presence', registered }).catch((err: unknown) =>
      log.warn({ err, agentId }, 'presence event not published'),
    );

  const resync = async () => {
    const { events } = await deps.ami.listAction<ContactListEvent>('PJSIPShowContacts', {}, 'ContactListComplete');
    const live = events.filter((e) => e.status !== 'Unreachable');
    const secure = live.filter((e) => isTlsContact(e.uri)).map((e) => e.endpoint);
    const up = live.map((e) => e.endpoint);
    const changed = await syncRegistered(deps.db, server, up, secure);
    for (const c of changed) void tell(c.id, c.registered);
    log.info({ contacts: up.length, changed: changed.length }, 'agent registrations synced');
  };

  const onContact = (e: ContactStatusEvent) => {
    const registered = UP.has(e.contactstatus) ? true : DOWN.has(e.contactstatus) ? false : null;
    if (registered === null) return;
    // The aor is the agent's SIP user name (one aor per agent, max_contacts=1). A TLS agent's
    // contact that did not come over TLS counts as gone (setRegistered).
    setRegistered(deps.db, e.aor || e.endpointname, registered, server, isTlsContact(e.uri))
      .then((id) => {
        if (id !== null) {
          log.info({ agentId: id, registered }, 'agent registration changed');
          void tell(id, registered);
        }
      })
      .catch((err: unknown) => log.error({ err }, 'registration not saved'));
  };

  const offContact = deps.ami.on('ContactStatus', onContact);
  const offConnected = deps.ami.on('connected', () => {
    resync().catch((err: unknown) => log.error({ err }, 'registration resync failed'));
  });
  if (deps.ami.isConnected) resync().catch((err: unknown) => log.error({ err }, 'registration resync failed'));
  return {
    resync,
    stop() {
      offContact();
      offConnected();
    },
  };
}
