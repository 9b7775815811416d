import { Agent, request as httpRequest, type ClientRequest } from 'node:http';
import { createConnection, type NetConnectOpts, type Socket } from 'node:net';
import { AppError } from '../shared/errors.js';

/**
 * A failed ARI request. `code` is stable (`ari_http_<status>` or `ari_unreachable`); the
 * Asterisk status and body travel with it. Its own `status` is what the API would answer if
 * it ever surfaced (502/503): an ARI 404 is a gateway failure, not a missing API resource.
 */
export class AriError extends AppError {
  /** HTTP status Asterisk answered, or undefined when it never answered. */
  readonly httpStatus: number | undefined;
  readonly body: string;
  readonly method: string;
  readonly path: string;
  /** True when the request was abandoned at its deadline: it may still have taken effect. */
  readonly timedOut: boolean;

  constructor(opts: { method: string; path: string; httpStatus?: number; body?: string; message: string; timedOut?: boolean; cause?: unknown }) {
    const code = opts.httpStatus === undefined ? 'ari_unreachable' : `ari_http_${opts.httpStatus}`;
    super(code, opts.message, opts.httpStatus === undefined ? 503 : 502, {
      method: opts.method,
      path: opts.path,
      httpStatus: opts.httpStatus ?? null,
      body: opts.body ?? '',
    });
    this.name = 'AriError';
    this.httpStatus = opts.httpStatus;
    this.body = opts.body ?? '';
    this.method = opts.method;
    this.path = opts.path;
    this.timedOut = opts.timedOut ?? false;
    if (opts.cause !== undefined) (this as { cause?: unknown }).cause = opts.cause;
  }
}

export function isAriError(err: unknown, httpStatus?: number): err is AriError {
  return err instanceof AriError && (httpStatus === undefined || err.httpStatus === httpStatus);
}

export type QueryValue = string | number | boolean | readonly string[] | undefined;

export interface AriRequest {
  query?: Record<string, QueryValue>;
  body?: unknown;
  timeoutMs?: number;
  /**
   * `dial`: a new call (originate). New calls have their own few connections, so a burst of them
   * queues behind itself and never delays what live calls need (play, hangup, bridge).
   */
  lane?: 'dial' | 'call';
}

export interface AriHttp {
  request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, req?: AriRequest): Promise<T>;
  /** Aborts every request in flight (used by close()). */
  abortAll(reason: string): void;
}

export interface AriHttpOptions {
  /** Base URL of Asterisk's HTTP server, e.g. http://127.0.0.1:8088 (with or without /ari). */
  url: string;
  user: string;
  password: string;
  timeoutMs?: number;
  /** Keep-alive connections to Asterisk's HTTP server per lane; requests beyond them wait for one. */
  maxSockets?: { dial: number; call: number };
}

/**
 * At most `limit` TCP connects to Asterisk in flight from this process. Asterisk's HTTP server
 * listens with a backlog of 10: a burst of new connections past it has SYNs dropped, and each
 * comes back a second later (the kernel's first retransmit). Seen as a cluster of ~1,040 ms
 * answer→first audio when a campaign starts dialing with cold pools.
 */
function connectGate(limit: number): (opts: NetConnectOpts, cb: (err: Error | null, socket?: Socket) => void) => void {
  let active = 0;
  const waiting: Array<() => void> = [];
  const release = (): void => {
    active--;
    waiting.shift()?.();
  };
  return (opts, cb) => {
    const open = (): void => {
      active++;
      const socket = createConnection(opts);
      let settled = false;
      const settle = (): void => {
        if (settled) return;
        settled = true;
        release();
      };
      socket.once('connect', settle);
      socket.once('close', settle);
      cb(null, socket);
    };
    if (active < limit) open();
    else waiting.push(open);
  };
}

function pool(maxSockets: number, gate: ReturnType<typeof connectGate>): Agent {
  const agent = new Agent({ keepAlive: true, maxSockets });
  // Agent calls createConnection(options, callback) and accepts the socket through the callback.
  (agent as unknown as { createConnection: typeof gate }).createConnection = gate;
  return agent;
}

interface Answer {
  status: number;
  text: string;
}

/**
 * One request over a bounded keep-alive pool (one per lane, 16 + 48 connections: well under
 * the sessionlimit our http.conf sets, and Asterisk's default of 100). Not fetch: its default pool opens a new socket
 * for every request it cannot place at once, and in a burst of calls each costs Asterisk an
 * HTTP thread and, past its listen backlog, a dropped SYN that comes back a second later (seen
 * in the benchmark as a 1 s tail on answer→first audio).
 */
