import type { Db } from '../store/db.js';
import type { Logger } from '../shared/logger.js';
import type { PromptPort } from '../dialer/ports.js';
import { getDialCampaign } from '../campaigns/campaign.repo.js';
import { getPromptContacts } from '../contacts/contacts.repo.js';
import { isFinishedContact } from '../contacts/contact.states.js';

/** Contacts rendered ahead at once per worker: one keeps a core for the live calls. */
export const AHEAD_CONCURRENCY = 1;
/** Contacts read per query. */
const PAGE = 200;
/** Past this many contacts waiting, new ones are dropped: their dial job renders them itself. */
const MAX_QUEUED = 100_000;

export interface RenderAhead {
  /** Queues these contacts' prompts for rendering; returns at once. */
  (campaignId: string, contactIds: readonly string[]): void;
  /** Contacts waiting to be rendered (tests, stats). */
  queued(): number;
  /** Resolves when nothing is queued or rendering (tests). */
  idle(): Promise<void>;
  close(): void;
}

/** Whether a prompt has anything to render (TTS or stored audio): sound-only prompts have not. */
function needsRender(prompt: unknown): boolean {
  const s = JSON.stringify(prompt ?? null);
  return s.includes('"tts"') || s.includes('"audio"');
}

/**
 * Renders the prompts of contacts about to be dialled, as expand tops the dial window up, so a
 * dial job finds its audio in the cache (content-hash files) instead of running TTS before its
 * call. In the background and bounded: `AHEAD_CONCURRENCY` contacts at a time in expand's order
 * (the dial order), through a nice'd TTS engine (`prompt.adapter.ts`); a dial job that comes
 * before its render renders for itself, at its own priority, and this one then finds the file.
 * Failures are left to the dial job, which turns a prompt that cannot be rendered into the
 * contact's state. Nothing here is durable: a restarted worker re-renders from its next top-up,
 * and a missed render only costs the dial job the time to render.
 */
export function createRenderAhead(deps: { db: Db; log: Logger; render: PromptPort; concurrency?: number }): RenderAhead {
  const queue: Array<{ campaignId: string; ids: readonly string[] }> = [];
  let queuedCount = 0;
  let running = 0;
  let closed = false;
  let idleWaiters: Array<() => void> = [];
  const prompts = new Map<string, { prompt: unknown; at: number }>();

  const campaignPrompt = async (campaignId: string): Promise<unknown> => {
    const hit = prompts.get(campaignId);
    if (hit && Date.now() - hit.at < 2_000) return hit.prompt;
    const c = await getDialCampaign(deps.db, campaignId);
    const prompt = c?.state === 'running' ? c.prompt : null;
    prompts.set(campaignId, { prompt, at: Date.now() });
    return prompt;
  };

  const renderBatch = async (campaignId: string, ids: readonly string[]): Promise<void> => {
    const prompt = await campaignPrompt(campaignId);
    if (!prompt || !needsRender(prompt)) return;
    for (const c of await getPromptContacts(deps.db, ids)) {
      if (closed) return;
      if (isFinishedContact(c.state)) continue;
      await deps.render(prompt, { ...c, id: c.customerId }, c.locale).catch((err: unknown) => {
        deps.log.debug({ err, campaignId, contactId: c.id }, 'render ahead failed: the dial job will report it');
      });
    }
  };

  const pump = async (): Promise<void> => {
    running++;
    try {
      for (let item = queue.shift(); item && !closed; item = queue.shift()) {
        queuedCount -= item.ids.length;
        await renderBatch(item.campaignId, item.ids).catch((err: unknown) =>
          deps.log.warn({ err, campaignId: item!.campaignId }, 'render ahead: batch failed'),
        );
      }
    } finally {
      running--;
      if (running === 0 && queue.length === 0) {
        const w = idleWaiters;
        idleWaiters = [];
        for (const r of w) r();
      }
    }
  };

  const ahead = ((campaignId: string, contactIds: readonly string[]) => {
    if (closed || contactIds.length === 0 || queuedCount >= MAX_QUEUED) return;
    for (let i = 0; i < contactIds.length; i += PAGE) {
      const ids = contactIds.slice(i, i + PAGE);
      // One page per item: several workers of the pool share a big top-up page by page.
      queue.push({ campaignId, ids });
      queuedCount += ids.length;
    }
    while (running < (deps.concurrency ?? AHEAD_CONCURRENCY) && queue.length > 0) void pump();
  }) as RenderAhead;
  ahead.queued = () => queuedCount;
  ahead.idle = () => (running === 0 && queue.length === 0 ? Promise.resolve() : new Promise((r) => idleWaiters.push(r)));
  ahead.close = () => {
    closed = true;
    queue.length = 0;
    queuedCount = 0;
  };
  return ahead;
}
