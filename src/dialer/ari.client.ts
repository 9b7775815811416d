import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../shared/logger.js';
import { AriError, createAriHttp, isAriError, seg, type AriHttp } from './ari.http.js';
import { createAriRest, type AriRest, type EventFilter } from './ari.rest.js';
import { createAriSocket, type BackoffOptions } from './ari.socket.js';
import { isKnownAriEvent, parseAriEvent, type Application, type AriEvent, type AriEventOf, type AriEventType, type UnknownAriEvent } from './ari.types.js';
import { ConnectWaiters } from '../shared/connect-waiters.js';

export { AriError, isAriError } from './ari.http.js';
export type * from './ari.rest.js';

/** Connection lifecycle, delivered through the same registry as Asterisk's events. */
export interface AriLifecycleEvents {
  /** The websocket is open and the Stasis app is registered: dialing is safe. */
  connected: { reconnected: boolean };
  /** Asterisk would hang up answered calls now: stop dialing until `connected`. */
  disconnected: { code: number; reason: string };
  reconnecting: { attempt: number; delayMs: number; error: string };
}

export type AriListenerMap = { [K in AriEventType]: AriEventOf<K> } & AriLifecycleEvents;

export interface AriClientOptions {
  url: string;
  user: string;
  password: string;
  app: string;
  log: Logger;
  requestTimeoutMs?: number;
  backoff?: BackoffOptions;
  pingIntervalMs?: number;
  /** Applied at every (re)connect. Default drops ChannelVarset and ChannelDialplan; null keeps all. */
  eventFilter?: EventFilter | null;
  random?: () => number;
}

/**
 * A thin typed ARI client over fetch and ws. It replaces ari-client 2.2.0, which has had no
 * commit since 2020, turns HTTP errors into bare body text (the status is lost), gives up
 * reconnecting after 10 tries (about 43 s) and never frees the listeners it attaches to each
 * channel or bridge object. Here: one websocket per Stasis app, reconnected forever with capped,
 * jittered backoff; one listener registry; AriError carrying the status; a deadline on every call.
 */
export interface AriClient extends AriRest {
  readonly app: string;
  readonly isConnected: boolean;
  /** Starts the connection loop (idempotent); resolves once connected. Rejects on bad credentials, close(), or timeoutMs (the loop keeps going). */
  connect(opts?: { timeoutMs?: number }): Promise<void>;
  /** Stops reconnecting, closes the socket and aborts requests in flight; leaves no timer. */
  close(): Promise<void>;
  on<K extends keyof AriListenerMap>(type: K, listener: (event: AriListenerMap[K]) => void): () => void;
  /** Every event from Asterisk, including types this client does not name. */
  onAny(listener: (event: AriEvent | UnknownAriEvent) => void): () => void;
  /** Escape hatch for ARI calls not wrapped above; same errors and timeouts. */
  readonly http: AriHttp;
}

// Events no part of ringwise reads. A call's Dial (three per answered call), PlaybackContinuing
// (between the media of one playback) and StasisEnd (ChannelDestroyed says the same) were 5 of
// its 13 events: each one Asterisk serialises and sends, and the worker parses.
const DEFAULT_FILTER: EventFilter = { disallowed: ['ChannelVarset', 'ChannelDialplan', 'Dial', 'PlaybackContinuing', 'StasisEnd'] };

type AnyListener = (event: unknown) => void;

export function createAriClient(opts: AriClientOptions): AriClient {
  const log = opts.log.child({ component: 'ari', app: opts.app });
  const http = createAriHttp({ url: opts.url, user: opts.user, password: opts.password, timeoutMs: opts.requestTimeoutMs ?? 10_000 });
  const req = http.request;
  const rest = createAriRest(http, opts.app);
  const app = opts.app;
  const filter = opts.eventFilter === undefined ? DEFAULT_FILTER : opts.eventFilter;

  // One registry for the whole client: callers route by id, nothing is attached per channel.
  const listeners = new Map<string, Set<AnyListener>>();
  const anyListeners = new Set<AnyListener>();
  const waiters = new ConnectWaiters();
  let fatal: AriError | undefined;
  let closed = false;

  function emit(type: string, event: unknown): void {
    for (const set of [listeners.get(type), isLifecycle(type) ? undefined : anyListeners]) {
      if (!set) continue;
      for (const fn of [...set]) {
        try {
          fn(event);
        } catch (err) {
          log.error({ err, type }, 'ARI event listener threw');
        }
      }
    }
  }

  const settle = (err?: Error): void => waiters.settle(err);

  async function prepareApp(): Promise<void> {
    // The socket opens a moment before Asterisk registers the app; an originate in that gap
    // would be refused, so `connected` waits until the app is visible.
    for (let i = 0; ; i++) {
      try {
        await req<Application>('GET', `/applications/${seg(app)}`, { timeoutMs: 2_000 });
        break;
      } catch (err) {
        if (!isAriError(err, 404) || i >= 40) throw err;
        await sleep(50);
      }
    }
    if (!filter) return;
    // A filter is an optimisation: an Asterisk that refuses it still gets a working app.
    await rest.setEventFilter(filter).catch((err: unknown) => log.warn({ err }, 'ARI event filter refused; receiving every event type'));
  }

  const socket = createAriSocket(
    { url: opts.url, user: opts.user, password: opts.password, app, log, backoff: opts.backoff, pingIntervalMs: opts.pingIntervalMs, random: opts.random },
    {
      message(data) {
        const event = parseAriEvent(data);
        if (!event) {
          log.warn({ bytes: data.length }, 'ARI sent a frame that is not an event');
          return;
        }
        if (!isKnownAriEvent(event)) log.debug({ type: event.type }, 'ARI event of a type this client does not name');
        emit(event.type, event);
      },
      ready: prepareApp,
      connected(info) {
        emit('connected', info);
        settle();
      },
      disconnected(info) {
        emit('disconnected', info);
      },
      reconnecting(info) {
        emit('reconnecting', info);
      },
      fatal(err) {
        fatal = err;
        log.error({ err }, 'ARI refused the credentials; not retrying');
        settle(err);
      },
    },
  );

  return {
    app,
    http,
    get isConnected() {
      return socket.isConnected;
    },

    connect({ timeoutMs } = {}) {
      if (fatal) return Promise.reject(fatal);
      if (closed) return Promise.reject(new AriError({ method: 'GET', path: '/events', message: 'ARI client is closed' }));
      if (socket.isConnected) return Promise.resolve();
      const connected = waiters.wait(
        timeoutMs,
        () => new AriError({ method: 'GET', path: '/events', message: `ARI websocket not connected within ${timeoutMs} ms`, timedOut: true }),
      );
      socket.start();
      return connected;
    },

    async close() {
      if (closed) return;
      closed = true;
      settle(new AriError({ method: 'GET', path: '/events', message: 'ARI client closed before it connected' }));
      http.abortAll('ARI client closed');
      await socket.stop();
    },

    on(type, listener) {
      let set = listeners.get(type);
      if (!set) listeners.set(type, (set = new Set()));
      const fn = listener as AnyListener;
      set.add(fn);
      return () => {
        set.delete(fn);
        if (set.size === 0 && listeners.get(type) === set) listeners.delete(type);
      };
    },
    onAny(listener) {
      const fn = listener as AnyListener;
      anyListeners.add(fn);
      return () => void anyListeners.delete(fn);
    },

    ...rest,
  };
}

function isLifecycle(type: string): boolean {
  return type === 'connected' || type === 'disconnected' || type === 'reconnecting';
}
