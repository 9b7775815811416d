import type { AriPort } from './ports.js';

/**
 * The playbacks of one call: ids (`<attempt>.p<n>`), the one whose end the call waits for, the
 * prompt's (its start is the first audio; its end opens the menu) and what to do after a
 * confirmation. PlaybackFinished of any other id is one we stopped on purpose.
 */
export class SessionPlayback {
  private seq = 0;
  /** The playback whose PlaybackFinished the call waits for. */
  current: string | null = null;
  private prompt: string | null = null;
  private after: (() => void) | null = null;

  constructor(
    private readonly ari: AriPort,
    private readonly channelId: string,
  ) {}

  /** An adopted call: ids start past `n`, away from the old session's still-known playbacks. */
  skipIds(n: number): void {
    this.seq = Math.max(this.seq, n);
  }

  isPrompt(id: string): boolean {
    return id === this.prompt;
  }

  playPrompt(media: string[], onError: (err: unknown) => void): void {
    const id = this.nextId();
    this.prompt = id;
    this.current = id;
    this.after = null;
    this.ari.play(this.channelId, media, id).catch(onError);
  }

  /** Plays `media`, then runs `then` (at once when there is nothing to play or the request fails). */
  playThen(media: string[], then: () => void): void {
    if (media.length === 0) return then();
    const id = this.nextId();
    this.current = id;
    this.after = then;
    this.ari.play(this.channelId, media, id).catch(() => {
      this.current = null;
      this.after = null;
      then();
    });
  }

  /** A PlaybackFinished: true (and no longer current) when it is the one the call waits for. */
  take(id: string): boolean {
    if (id !== this.current) return false;
    this.current = null;
    return true;
  }

  endPrompt(): void {
    this.prompt = null;
  }

  /** What was to follow the playback that just finished (once). */
  takeAfter(): (() => void) | null {
    const next = this.after;
    this.after = null;
    return next;
  }

  /** DTMF does not stop a playback in Asterisk: only DELETE /playbacks/{id} does. */
  stop(): void {
    const id = this.current;
    this.current = null;
    this.prompt = null;
    this.after = null;
    if (id) this.ari.stopPlayback(id).catch(() => undefined);
  }

  private nextId(): string {
    this.seq += 1;
    return `${this.channelId}.p${this.seq}`;
  }
}
