/** The console speaks only the public /v1 API, with its session cookie and CSRF header. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown,
  ) {
    super(message);
  }
}

export interface Session {
  role: 'admin' | 'operator' | 'supervisor' | 'agent' | 'viewer';
  agentId: number | null;
  csrfToken: string | null;
  allowed: string[];
}

let csrf: string | null = null;
let allowed = new Set<string>();
let onUnauthorized: () => void = () => undefined;

export function useSession(s: Session | null, unauthorized?: () => void): void {
  csrf = s?.csrfToken ?? null;
  allowed = new Set(s?.allowed ?? []);
  if (unauthorized) onUnauthorized = unauthorized;
}

/** Whether this role may call a route: the API's own list (GET /v1/session), nothing duplicated here. */
export const can = (route: string): boolean => allowed.has(route);

export function headers(extra: Record<string, string> = {}): Record<string, string> {
  return csrf ? { 'x-csrf-token': csrf, ...extra } : extra;
}

async function fail(res: Response): Promise<never> {
  let body: { error?: { code?: string; message?: string; details?: unknown } } = {};
  try {
    body = await res.json();
  } catch {
    /* not JSON */
  }
  if (res.status === 401) onUnauthorized();
  throw new ApiError(res.status, body.error?.code ?? `http_${res.status}`, body.error?.message ?? res.statusText, body.error?.details ?? null);
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    credentials: 'same-origin',
    headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }),
    body: body === undefined ? null : JSON.stringify(body),
  });
  if (!res.ok) return fail(res);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export async function apiBlob(method: string, path: string, body: unknown): Promise<Blob> {
  const res = await fetch(path, { method, credentials: 'same-origin', headers: headers({ 'content-type': 'application/json' }), body: JSON.stringify(body) });
  if (!res.ok) return fail(res);
  return res.blob();
}

/** An upload with progress (fetch cannot report upload progress; XHR can). */
export function upload<T>(path: string, file: File, type: string, onProgress: (fraction: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open('POST', path);
    for (const [k, v] of Object.entries(headers({ 'content-type': type }))) x.setRequestHeader(k, v);
    x.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    x.onerror = () => reject(new ApiError(0, 'network', 'network error', null));
    x.onload = () => {
      let body: { error?: { code: string; message: string; details: unknown } } & Record<string, unknown> = {};
      try {
        body = JSON.parse(x.responseText);
      } catch {
        /* not JSON */
      }
      if (x.status >= 200 && x.status < 300) resolve(body as T);
      else reject(new ApiError(x.status, body.error?.code ?? `http_${x.status}`, body.error?.message ?? x.statusText, body.error?.details ?? null));
    };
    x.send(file);
  });
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export const qs = (o: Record<string, string | number | null | undefined>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(o)) if (v !== null && v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
};
