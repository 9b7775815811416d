/**
 * The stack's demo: a small reminder campaign against the sandbox's simulated carrier, driven
 * through the public API as operations staff would, with one live agent on a SIPp softphone who
 * takes the high-risk customer, talks, hangs up and saves a disposition. Prints the campaign's
 * stats and the call ledger at the end. Env: API (base URL), KEY (an admin or supervisor key),
 * ARI_URL / ARI_USER / ARI_PASSWORD (from .sandbox/env: the demo hangs up as the agent would).
 */
import { execFileSync } from 'node:child_process';
import { DateTime } from 'luxon';

const API = process.env.API ?? 'http://127.0.0.1:3000';
const KEY = process.env.KEY ?? '';
const TIMEOUT_MS = Number(process.env.DEMO_TIMEOUT_MS ?? 150_000);

async function call<T>(method: string, path: string, body?: unknown, contentType = 'application/json', key = KEY): Promise<T> {
  const res = await fetch(`${API}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': contentType }) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A zone where it is now mid-day, so the demo can call; and one where it is night. */
function pickZones(): { day: string; night: string } {
  const zones = [
    'Asia/Shanghai',
    'Europe/Berlin',
    'America/New_York',
    'America/Los_Angeles',
    'Pacific/Auckland',
    'Asia/Kolkata',
    'America/Sao_Paulo',
    'Asia/Tokyo',
  ];
  const hour = (z: string) => DateTime.now().setZone(z).hour + DateTime.now().setZone(z).minute / 60;
  const day = zones.find((z) => hour(z) >= 9.5 && hour(z) < 20) ?? 'Asia/Shanghai';
  const night = zones.find((z) => hour(z) >= 23 || hour(z) < 6) ?? 'Asia/Shanghai';
  return { day, night };
}

const DEMO_AGENT = 'demo-agent';
const DEMO_AGENT_PORT = '5090';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface AgentView {
  id: number;
  sipUsername: string;
  state: string;
  registered: boolean;
  currentAttemptId: string | null;
}

/** A fresh demo agent (the previous run's is removed): its SIP account, softphone, login. */
async function startDemoAgent(): Promise<{ id: number; key: string }> {
  const { items } = await call<{ items: AgentView[] }>('GET', '/v1/agents');
  for (const a of items.filter((x) => x.sipUsername === DEMO_AGENT)) await call('DELETE', `/v1/agents/${a.id}`);
  const created = await call<{ agent: AgentView; sip: { username: string; password: string }; apiKey: { key: string } }>('POST', '/v1/agents', {
    name: 'Demo Agent',
    sipUsername: DEMO_AGENT,
  });
  // The agent's SIP softphone: SIPp registering with the new credentials, answering calls.
  execFileSync('bash', ['scripts/sandbox.sh', 'softphone', 'start', DEMO_AGENT, created.sip.password, DEMO_AGENT_PORT, 'answer'], { stdio: 'inherit' });
  await call('POST', '/v1/agents/me/login', undefined, 'application/json', created.apiKey.key);
  for (let i = 0; i < 50 && !(await call<AgentView>('GET', `/v1/agents/${created.agent.id}`)).registered; i++) await sleep(200);
  return { id: created.agent.id, key: created.apiKey.key };
}

/** The agent's side of the call: waits to be bridged, talks a few seconds, hangs up, saves a disposition. */
async function actAsAgent(agent: { id: number; key: string }, deadline: number): Promise<string> {
  let attemptId: string | null = null;
  while (Date.now() < deadline) {
    const a = await call<AgentView>('GET', `/v1/agents/${agent.id}`);
    if (a.state === 'on_call' && a.currentAttemptId) {
      attemptId = a.currentAttemptId;
      break;
    }
    await sleep(500);
  }
  if (!attemptId) return 'the agent was never bridged';
  await sleep(5_000); // "talking"
  const ari = (process.env.ARI_URL ?? 'http://127.0.0.1:8088').replace(/\/+$/, '').replace(/\/ari$/, '');
  const auth = `Basic ${Buffer.from(`${process.env.ARI_USER ?? ''}:${process.env.ARI_PASSWORD ?? ''}`).toString('base64')}`;
  // The agent hangs up: its leg is `<attempt>-a1` (the first agent tried for this call).
  await fetch(`${ari}/ari/channels/${attemptId}-a1`, { method: 'DELETE', headers: { authorization: auth } });
  const promised = DateTime.now().plus({ days: 2 }).toISODate();
  const d = await call<{ kind: string; agentState: string | null }>(
    'POST',
    `/v1/calls/${attemptId}/disposition`,
    { kind: 'promise_to_pay', amount: '500.00', date: promised, note: 'will pay half on Friday' },
    'application/json',
    agent.key,
  );
  return `bridged on call ${attemptId}, talked 5 s, hung up, disposition ${d.kind} saved (agent now ${d.agentState ?? '?'})`;
}

async function main(): Promise<void> {
  const { day, night } = pickZones();
  const agent = await startDemoAgent();
  console.log(`demo agent ${agent.id} (${DEMO_AGENT}) logged in; its SIPp softphone answers on 127.0.0.1:${DEMO_AGENT_PORT}`);
  const campaign = await call<{ id: number }>('POST', '/v1/campaigns', {
    name: `demo reminder ${DateTime.now().toFormat('yyyy-LL-dd HH:mm')}`,
    prompt: {
      'zh-CN': {
        segments: [
          { text: '您好{name}，这里是{bank_name}。您的贷款{amount}已逾期{days_past_due}天，请于{due_date}前还款。按1转人工，按2确认还款，按9不再接收提醒。' },
        ],
      },
      'en-US': {
        segments: [
          {
            text: 'Hello {name}, this is {bank_name}. Your payment of {amount} is {days_past_due} days past due. Please pay by {due_date}. Press 1 for an agent, 2 to confirm, 9 to stop these reminders.',
          },
        ],
      },
    },
    callerId: '+8695500',
    riskThreshold: 80,
    maxConcurrent: 5,
    callsPerSecond: 2,
    amdEnabled: true,
    amdMachineAction: 'hangup',
  });
  const id = campaign.id;
  const due = DateTime.now().plus({ days: 3 }).toISODate();
  const rows = [
    ['demo-human', '王小明', '+8613800000001', day, 'zh-CN', '3200.00', 'CNY', due, '12', '40'],
    ['demo-promise', 'Alice Chen', '+8613800000012', day, 'en-US', '1250.50', 'USD', due, '5', '30'],
    ['demo-optout', '李四', '+8613800000019', day, 'zh-CN', '800.00', 'CNY', due, '40', '20'],
    ['demo-busy', '赵六', '+8613800000020', day, 'zh-CN', '560.00', 'CNY', due, '3', '10'],
    ['demo-machine', 'Bob Li', '+8613800000060', day, 'en-US', '99.00', 'USD', due, '8', '35'],
    ['demo-night', '钱七', '+8613800000002', night, 'zh-CN', '4100.00', 'CNY', due, '20', '50'],
    // Risk 90 ≥ the campaign's threshold 80: after the greeting, straight to the agent.
    ['demo-high-risk', '张伟', '+8613800000101', day, 'zh-CN', '15000.00', 'CNY', due, '65', '90'],
  ];
  const csv = ['external_id,name,phone,timezone,locale,amount_due,currency,due_date,days_past_due,risk_score', ...rows.map((r) => r.join(','))].join('\n');
  const imported = await call<unknown>('POST', `/v1/campaigns/${id}/contacts`, csv, 'text/csv');
  console.log(`campaign ${id}: contacts ${JSON.stringify(imported)} (calling zone ${day}; "demo-night" lives in ${night}, where it is night)`);
  await call('POST', `/v1/campaigns/${id}/launch`, {});
  console.log(`campaign ${id} launched; waiting for the calls (up to ${TIMEOUT_MS / 1000} s)…`);

  const started = Date.now();
  const agentPart = actAsAgent(agent, started + TIMEOUT_MS);
  let stats: Record<string, unknown> = {};
  for (;;) {
    stats = await call<Record<string, unknown>>('GET', `/v1/campaigns/${id}/stats`);
    const byState = (stats.contacts as { byState?: Record<string, number> } | undefined)?.byState ?? {};
    const live = (byState.pending ?? 0) + (byState.queued ?? 0) + (byState.dialing ?? 0);
    if (live === 0 || Date.now() - started > TIMEOUT_MS) break;
    await new Promise((r) => setTimeout(r, 2000));
  }
  console.log(`\nthe agent: ${await agentPart}`);
  console.log('\nstats:', JSON.stringify(stats, null, 2));
  const calls = await call<{ items: Array<Record<string, unknown>> }>('GET', `/v1/calls?campaignId=${id}&limit=50`);
  console.log('\ncall ledger (a customer who pressed 9 in an earlier demo run is on the do-not-call list now: blocked, not called):');
  for (const c of calls.items) {
    console.log(
      `  attempt ${String(c.attemptNo ?? '')} customer ${String(c.customerId)} outcome=${String(c.outcome)} cause=${String(c.cause ?? '')} amd=${String(c.amdStatus ?? '')} digits=${String(c.digits ?? '')}${c.agentId ? ` agent=${String(c.agentId)}` : ''}`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(`demo failed: ${(err as Error).message}`);
  process.exit(1);
});
