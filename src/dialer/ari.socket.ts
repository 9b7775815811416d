import WebSocket from 'ws';
import type { Logger } from '../shared/logger.js';
import { AriError, ariBaseUrl, basicAuth } from './ari.http.js';

export interface BackoffOptions {
  /** First retry delay before jitter. */
  initialMs?: number;
  /** Cap on the delay before jitter. */
  maxMs?: number;
  factor?: number;
}

/**
 * Equal jitter: half the exponential delay is fixed, half random, so a fleet of workers that
 * lost Asterisk together does not come back in lockstep, and no retry is ever immediate.
 */
export function backoffDelay(attempt: number, o: Required<BackoffOptions>, random: () => number): number {
  const base = Math.min(o.maxMs, o.initialMs * o.factor ** attempt);
  return Math.round(base / 2 + random() * (base / 2));
}

export interface AriSocketOptions {
  url: string;
  user: string;
  password: string;
  app: string;
  /** Expected to carry the app name already (the client's child logger does). */
  log: Logger;
  backoff?: BackoffOptions;
  /** A ping this often; no pong by the next one means the link is dead and is dropped. */
  pingIntervalMs?: number;
  handshakeTimeoutMs?: number;
  random?: () => number;
}

export interface AriSocketHandlers {
  message(data: string): void;
  /** Runs after the socket opens and before `connected`; a throw drops the socket and retries. */
  ready(): Promise<void>;
  connected(info: { reconnected: boolean }): void;
  disconnected(info: { code: number; reason: string }): void;
  reconnecting(info: { attempt: number; delayMs: number; error: string }): void;
  /** The server refused our credentials: retrying cannot help. */
  fatal(err: AriError): void;
}

export interface AriSocket {
  start(): void;
  stop(): Promise<void>;
  readonly isConnected: boolean;
}

export function createAriSocket(opts: AriSocketOptions, on: AriSocketHandlers): AriSocket {
  const backoff: Required<BackoffOptions> = { initialMs: 500, maxMs: 10_000, factor: 2, ...opts.backoff };
  const random = opts.random ?? Math.random;
  const pingIntervalMs = opts.pingIntervalMs ?? 15_000;
  const wsUrl = new URL(`${ariBaseUrl(opts.url)}/events`);
  wsUrl.protocol = wsUrl.protocol === 'https:' ? 'wss:' : 'ws:';
  wsUrl.searchParams.set('app', opts.app);
  wsUrl.searchParams.set('subscribeAll', 'false');
  const log = opts.log;

  let ws: WebSocket | undefined;
  let started = false;
  let stopped = false;
  let connected = false;
  let everConnected = false;
  let attempt = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let pingTimer: NodeJS.Timeout | undefined;

  function open(): void {
    retryTimer = undefined;
    if (stopped) return;
    let rejectedStatus: number | undefined;
    let lastError = '';
    let awaitingPong = false;
    const sock = new WebSocket(wsUrl, {
      headers: { authorization: basicAuth(opts.user, opts.password) },
      handshakeTimeout: opts.handshakeTimeoutMs ?? 10_000,
      perMessageDeflate: false,
    });
    ws = sock;

    sock.on('unexpected-response', (_req, res) => {
      rejectedStatus = res.statusCode;
      res.resume();
      sock.terminate();
    });
    sock.on('error', (err) => {
      lastError = err.message;
    });
    sock.on('message', (data, isBinary) => {
      if (isBinary) return;
      on.message(Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString('utf8'));
    });
    sock.on('pong', () => {
      awaitingPong = false;
    });
    sock.on('open', () => {
      if (stopped) return;
      pingTimer = setInterval(() => {
        if (awaitingPong) {
          log.warn({}, 'ARI websocket missed a pong; dropping it');
          sock.terminate();
          return;
        }
        awaitingPong = true;
        sock.ping();
      }, pingIntervalMs);
      on.ready().then(
        () => {
          if (stopped || ws !== sock || sock.readyState !== WebSocket.OPEN) return;
          connected = true;
          attempt = 0;
          const reconnected = everConnected;
          everConnected = true;
          log.info({ reconnected }, 'ARI websocket connected');
          on.connected({ reconnected });
        },
        (err: unknown) => {
          lastError = err instanceof Error ? err.message : String(err);
          log.warn({ err }, 'ARI websocket opened but the app could not be prepared; retrying');
          sock.terminate();
        },
      );
    });
    sock.on('close', (code, reasonBuf) => {
      if (pingTimer) clearInterval(pingTimer);
      pingTimer = undefined;
      if (ws === sock) ws = undefined;
      const wasConnected = connected;
      connected = false;
      const reason = reasonBuf.toString('utf8') || lastError;
      if (wasConnected) {
        if (stopped) log.info({ code }, 'ARI websocket closed');
        else log.warn({ code, reason }, 'ARI websocket disconnected');
        on.disconnected({ code, reason });
      }
      if (stopped) return;
      if (rejectedStatus === 401 || rejectedStatus === 403) {
        stopped = true;
        on.fatal(
          new AriError({
            method: 'GET',
            path: '/events',
            httpStatus: rejectedStatus,
            message: `ARI websocket refused with ${rejectedStatus}: check ARI_USER/ARI_PASSWORD`,
          }),
        );
        return;
      }
      const delayMs = backoffDelay(attempt, backoff, random);
      attempt += 1;
      const error = rejectedStatus !== undefined ? `HTTP ${rejectedStatus}` : reason || `closed with ${code}`;
      log.info({ attempt, delayMs, error }, 'ARI websocket reconnecting');
      on.reconnecting({ attempt, delayMs, error });
      retryTimer = setTimeout(open, delayMs);
    });
  }

  return {
    get isConnected() {
      return connected;
    },
    start() {
      if (started) return;
      started = true;
      open();
    },
    async stop() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = undefined;
      const sock = ws;
      if (!sock) return;
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => sock.terminate(), 1_000);
        sock.once('close', () => {
          clearTimeout(force);
          resolve();
        });
        if (sock.readyState === WebSocket.OPEN) sock.close(1000, 'client closing');
        else sock.terminate();
      });
    },
  };
}
