import { isAriError } from './ari.http.js';

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
export function channelPlace(c: { dialplan?: { context: string; app_name?: string; app_data?: string } }, amdContext: string): { inStasis: boolean; stasisApp: string | null; inAmd: boolean } {
  const d = c.dialplan;
  const inStasis = d?.app_name?.toLowerCase() === 'stasis';
  return { inStasis, stasisApp: inStasis ? (d?.app_data ?? '').split(',')[0] ?? null : null, inAmd: !inStasis && d?.context === amdContext };
}
