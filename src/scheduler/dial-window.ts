import type { DialCampaign } from '../campaigns/campaign.repo.js';

/**
 * The dial window: how many dial jobs a running campaign keeps ready in Redis ahead of its
 * pacing. Expand queues pending contacts only up to it and tops it up as it drains, so a
 * campaign of a million contacts holds a few thousand jobs in Redis, not a million (one BullMQ
 * job is ~0.8 KiB of Redis and one Lua call to add; enqueueing 1M took minutes).
 */
export const WINDOW_MIN = 200;
export const WINDOW_MAX = 50_000;
/** Seconds of dialing at the campaign's rate the window holds. */
export const WINDOW_SECONDS = 120;
export const TOP_UP_DELAY_MIN_MS = 1_000;
export const TOP_UP_DELAY_MAX_MS = 30_000;

export type WindowLimits = Pick<DialCampaign, 'callsPerSecond' | 'maxConcurrent'>;

/**
 * max(2 × channels, 120 s × calls/s), clamped to [200, 50,000].
 * - 120 s of calls at the campaign's rate: the re-run of expand comes at most every 30 s, so a
 *   window topped up then still has 90 s of dialing left; a slow or briefly failing expand (a
 *   PostgreSQL hiccup, a retried job) never starves the pacing.
 * - 2 × channels: a campaign limited by concurrency (long calls, low rate) still has a job for
 *   every free channel, plus as many again waiting for the pacing, whatever its rate.
 * - At least 200: small campaigns and tests do not top up in tiny steps.
 * - At most 50,000 (~40 MiB of Redis): 416 calls/s for 120 s, beyond any one campaign here.
 */
export function dialWindow(c: WindowLimits): number {
  const byRate = Math.ceil(Math.max(0, c.callsPerSecond) * WINDOW_SECONDS);
  const byChannels = Math.max(0, c.maxConcurrent) * 2;
  return Math.min(WINDOW_MAX, Math.max(WINDOW_MIN, byRate, byChannels));
}

/**
 * When expand runs again while contacts are still pending: about the time the campaign needs
 * to dial half its window at full rate (it can never drain faster than that by dialing),
 * clamped to [1 s, 30 s]. Half a 120 s window is 60 s, so this is 30 s unless the 50,000 cap
 * binds (above ~830 calls/s). Finishing dial jobs ask for earlier top-ups
 * (`createTopUpTrigger`); this re-run is what tops up when nothing finishes (all parked).
 */
export function topUpDelayMs(window: number, callsPerSecond: number): number {
  const rate = callsPerSecond > 0 ? callsPerSecond : 1;
  const ms = Math.round(((window / 2) * 1000) / rate);
  return Math.min(TOP_UP_DELAY_MAX_MS, Math.max(TOP_UP_DELAY_MIN_MS, ms));
}

/**
 * Smallest top-up worth a round of writes (a page read, an addBulk, a markQueued): a tenth of
 * the window. Below it expand leaves the window as it is; it stays at least 90 % full.
 */
export function minTopUp(window: number): number {
  return Math.max(1, Math.ceil(window / 10));
}
