/**
 * How many of a campaign's dial jobs prepare at once in this process (read the contact, render
 * the prompt, take a slot) before their calls-per-second token. A worker runs thousands of dial
 * jobs at once (one per possible live call), and a fresh window started them all together: the
 * first job's queries and TTS then waited behind everybody's (7.5 s from launch to the first call
 * for 1,000 personalised prompts). Admitted in arrival order, up to about a second of the
 * campaign's calls (at least MIN_ADMITTED), so the token queue always has jobs ready and the
 * first in line is never behind the rest. A job leaves when it has its token (or ends).
 */
export const ADMIT_SECONDS = 1;
export const MIN_ADMITTED = 8;

export function admissionBound(callsPerSecond: number): number {
  return Math.max(MIN_ADMITTED, Math.ceil(callsPerSecond * ADMIT_SECONDS));
}

export interface Ticket {
  /** Idempotent: the first call frees the place. */
  leave(): void;
}

export interface Admission {
  enter(campaignId: string, callsPerSecond: number): Promise<Ticket>;
  /** Jobs admitted and waiting, per campaign (tests). */
  counts(campaignId: string): { admitted: number; waiting: number };
}

export function createAdmission(): Admission {
  const campaigns = new Map<string, { admitted: number; waiting: Array<() => void> }>();
  return {
    async enter(campaignId, callsPerSecond) {
      let c = campaigns.get(campaignId);
      if (!c) {
        c = { admitted: 0, waiting: [] };
        campaigns.set(campaignId, c);
      }
      const entry = c;
      if (entry.admitted >= admissionBound(callsPerSecond)) await new Promise<void>((r) => entry.waiting.push(r));
      else entry.admitted++;
      let left = false;
      return {
        leave() {
          if (left) return;
          left = true;
          // The place passes straight to the next in line, or is given back.
          const next = entry.waiting.shift();
          if (next) next();
          else if (--entry.admitted === 0) campaigns.delete(campaignId);
        },
      };
    },
    counts(campaignId) {
      const c = campaigns.get(campaignId);
      return { admitted: c?.admitted ?? 0, waiting: c?.waiting.length ?? 0 };
    },
  };
}
