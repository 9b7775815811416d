import { randomBytes } from 'node:crypto';
import type { Logger } from '../shared/logger.js';
import { AmiError, loadManager, type RawManager } from './ami.manager.js';
import type { AmiEventBase, AmiEventMap, AmiResponse } from './ami.types.js';
import { ConnectWaiters } from '../shared/connect-waiters.js';

export { AmiError } from './ami.manager.js';
export type * from './ami.types.js';

export interface AmiClientOptions {
  host: string;
  port: number;
  user: string;
  password: string;
  log: Logger;
  /** Receive events at all (login `Events: on`). Default true. */
  events?: boolean;
  /** Narrow the event classes after login (`Events` action), e.g. "system,call". */
  eventMask?: string;
  actionTimeoutMs?: number;
  connectTimeoutMs?: number;
  backoff?: { initialMs?: number; maxMs?: number; factor?: number };
  random?: () => number;
}

export interface AmiLifecycle {
  connected: { reconnected: boolean };
  disconnected: { reason: string };
  reconnecting: { attempt: number; delayMs: number; error: string };
}

export type AmiListenerMap = AmiEventMap & AmiLifecycle;

/**
 * A promise-based wrapper around asterisk-manager. The library is kept for the wire format;
 * connection life is ours: one library instance per connection, never its keepConnected()
 * (its retry timer survives disconnect() and its held actions replay after a reconnect).
 */
export interface AmiClient {
  readonly isConnected: boolean;
  /** Starts the loop (idempotent); resolves when logged in. Rejects on bad credentials, close(), or timeoutMs (the loop keeps going). */
  connect(opts?: { timeoutMs?: number }): Promise<void>;
  action(name: string, fields?: Record<string, unknown>, opts?: { timeoutMs?: number }): Promise<AmiResponse>;
  /** A list action: resolves with every event carrying its ActionID until `completeEvent`. "No … found" is an empty list. */
  listAction<E extends AmiEventBase = AmiEventBase>(
    name: string,
    fields: Record<string, unknown>,
    completeEvent: string,
    opts?: { timeoutMs?: number },
  ): Promise<{ response: AmiResponse; events: E[] }>;
  on<K extends keyof AmiListenerMap>(event: K, listener: (e: AmiListenerMap[K]) => void): () => void;
  /** Every unsolicited event, typed or not. */
  onAny(listener: (e: AmiEventBase) => void): () => void;
  /** Logs off, stops reconnecting, rejects what is pending; leaves no timer. */
  close(): Promise<void>;
}

interface Pending {
  reject(err: Error): void;
}

