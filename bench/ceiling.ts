/**
 * The ceiling: a bare script driving the sandbox Asterisk through ARI directly (no queue, no
 * database, no ringwise code): originate to the carrier trunk into a Stasis app, play a short
 * sound on answer, hang up when it finishes. Rates rise step by step; the ceiling is the highest
 * rate whose step placed every call on schedule (>= 95 % of the target rate) with no failure.
 *
 *   node --import tsx bench/ceiling.ts [--rates 25,50,100] [--seconds 10] [--create-dial]
 *
 * --create-dial places each call the way ringwise does (channels/create, StasisStart, dial,
 * answered on ChannelStateChange Up) instead of one originate: what that method costs Asterisk.
 *
 * --workload personalised: the same script with ringwise's real-path call instead of the cheapest
 * one: a personalised sentence per customer (rendered before the sweep by ringwise's own renderer,
 * untimed), played to a 0x callee that answers and listens, held for the 1 s the bench's menu
 * waits, then hung up. A personalised call keeps its channel ~8 s with media both ways instead of
 * ~1.5 s, so Asterisk's own limit for it is far lower: ringwise's real path is judged against this.
 */
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import WebSocket from 'ws';
import { sandboxEnv } from '../test/helpers/sandbox-env.js';
import { ariRequester, drainChannels } from './lib/ari-http.js';
import { listenerNumber, loadNumber } from './lib/numbers.js';
import { preparePersonalisedMedia } from './lib/personalised-media.js';
import { asteriskPids, sampleCpu } from './lib/proc.js';
import { dist, round, sleep, type Dist } from './lib/stats.js';

export interface CeilingStep {
  targetCps: number;
  placed: number;
  answered: number;
  failed: number;
  failures: Record<string, number>;
  achievedCps: number;
  peakConcurrent: number;
  originateHttpMs: Dist;
  originateToAnswerMs: Dist;
  answerToFirstAudioMs: Dist;
  /** Asterisk's CPU over the step per call placed (the sandbox's first server only). */
  asteriskCpuMsPerCall?: number;
  ok: boolean;
}

export interface CeilingResult {
  /** cheap: hello-world to silent callees; personalised: a sentence per customer to listeners. */
  workload?: 'cheap' | 'personalised';
  steps: CeilingStep[];
  ceilingCps: number;
}

interface Call {
  id: string;
  /** Its index in the step: which customer's prompt and number. */
  i: number;
  sentAt: number;
  httpMs?: number;
  answeredAt?: number;
  audioAt?: number;
  done: boolean;
  failure?: string;
}

const SOUND = 'sound:hello-world';
/** Personalised calls last ~8 s; the guard waits for the last ones of a step. */
const CALL_GUARD_MS = { cheap: 20_000, personalised: 40_000 };

/** One ARI event connection for the whole sweep; events are routed to the call by channel id. */
async function connect(env: Record<string, string>, app: string, auth: string): Promise<WebSocket> {
  const ws = new WebSocket(`${env.ARI_URL!.replace(/^http/, 'ws')}/ari/events?app=${encodeURIComponent(app)}`, { headers: { authorization: auth } });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return ws;
}

