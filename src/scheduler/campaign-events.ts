import type { Redis } from 'ioredis';
import type { Logger } from '../shared/logger.js';
import { addNextAttempt, campaignStateChannel, createQueues, requestExpand, type Queues } from './queues.js';
import type { CampaignState } from '../campaigns/campaign.state.js';

/**
 * The API's side of campaign control: launch and resume queue an expand job (which fills the
 * campaign's dial window from its pending contacts), and every change is published so workers see pause and cancel at once.
 */
export interface CampaignEvents {
  campaignStateChanged(campaignId: string | number, state: string): Promise<void>;
  /** An agent's callback: the contact's next attempt, dialed at `at` through the gate like any other. */
  callbackRequested(c: { campaignId: string; contactId: string; attemptNo: number; at: Date }): Promise<void>;
}

export function createCampaignEvents(queues: Pick<Queues, 'campaign' | 'dial'>, redis: Redis, prefix: string, log: Logger): CampaignEvents {
  return {
    async callbackRequested(c) {
      await addNextAttempt(queues.dial, c);
      log.info({ campaignId: c.campaignId, contactId: c.contactId, attemptNo: c.attemptNo, at: c.at.toISOString() }, 'callback queued');
    },
    async campaignStateChanged(campaignId, state) {
      const id = String(campaignId);
      await redis.publish(campaignStateChannel(prefix), JSON.stringify({ campaignId: id, state }));
      // Promotes a waiting top-up: after a resume the contacts a pause gave back are queued now.
      if (state === 'running') await requestExpand(queues.campaign, id);
      log.info({ campaignId: id, state }, 'campaign state published');
    },
  };
}

/** Campaign events over queues of their own: the API, the worker and the CLI commands all build them this one way. */
export interface OpenCampaignEvents {
  events: CampaignEvents;
  /** Closes the queues the events use (not the Redis connection, which the caller owns). */
  close(): Promise<void>;
}

export function openCampaignEvents(redis: Redis, prefix: string, log: Logger): OpenCampaignEvents {
  const queues = createQueues(redis, prefix);
  return { events: createCampaignEvents(queues, redis, prefix, log), close: () => queues.close() };
}

/** The workers' side: a local view of campaign states, fed by the API's messages. */
export interface CampaignStateWatch {
  get(campaignId: string): CampaignState | undefined;
  close(): Promise<void>;
}

export async function watchCampaignStates(subscriber: Redis, prefix: string, log: Logger): Promise<CampaignStateWatch> {
  const states = new Map<string, CampaignState>();
  const channel = campaignStateChannel(prefix);
  subscriber.on('message', (ch: string, message: string) => {
    if (ch !== channel) return;
    try {
      const m = JSON.parse(message) as { campaignId?: unknown; state?: unknown };
      if (typeof m.campaignId === 'string' && typeof m.state === 'string') {
        states.set(m.campaignId, m.state as CampaignState);
        log.info({ campaignId: m.campaignId, state: m.state }, 'campaign state changed');
      }
    } catch {
      log.warn('unreadable campaign state message');
    }
  });
  await subscriber.subscribe(channel);
  return {
    get: (id) => states.get(id),
    async close() {
      await subscriber.quit().catch(() => undefined);
    },
  };
}