export function createAmiClient(opts: AmiClientOptions): AmiClient {
  const Manager = loadManager();
  const log = opts.log.child({ component: 'ami', host: opts.host, port: opts.port });
  const backoff = { initialMs: 500, maxMs: 10_000, factor: 2, ...opts.backoff };
  const random = opts.random ?? Math.random;
  const actionTimeoutMs = opts.actionTimeoutMs ?? 5_000;
  const idPrefix = `rw-${randomBytes(3).toString('hex')}`;
  let seq = 0;

  const listeners = new Map<string, Set<(e: never) => void>>();
  const anyListeners = new Set<(e: AmiEventBase) => void>();
  const pending = new Map<string, Pending>();
  const lists = new Map<string, (e: AmiEventBase) => void>();
  const waiters = new ConnectWaiters();

  let current: RawManager | undefined;
  let loggedIn = false;
  let everConnected = false;
  let started = false;
  let closed = false;
  let fatal: AmiError | undefined;
  let attempt = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let connectTimer: NodeJS.Timeout | undefined;
  let closedSignal: (() => void) | undefined;

  function emit(name: string, e: unknown, toAny: boolean): void {
    for (const fn of [...(listeners.get(name) ?? [])]) safely(() => (fn as (x: unknown) => void)(e), name);
    if (toAny) for (const fn of [...anyListeners]) safely(() => fn(e as AmiEventBase), name);
  }
  function safely(fn: () => void, name: string): void {
    try {
      fn();
    } catch (err) {
      log.error({ err, event: name }, 'AMI listener threw');
    }
  }
  const settle = (err?: Error): void => waiters.settle(err);

  function attemptConnection(): void {
    retryTimer = undefined;
    if (closed) return;
    const mgr = Manager(undefined, opts.host, opts.user, opts.password, opts.events ?? true);
    current = mgr;
    let tcpOpen = false;
    let abandoned = false;
    let authFailed: AmiResponse | undefined;
    let lastError = '';

    mgr.on('error', (err: Error) => {
      lastError = err.message;
    });
    mgr.on('managerevent', (e: AmiEventBase) => {
      if (mgr !== current) return;
      const collect = e.actionid !== undefined ? lists.get(e.actionid) : undefined;
      if (collect) return collect(e);
      emit(e.event, e, true);
    });
    mgr.on('close', () => {
      if (connectTimer && mgr === current) clearTimeout(connectTimer);
      if (mgr !== current) return;
      current = undefined;
      const wasLoggedIn = loggedIn;
      loggedIn = false;
      for (const [id, p] of pending) {
        pending.delete(id);
        p.reject(new AmiError('ami_disconnected', 'AMI connection closed before the answer'));
      }
      if (wasLoggedIn) {
        if (closed) log.info('AMI closed');
        else log.warn({ reason: lastError || 'closed' }, 'AMI disconnected');
        emit('disconnected', { reason: lastError || 'closed' }, false);
      }
      closedSignal?.();
      if (closed) return;
      if (authFailed) {
        fatal = new AmiError('ami_auth_failed', `AMI login refused: ${authFailed.message ?? 'error'}`);
        log.error({ err: fatal }, 'AMI refused the credentials; not retrying');
        settle(fatal);
        return;
      }
      scheduleRetry(lastError || 'connection closed');
    });

    connectTimer = setTimeout(() => {
      // The library can neither cancel a TCP connect in progress nor destroy a socket (its
      // disconnect() only half-closes, and orphans one still connecting): abandon the attempt,
      // let the socket end when the peer closes or connects, and move on to a fresh one.
      lastError = `not logged in within ${opts.connectTimeoutMs ?? 5_000} ms`;
      abandoned = true;
      if (tcpOpen) mgr.disconnect();
      current = undefined;
      scheduleRetry(lastError);
    }, opts.connectTimeoutMs ?? 5_000);

    mgr.connect(opts.port, opts.host, () => {
      tcpOpen = true;
      if (abandoned || closed) return mgr.disconnect();
      mgr.login((err) => {
        if (mgr !== current) return;
        if (err) {
          authFailed = err;
          return; // Asterisk closes the session itself after a failed login.
        }
        void afterLogin(mgr);
      });
    });
  }

  function scheduleRetry(error: string): void {
    const delayMs = Math.round(Math.min(backoff.maxMs, backoff.initialMs * backoff.factor ** attempt) * (0.5 + random() / 2));
    attempt += 1;
    log.info({ attempt, delayMs, error }, 'AMI reconnecting');
    emit('reconnecting', { attempt, delayMs, error }, false);
    retryTimer = setTimeout(attemptConnection, delayMs);
  }

  async function afterLogin(mgr: RawManager): Promise<void> {
    if (connectTimer) clearTimeout(connectTimer);
    loggedIn = true;
    try {
      if (opts.eventMask) await send(mgr, 'Events', { EventMask: opts.eventMask }, actionTimeoutMs);
    } catch (err) {
      log.warn({ err }, 'AMI event mask refused; keeping the login default');
    }
    if (mgr !== current || !loggedIn) return;
    attempt = 0;
    const reconnected = everConnected;
    everConnected = true;
    log.info({ reconnected }, 'AMI connected');
    emit('connected', { reconnected }, false);
    settle();
  }

  const nextId = (): string => `${idPrefix}-${++seq}`;

  function send(
    mgr: RawManager,
    name: string,
    fields: Record<string, unknown>,
    timeoutMs: number,
    { id = nextId(), onFailure }: { id?: string; onFailure?: (r: AmiResponse) => AmiResponse | undefined } = {},
  ): Promise<AmiResponse> {
    return new Promise<AmiResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        mgr.removeAllListeners(id);
        reject(new AmiError('ami_timeout', `AMI ${name} got no answer within ${timeoutMs} ms`, { action: name }));
      }, timeoutMs);
      pending.set(id, {
        reject(err) {
          clearTimeout(timer);
          mgr.removeAllListeners(id);
          reject(err);
        },
      });
      mgr.action({ ...fields, action: name, actionid: id }, (err, res) => {
        if (!pending.delete(id)) return;
        clearTimeout(timer);
        if (!err) return resolve(res);
        const recovered = onFailure?.(err);
        if (recovered) return resolve(recovered);
        reject(
          new AmiError('ami_action_failed', `AMI ${name} failed: ${err.message ?? err.response}`, {
            action: name,
            response: err.response,
            message: err.message ?? null,
          }),
        );
      });
    });
  }

  function live(): RawManager {
    if (closed) throw new AmiError('ami_closed', 'AMI client is closed');
    if (!current || !loggedIn) throw new AmiError('ami_not_connected', 'AMI is not connected');
    return current;
  }

  return {
    get isConnected() {
      return loggedIn;
    },

    connect({ timeoutMs } = {}) {
      if (fatal) return Promise.reject(fatal);
      if (closed) return Promise.reject(new AmiError('ami_closed', 'AMI client is closed'));
      if (loggedIn) return Promise.resolve();
      const connected = waiters.wait(timeoutMs, () => new AmiError('ami_not_connected', `AMI not connected within ${timeoutMs} ms`));
      if (!started) {
        started = true;
        attemptConnection();
      }
      return connected;
    },

    async action(name, fields = {}, o = {}) {
      return send(live(), name, fields, o.timeoutMs ?? actionTimeoutMs);
    },

    async listAction<E extends AmiEventBase>(name: string, fields: Record<string, unknown>, completeEvent: string, o: { timeoutMs?: number } = {}) {
      const mgr = live();
      const events: E[] = [];
      const id = nextId();
      const done = new Promise<void>((resolve) => {
        lists.set(id, (e) => {
          if (e.event.toLowerCase() === completeEvent.toLowerCase()) resolve();
          else events.push(e as E);
        });
      });
      const timeoutMs = o.timeoutMs ?? actionTimeoutMs;
      try {
        const empty = (r: AmiResponse) => (/^no .* found/i.test(r.message ?? '') ? { ...r, empty: 'true' } : undefined);
        const response = await send(mgr, name, fields, timeoutMs, { id, onFailure: empty });
        if (response['empty'] === 'true') return { response, events: [] };
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new AmiError('ami_timeout', `AMI ${name} sent no ${completeEvent} within ${timeoutMs} ms`, { action: name })),
            timeoutMs,
          );
        });
        try {
          await Promise.race([done, timeout]);
        } finally {
          clearTimeout(timer);
        }
        return { response, events };
      } finally {
        lists.delete(id);
      }
    },

    on(event, listener) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      const fn = listener as (e: never) => void;
      set.add(fn);
      return () => void set.delete(fn);
    },
    onAny(listener) {
      anyListeners.add(listener);
      return () => void anyListeners.delete(listener);
    },

    async close() {
      if (closed) return;
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      if (connectTimer) clearTimeout(connectTimer);
      settle(new AmiError('ami_closed', 'AMI client closed before it connected'));
      const mgr = current;
      if (!mgr) return;
      const gone = new Promise<void>((resolve) => (closedSignal = resolve));
      if (loggedIn) await send(mgr, 'Logoff', {}, 1_000).catch(() => undefined);
      if (mgr.isConnected()) mgr.disconnect();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([gone, new Promise<void>((r) => (timer = setTimeout(r, 2_000)))]);
      clearTimeout(timer);
    },
  };
}