export async function runCeiling(opts: {
  rates: number[];
  seconds: number;
  createDial?: boolean;
  workload?: 'cheap' | 'personalised';
  ariUrl?: string;
  log?: (s: string) => void;
}): Promise<CeilingResult> {
  const createDial = opts.createDial ?? false;
  const workload = opts.workload ?? 'cheap';
  // ariUrl: another Asterisk of the slot (the second server, for the 2 × 2 step's summed ceiling).
  const env: Record<string, string> = { ...sandboxEnv(), ...(opts.ariUrl ? { ARI_URL: opts.ariUrl } : {}) };
  const app = `rw-bench-ceiling-${randomUUID().slice(0, 8)}`;
  const ari = ariRequester(env.ARI_URL!, env.ARI_USER!, env.ARI_PASSWORD!);
  // What call i plays, to which number, and how long it is held after its playback.
  const media =
    workload === 'personalised'
      ? await preparePersonalisedMedia(env, Math.min(Math.max(...opts.rates) * opts.seconds, 2_500), opts.log)
      : { calls: [[SOUND]], cleanup: async () => undefined };
  const play = (i: number) => media.calls[i % media.calls.length]!.map((m) => `media=${encodeURIComponent(m)}`).join('&');
  const numberOf = workload === 'personalised' ? listenerNumber : loadNumber;
  const holdMs = workload === 'personalised' ? 1_000 : 0;
  const ws = await connect(env, app, ari.auth);
  const calls = new Map<string, Call>();
  let live = 0;
  let peak = 0;
  const request = (method: string, path: string): Promise<number> => ari.call(method, path);
  const end = (c: Call, failure?: string): void => {
    if (c.done) return;
    c.done = true;
    if (failure && !c.failure) c.failure = failure;
  };

  ws.on('message', (raw: Buffer) => {
    const e = JSON.parse(raw.toString()) as {
      type: string;
      channel?: { id: string; state?: string };
      playback?: { id: string; target_uri: string };
      cause?: number;
    };
    const now = performance.now();
    const id = e.channel?.id ?? e.playback?.target_uri.replace('channel:', '');
    const c = id ? calls.get(id) : undefined;
    if (!c) return;
    switch (e.type) {
      case 'StasisStart':
        if (createDial) {
          // create + dial (how ringwise placed calls before one originate): in the app at once, dial now, answered on Up.
          request('POST', `/channels/${c.id}/dial?timeout=15`).then(
            (status) => status < 300 || end(c, `dial ${status}`),
            () => end(c, 'dial error'),
          );
          break;
        }
        // With app= on the originate, StasisStart means answered.
        c.answeredAt = now;
        request('POST', `/channels/${c.id}/play?${play(c.i)}&playbackId=${c.id}.p`).then(
          (status) => status < 300 || end(c, `play ${status}`),
          () => end(c, 'play error'),
        );
        break;
      case 'ChannelStateChange':
        if (createDial && e.channel?.state === 'Up' && c.answeredAt === undefined) {
          c.answeredAt = now;
          request('POST', `/channels/${c.id}/play?${play(c.i)}&playbackId=${c.id}.p`).then(
            (status) => status < 300 || end(c, `play ${status}`),
            () => end(c, 'play error'),
          );
        }
        break;
      case 'PlaybackStarted':
        c.audioAt ??= now;
        break;
      case 'PlaybackFinished':
        // The bench's ringwise waits 1 s for a key after a personalised prompt: the same hold here.
        if (holdMs > 0) setTimeout(() => void request('DELETE', `/channels/${c.id}`).catch(() => undefined), holdMs);
        else request('DELETE', `/channels/${c.id}`).catch(() => undefined);
        break;
      case 'ChannelDestroyed':
        live--;
        end(c, c.audioAt === undefined ? `destroyed before audio (cause ${e.cause})` : undefined);
        break;
      default:
    }
  });

  // Channels of this app still in Asterisk (a saturated step leaves some): hang them up, or they
  // stay in Stasis and weigh on the next step and on everyone sharing the sandbox.
  const hangUpLeftovers = async (): Promise<number> => (await drainChannels(env, app, 0)).hungUp;
  const steps: CeilingStep[] = [];
  try {
    for (const rate of opts.rates) {
      calls.clear();
      const total = rate * opts.seconds;
      // Who pays for a bare call: the same measure as ringwise's steps (bench/ringwise.ts).
      const ast = opts.ariUrl ? undefined : sampleCpu(asteriskPids);
      await ast?.start();
      const t0 = performance.now();
      let sent = 0;
      // Sends whatever the schedule says is due, every 5 ms: an even rate, not bursts.
      while (sent < total) {
        const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate) + 1);
        for (; sent < due; sent++) {
          const c: Call = { id: randomUUID(), i: sent, sentAt: performance.now(), done: false };
          calls.set(c.id, c);
          live++;
          peak = Math.max(peak, live);
          const number = numberOf(sent);
          const endpoint = encodeURIComponent(`PJSIP/${number}@carrier`);
          request(
            'POST',
            createDial
              ? `/channels/create?endpoint=${endpoint}&app=${app}&channelId=${c.id}`
              : `/channels?endpoint=${endpoint}&app=${app}&channelId=${c.id}&timeout=15`,
          ).then(
            (status) => {
              c.httpMs = performance.now() - c.sentAt;
              if (status >= 300) {
                live--;
                end(c, `originate ${status}`);
              }
            },
            () => {
              live--;
              end(c, 'originate error');
            },
          );
        }
        await sleep(5);
      }
      const placedIn = (performance.now() - t0) / 1000;
      const deadline = performance.now() + CALL_GUARD_MS[workload];
      while ([...calls.values()].some((c) => !c.done) && performance.now() < deadline) await sleep(100);
      const list = [...calls.values()];
      for (const c of list) if (!c.done) end(c, 'no end seen');
      const astMs = await ast?.stop();
      const leftovers = await hangUpLeftovers();
      if (leftovers > 0) opts.log?.(`ceiling ${rate} cps: hung up ${leftovers} channels left in the app`);
      const failures: Record<string, number> = {};
      for (const c of list) if (c.failure) failures[c.failure] = (failures[c.failure] ?? 0) + 1;
      const failed = list.filter((c) => c.failure).length;
      const achievedCps = round(total / Math.max(placedIn, opts.seconds - 1 / rate));
      const step: CeilingStep = {
        targetCps: rate,
        placed: total,
        answered: list.filter((c) => c.answeredAt !== undefined).length,
        failed,
        failures,
        achievedCps,
        peakConcurrent: peak,
        originateHttpMs: dist(list.flatMap((c) => (c.httpMs === undefined ? [] : [c.httpMs]))),
        originateToAnswerMs: dist(list.flatMap((c) => (c.answeredAt === undefined ? [] : [c.answeredAt - c.sentAt]))),
        answerToFirstAudioMs: dist(list.flatMap((c) => (c.audioAt === undefined || c.answeredAt === undefined ? [] : [c.audioAt - c.answeredAt]))),
        ...(astMs === undefined ? {} : { asteriskCpuMsPerCall: round(astMs / total, 2) }),
        ok: failed === 0 && achievedCps >= 0.95 * rate,
      };
      steps.push(step);
      peak = 0;
      live = 0;
      opts.log?.(
        `ceiling${workload === 'personalised' ? ' personalised' : ''} ${rate} cps: ${step.answered}/${total} answered, ${failed} failed, p99 answer ${step.originateToAnswerMs.p99} ms, Asterisk CPU ${step.asteriskCpuMsPerCall ?? '–'} ms per call`,
      );
      // A saturated step says all there is to say about the higher ones.
      if (!step.ok) break;
      await sleep(3_000); // let the last channels of the step go before the next
    }
  } finally {
    await hangUpLeftovers().catch(() => 0);
    ws.close();
    ari.close();
    await media.cleanup();
  }
  const passing = steps.filter((s) => s.ok);
  return { workload, steps, ceilingCps: passing.length ? Math.max(...passing.map((s) => s.targetCps)) : 0 };
}

const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rates = (opt('rates') ?? '25,50,100,150,200,250').split(',').map(Number);
  runCeiling({
    rates,
    seconds: Number(opt('seconds') ?? 10),
    createDial: argv.includes('--create-dial'),
    workload: opt('workload') === 'personalised' ? 'personalised' : 'cheap',
    log: (s) => process.stderr.write(`${s}\n`),
  })
    .then((r) => process.stdout.write(`${JSON.stringify(r, null, 2)}\n`))
    .catch((err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    });
}
