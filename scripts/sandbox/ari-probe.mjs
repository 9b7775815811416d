// Place one call through the sandbox's ARI and print what happens, one JSON line per event.
//   node --experimental-websocket scripts/sandbox/ari-probe.mjs <endpoint> [options]
//     --amd             originate into the ringwise-amd context (RINGWISE_APP = this app)
//     --timeout S       originate timeout in seconds (default 30)
//     --hangup-ms N     hang the channel up N ms after StasisStart (default: keep until --max-ms)
//     --max-ms N        give up after N ms (default 40000)
// Ends at ChannelDestroyed. Reads ARI_URL/ARI_USER/ARI_PASSWORD from .sandbox/env. Used by
// scripts/sandbox/verify.sh; no dependencies (Node 20's experimental WebSocket).
/* global process, console, fetch, WebSocket, setTimeout, URLSearchParams */
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const env = Object.fromEntries(
  readFileSync(join(root, '.sandbox', 'env'), 'utf8')
    .split('\n')
    .filter((l) => /^[A-Z0-9_]+=/.test(l))
    .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
);

const args = process.argv.slice(2);
const endpoint = args[0];
if (!endpoint) {
  console.error('usage: ari-probe.mjs <endpoint> [--amd] [--timeout S] [--hangup-ms N] [--max-ms N]');
  process.exit(2);
}
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const amd = args.includes('--amd');
const timeout = opt('--timeout', 30);
const hangupMs = opt('--hangup-ms', undefined);
const maxMs = opt('--max-ms', 40000);

const base = env.ARI_URL;
const auth = 'Basic ' + Buffer.from(`${env.ARI_USER}:${env.ARI_PASSWORD}`).toString('base64');
const app = `probe-${randomBytes(4).toString('hex')}`;
const channelId = `probe-${randomBytes(6).toString('hex')}`;
const t0 = Date.now();
const out = (o) => console.log(JSON.stringify({ ms: Date.now() - t0, ...o }));

async function ari(method, path, body) {
  const res = await fetch(`${base}/ari${path}`, {
    method,
    headers: { authorization: auth, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text };
}

// Node's WebSocket takes no headers: ARI also accepts the credentials as api_key.
const apiKey = encodeURIComponent(`${env.ARI_USER}:${env.ARI_PASSWORD}`);
const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/ari/events?app=${app}&api_key=${apiKey}`);
const done = (code) => {
  try {
    ws.close();
  } catch {
    // already closed
  }
  process.exit(code);
};
setTimeout(() => {
  out({ type: 'ProbeTimeout' });
  ari('DELETE', `/channels/${channelId}`).finally(() => done(3));
}, maxMs);

ws.addEventListener('error', (e) => {
  out({ type: 'WebSocketError', message: String(e.message ?? e) });
  done(1);
});
ws.addEventListener('message', (m) => {
  const ev = JSON.parse(String(m.data));
  const ch = ev.channel;
  if (ch && ch.id !== channelId) return;
  const line = { type: ev.type };
  if (ch) line.state = ch.state;
  if (ev.cause !== undefined) line.cause = ev.cause;
  if (ev.cause_txt !== undefined) line.cause_txt = ev.cause_txt;
  if (ev.tech_cause !== undefined) line.tech_cause = ev.tech_cause;
  if (ev.digit !== undefined) line.digit = ev.digit;
  if (ev.args !== undefined) line.args = ev.args;
  out(line);
  if (ev.type === 'StasisStart' && hangupMs !== undefined) {
    setTimeout(() => void ari('DELETE', `/channels/${channelId}`), hangupMs);
  }
  if (ev.type === 'ChannelDestroyed') done(0);
});
ws.addEventListener('open', async () => {
  const q = new URLSearchParams({ endpoint, channelId, timeout: String(timeout) });
  let body;
  if (amd) {
    q.set('context', env.RINGWISE_AMD_CONTEXT ?? 'ringwise-amd');
    q.set('extension', 's');
    q.set('priority', '1');
    body = { variables: { RINGWISE_APP: app } };
  } else {
    q.set('app', app);
  }
  const r = await ari('POST', `/channels?${q}`, body);
  out({ type: 'OriginateResponse', status: r.status });
  if (r.status !== 200) {
    console.error(r.body);
    done(1);
  }
  if (amd) {
    // Dialplan originates are not subscribed to the app until Stasis(): subscribe now to see
    // the outcome of calls that never answer.
    const s = await ari('POST', `/applications/${app}/subscription?eventSource=channel:${channelId}`);
    out({ type: 'SubscribeResponse', status: s.status });
  }
});
