/**
 * `RINGWISE_ASTERISK_SERVERS`: the Asterisk servers a worker dials through, as a JSON array. Read
 * by config.ts (the only reader of the environment); without it the single-server variables
 * (ARI_URL, AMI_HOST, ...) make a one-item list, so existing installations keep working.
 */
export interface AsteriskServerConfig {
  /** Names the server in metrics, logs and agents' registrations: letters, digits, - and _. */
  readonly name: string;
  readonly ari: { readonly url: string; readonly user: string; readonly password: string };
  readonly ami: { readonly host: string; readonly port: number; readonly user: string; readonly password: string };
  /** Concurrent calls it should carry; calls go where the share of free capacity is largest. */
  readonly capacity: number;
}

export interface ServerDefaults {
  ari: { url: string; user: string; password: string };
  ami: { host: string; port: number; user: string; password: string };
  capacity: number;
  name: string;
}

const NAME_RE = /^[A-Za-z0-9_-]{1,40}$/;
const KEYS = new Set(['name', 'ariUrl', 'ariUser', 'ariPassword', 'amiHost', 'amiPort', 'amiUser', 'amiPassword', 'capacity']);

/** Parses the JSON list; every problem is pushed to `problems` (prefixed with the item's index). */
export function parseAsteriskServers(raw: string | undefined, d: ServerDefaults, problems: string[]): AsteriskServerConfig[] {
  const single = [{ name: d.name, ari: { url: d.ari.url, user: d.ari.user, password: d.ari.password }, ami: { ...d.ami }, capacity: d.capacity }];
  if (raw === undefined || raw.trim() === '') return single;
  const key = 'RINGWISE_ASTERISK_SERVERS';
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    problems.push(`${key} is not valid JSON`);
    return single;
  }
  if (!Array.isArray(list) || list.length === 0) {
    problems.push(`${key} must be a non-empty JSON array of servers`);
    return single;
  }
  const out: AsteriskServerConfig[] = [];
  const names = new Set<string>();
  list.forEach((item: unknown, i) => {
    const at = `${key}[${i}]`;
    if (!item || typeof item !== 'object' || Array.isArray(item)) {
      problems.push(`${at} must be an object`);
      return;
    }
    const o = item as Record<string, unknown>;
    for (const k of Object.keys(o)) if (!KEYS.has(k)) problems.push(`${at}.${k} is not a known field (${[...KEYS].join(', ')})`);
    const text = (k: string, fallback?: string): string => {
      const v = o[k];
      if (v === undefined && fallback !== undefined) return fallback;
      if (typeof v !== 'string' || v === '') problems.push(`${at}.${k} must be a non-empty string`);
      return typeof v === 'string' ? v : '';
    };
    const int = (k: string, fallback: number, min: number, max: number): number => {
      const v = o[k] ?? fallback;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) problems.push(`${at}.${k} must be an integer from ${min} to ${max}`);
      return typeof v === 'number' ? v : fallback;
    };
    const name = text('name');
    if (name && !NAME_RE.test(name)) problems.push(`${at}.name must be 1-40 letters, digits, - or _`);
    if (names.has(name)) problems.push(`${at}.name "${name}" is listed twice`);
    names.add(name);
    const ariUrl = text('ariUrl');
    try {
      if (ariUrl && !['http:', 'https:'].includes(new URL(ariUrl).protocol)) problems.push(`${at}.ariUrl must use http: or https:`);
    } catch {
      problems.push(`${at}.ariUrl is not a valid URL`);
    }
    out.push({
      name,
      ari: { url: ariUrl, user: text('ariUser', d.ari.user), password: text('ariPassword', d.ari.password) },
      ami: { host: text('amiHost'), port: int('amiPort', 5038, 1, 65535), user: text('amiUser', d.ami.user), password: text('amiPassword', d.ami.password) },
      capacity: int('capacity', d.capacity, 1, 100_000),
    });
  });
  return out;
}