function send(
  agent: Agent,
  target: { hostname: string; port: string; path: string },
  method: string,
  headers: Record<string, string>,
  body: string | null,
  timeoutMs: number,
  inFlight: Set<ClientRequest>,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // A timer and destroy() rather than AbortSignal.any + AbortSignal.timeout: every call makes
    // several requests, and the signals cost more CPU than the rest of the request.
    const req = httpRequest(
      {
        agent,
        hostname: target.hostname,
        port: target.port,
        path: target.path,
        method,
        headers: body === null ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          settle();
          resolve({ status: res.statusCode ?? 0, text: chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', (err) => {
          settle();
          reject(err);
        });
      },
    );
    inFlight.add(req);
    // Declared after the request: its callbacks run later, once the timer exists.
    const timer = setTimeout(() => req.destroy(new RequestTimeout(timeoutMs)), timeoutMs);
    function settle(): void {
      clearTimeout(timer);
      inFlight.delete(req);
    }
    req.on('error', (err) => {
      settle();
      reject(err);
    });
    req.end(body ?? undefined);
  });
}

class RequestTimeout extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

export function ariBaseUrl(url: string): string {
  const trimmed = url.replace(/\/+$/, '');
  return trimmed.endsWith('/ari') ? trimmed : `${trimmed}/ari`;
}

export function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** Path segment: ids come from callers and must never change the route. */
export const seg = (s: string): string => encodeURIComponent(s);

export function createAriHttp(opts: AriHttpOptions): AriHttp {
  const base = ariBaseUrl(opts.url);
  const auth = basicAuth(opts.user, opts.password);
  const defaultTimeout = opts.timeoutMs ?? 10_000;
  const gate = connectGate(8);
  const lanes = {
    dial: pool(opts.maxSockets?.dial ?? 16, gate),
    call: pool(opts.maxSockets?.call ?? 48, gate),
  };
  const inFlight = new Set<ClientRequest>();
  const origin = new URL(base);
  const hostname = origin.hostname.replace(/^\[|\]$/g, '');
  const port = origin.port || '80'; // node:http: ARI is plain HTTP (README, Security: never exposed)
  const prefix = origin.pathname.replace(/\/+$/, '');

  async function request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, req: AriRequest = {}): Promise<T> {
    // The query by hand: a URL object per request was a measurable part of every call's CPU.
    let query = '';
    for (const k in req.query) {
      const v = req.query[k];
      if (v === undefined) continue;
      query += `${query === '' ? '?' : '&'}${encodeURIComponent(k)}=${encodeURIComponent(Array.isArray(v) ? v.join(',') : String(v))}`;
    }
    const timeoutMs = req.timeoutMs ?? defaultTimeout;
    const headers: Record<string, string> = { authorization: auth, accept: 'application/json' };
    if (req.body !== undefined) headers['content-type'] = 'application/json';
    let res: Answer;
    try {
      res = await send(
        lanes[req.lane ?? 'call'],
        { hostname, port, path: prefix + path + query },
        method,
        headers,
        req.body === undefined ? null : JSON.stringify(req.body),
        timeoutMs,
        inFlight,
      );
    } catch (err) {
      const timedOut = err instanceof RequestTimeout;
      const why = timedOut ? err.message : errorText(err);
      throw new AriError({ method, path, message: `ARI ${method} ${path}: ${why}`, timedOut, cause: err });
    }
    const text = res.text;
    if (res.status < 200 || res.status > 299) {
      throw new AriError({
        method,
        path,
        httpStatus: res.status,
        body: text,
        message: `ARI ${method} ${path} failed with ${res.status}: ${bodyMessage(text)}`,
      });
    }
    if (text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new AriError({ method, path, httpStatus: res.status, body: text, message: `ARI ${method} ${path}: response is not JSON`, cause: err });
    }
  }

  return {
    request,
    abortAll(reason) {
      for (const r of inFlight) r.destroy(new Error(reason));
      inFlight.clear();
      // close(): the idle keep-alive sockets would hold the process open.
      lanes.dial.destroy();
      lanes.call.destroy();
    },
  };
}

function bodyMessage(text: string): string {
  try {
    const v = JSON.parse(text) as { message?: unknown };
    if (typeof v.message === 'string') return v.message;
  } catch {
    // Asterisk answers some failures (401) with plain text or HTML.
  }
  return text.slice(0, 200).trim() || '(empty body)';
}

function errorText(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: unknown }).cause;
  const code = cause && typeof cause === 'object' && 'code' in cause ? String((cause as { code: unknown }).code) : '';
  return code ? `${err.message} (${code})` : err.message;
}
