import { isAriError } from './ari.http.js';
import type { AriPort, ChannelInfo, OriginateParams } from './ports.js';

/**
 * What a failed originate means for the call. Under load an originate can time out on our side
 * while Asterisk places the call anyway: the customer's phone rings, and an answer with nobody
 * in the app would be a silent call. So a timeout or a server error is only a verdict once
 * Asterisk says the channel does not exist.
 * - `unreached`: the request never got to Asterisk (connection refused or reset before any
 *   answer, not a timeout): nothing was dialled.
 * - `uncertain`: a timeout or a 5xx: ask Asterisk for the channel before deciding.
 * - `refused`: Asterisk answered 4xx: it placed nothing and never will (a bad endpoint...).
 */
export type OriginateFailure = 'unreached' | 'uncertain' | 'refused';

export function classifyOriginateError(err: unknown): OriginateFailure {
  if (!isAriError(err)) return 'refused';
  if (err.timedOut) return 'uncertain';
  if (err.httpStatus === undefined) return 'unreached';
  return err.httpStatus >= 500 ? 'uncertain' : 'refused';
}

/** Where an adopted channel is, from `GET /channels/{id}`'s dialplan location. */
export function channelPlace(
  c: { dialplan?: { context: string; app_name?: string; app_data?: string } },
  amdContext: string,
): { inStasis: boolean; stasisApp: string | null; inAmd: boolean } {
  const d = c.dialplan;
  const inStasis = d?.app_name?.toLowerCase() === 'stasis';
  return { inStasis, stasisApp: inStasis ? ((d?.app_data ?? '').split(',')[0] ?? null) : null, inAmd: !inStasis && d?.context === amdContext };
}

// After an originate timed out with no channel in Asterisk yet: how long to keep looking.
const ORIGINATE_CHECKS = [0, 1_500, 3_000];

/**
 * After an uncertain originate: does Asterisk have the call? Its own events say so at once;
 * otherwise `GET /channels/{id}` a few times over three seconds (a request that waited in a
 * queue may still be carried out). The channel when found, `events` when only its events were
 * seen, null when there is no call.
 */
export async function confirmOriginate(ari: Pick<AriPort, 'getChannel'>, channelId: string, sawEvent: () => boolean): Promise<ChannelInfo | 'events' | null> {
  for (const waitMs of ORIGINATE_CHECKS) {
    if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
    if (sawEvent()) return 'events';
    const ch = await ari.getChannel(channelId).catch(() => undefined);
    if (ch) return ch;
  }
  return sawEvent() ? 'events' : null;
}

export type OriginateOutcome =
  | { placed: true; found?: undefined }
  /** The request failed uncertainly, yet Asterisk has the call (`found`): carry on with it. */
  | { placed: true; found: ChannelInfo | 'events'; err: unknown }
  | { placed: false; kind: OriginateFailure; err: unknown };

/**
 * The originate, then (with AMD, which runs outside the app) a subscription of our own to the
 * channel's events. A failure of either is a verdict only once Asterisk says it has no channel.
 */
export async function originateChecked(
  ari: Pick<AriPort, 'originate' | 'subscribeChannel' | 'getChannel'>,
  params: OriginateParams,
  o: { subscribe: boolean; sawEvent: () => boolean },
): Promise<OriginateOutcome> {
  try {
    await ari.originate(params);
    if (o.subscribe) await ari.subscribeChannel(params.channelId);
    return { placed: true };
  } catch (err) {
    const kind = classifyOriginateError(err);
    const found = kind === 'uncertain' ? await confirmOriginate(ari, params.channelId, o.sawEvent) : null;
    if (!found) return { placed: false, kind, err };
    if (o.subscribe) await ari.subscribeChannel(params.channelId).catch(() => undefined);
    return { placed: true, found, err };
  }
}
