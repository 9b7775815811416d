import type { AriEvent, AriPort } from '../dialer/ports.js';

/**
 * Backpressure from Asterisk: when it slows down, the worker dials slower instead of piling
 * originates onto it until they fail. Each worker watches its own originates (they all go to
 * the same Asterisk, so one process's view is a fair sample) and scales every campaign's
 * calls per second by one factor in [FACTOR_MIN, 1]: cut multiplicatively when a window shows
 * trouble, raised a little per calm window (AIMD, as TCP does), so a short spike costs seconds
 * and a lasting overload settles at what Asterisk takes. As in TCP, one cut per round trip: only
 * originates sent after the last cut are judged (those sent before it report the overload the
 * cut already answered; counting them cut a loaded run to the floor in seconds).
 *
 * Signals, per window of WINDOW_MS:
 * - `ari_errors`: an originate request failed or timed out (its call was lost to overload);
 * - `asterisk_slow`: originate → the channel's first event (Dial, ringing, answer or hangup;
 *   Asterisk's own setup time, not the callee's ring time) p90 over SLOW_MS;
 * - `channels_in_setup`: originates still without any event after SLOW_MS, past BACKLOG (a
 *   backlog inside Asterisk that the latency sample would only show once it clears).
 */
export const WINDOW_MS = 500;
export const SLOW_MS = 1_000;
export const BACKLOG = 20;
export const FACTOR_MIN = 0.05;
/** Added per calm window: from half speed back to full in five seconds. */
export const RECOVER_STEP = 0.05;

export type HoldReason = 'ari_errors' | 'asterisk_slow' | 'channels_in_setup';

export interface WindowSignals {
  errors: number;
  /** originate → first channel event, ms, for the channels that had one in this window. */
  setupMs: number[];
  /** Originates without any event for longer than SLOW_MS, now. */
  stuck: number;
}

export interface Pressure {
  factor: number;
  /** Why the last cut happened while the factor is below 1; null at full speed. */
  reason: HoldReason | null;
}

function p90(xs: number[]): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * 0.9))]!;
}

/** Pure: the next factor from the last one and one window's signals. */
export function nextPressure(prev: Pressure, w: WindowSignals): Pressure {
  const cut = (mult: number, reason: HoldReason): Pressure => ({ factor: Math.max(FACTOR_MIN, prev.factor * mult), reason });
  if (w.errors > 0) return cut(0.5, 'ari_errors');
  if (w.setupMs.length > 0 && p90(w.setupMs) > SLOW_MS) return cut(0.7, 'asterisk_slow');
  if (w.stuck > BACKLOG) return cut(0.7, 'channels_in_setup');
  const factor = Math.min(1, prev.factor + RECOVER_STEP);
  return { factor, reason: factor >= 1 ? null : prev.reason };
}

export interface Backpressure {
  /** The ARI port to give the dialer: the same port, observed. */
  ari: AriPort;
  current(): Pressure;
  /** Scales a campaign's calls per second by the current factor. */
  scale(callsPerSecond: number): number;
  /** Runs each window; `onChange` hears every change of factor. */
  start(onChange?: (now: Pressure, before: Pressure) => void): void;
  stop(): void;
}

export function createBackpressure(inner: AriPort, clock: () => number = Date.now): Backpressure {
  let pressure: Pressure = { factor: 1, reason: null };
  const pending = new Map<string, number>();
  let window: WindowSignals = { errors: 0, setupMs: [], stuck: 0 };
  let lastCut = -Infinity;
  let timer: NodeJS.Timeout | undefined;

  const observe = (e: AriEvent): void => {
    const id = e.channel?.id;
    if (id === undefined) return;
    const sent = pending.get(id);
    if (sent === undefined) return;
    pending.delete(id);
    if (sent >= lastCut) window.setupMs.push(clock() - sent);
  };

  const onEvent: AriPort['onEvent'] = (handler) =>
    inner.onEvent((e) => {
      observe(e);
      handler(e);
    });
  const originate: AriPort['originate'] = async (p) => {
    const sent = clock();
    pending.set(p.channelId, sent);
    try {
      await inner.originate(p);
    } catch (err) {
      pending.delete(p.channelId);
      if (sent >= lastCut) window.errors++;
      throw err;
    }
  };
  // The same port with two methods observed; a Proxy, so methods the port gains pass through.
  const ari = new Proxy(inner, {
    get(target, key) {
      if (key === 'onEvent') return onEvent;
      if (key === 'originate') return originate;
      const v: unknown = Reflect.get(target, key, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });

  const tick = (onChange?: (now: Pressure, before: Pressure) => void): void => {
    const now = clock();
    let stuck = 0;
    for (const [id, sent] of pending) {
      if (now - sent > SLOW_MS && sent >= lastCut) stuck++;
      // A channel we never heard of again (a lost event): forget it after a minute.
      if (now - sent > 60_000) pending.delete(id);
    }
    const before = pressure;
    pressure = nextPressure(pressure, { ...window, stuck });
    window = { errors: 0, setupMs: [], stuck: 0 };
    if (pressure.factor < before.factor) lastCut = now;
    if (pressure.factor !== before.factor) onChange?.(pressure, before);
  };

  return {
    ari,
    current: () => pressure,
    scale: (cps) => cps * pressure.factor,
    start(onChange) {
      timer ??= setInterval(() => tick(onChange), WINDOW_MS);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
}
