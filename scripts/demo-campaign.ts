/**
 * The stack's demo: a small reminder campaign with a contact plan per risk tier, against the
 * sandbox's simulated carrier, SMSC (SMPP) and mailbox (SMTP), driven through the public API as
 * operations staff would. Low risk: an SMS, then an email. Medium: an automated call (the
 * carrier's numbers answer, press keys, are busy, are machines...). High: an SMS, then a call
 * bridged to the one live agent on a SIPp softphone, who talks, hangs up and saves a promise to
 * pay. Prints the plans, the message ledger, the stats and the
 * call ledger at the end. Env: API (base URL), KEY (an admin or supervisor key), ARI_URL /
 * ARI_USER / ARI_PASSWORD (from .sandbox/env: the demo hangs up as the agent would),
 * SANDBOX_SMPP_CONTROL / SANDBOX_SMTP_CONTROL (what the sandbox's SMSC and mailbox received).
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
    // Spacing in seconds so the demo runs in a minute; a real plan spaces its steps by hours or days.
    contactPlan: {
      tiers: {
        low: {
          steps: [
            { channel: 'sms', afterHours: 0 },
            { channel: 'email', afterHours: 0, afterSeconds: 5 },
          ],
        },
        medium: { steps: [{ channel: 'call', afterHours: 0 }] },
        high: {
          steps: [
            { channel: 'sms', afterHours: 0 },
            { channel: 'agent_call', afterHours: 0, afterSeconds: 3 },
          ],
        },
      },
      stopOn: ['payment', 'promise', 'opt_out'],
    },
    maxConcurrent: 5,
    callsPerSecond: 2,
    amdEnabled: true,
    amdMachineAction: 'hangup',
  });
  const id = campaign.id;
  const due = DateTime.now().plus({ days: 3 }).toISODate();
  // Imported risk scores (they override the scorecard, recorded as such): below 35 low, 35-59 medium, 60+ high.
  const rows = [
    ['demo-human', '王小明', '+8613800000001', day, 'zh-CN', '3200.00', 'CNY', due, '12', '40', ''],
    ['demo-promise', 'Alice Chen', '+8613800000012', day, 'en-US', '1250.50', 'USD', due, '5', '45', ''],
    ['demo-optout', '李四', '+8613800000019', day, 'zh-CN', '800.00', 'CNY', due, '40', '50', ''],
    ['demo-busy', '赵六', '+8613800000020', day, 'zh-CN', '560.00', 'CNY', due, '3', '40', ''],
    ['demo-machine', 'Bob Li', '+8613800000060', day, 'en-US', '99.00', 'USD', due, '8', '35', ''],
    ['demo-night', '钱七', '+8613800000002', night, 'zh-CN', '4100.00', 'CNY', due, '20', '50', ''],
    // Low risk: an SMS and an email, no call.
    ['demo-low-risk', 'Emma Wang', '+8613800000003', day, 'en-US', '150.00', 'CNY', due, '2', '10', 'emma.wang@example.test'],
    // High risk: an SMS, then a call that goes straight to the agent after the greeting.
    ['demo-high-risk', '张伟', '+8613800000101', day, 'zh-CN', '15000.00', 'CNY', due, '65', '90', 'zhang.wei@example.test'],
  ];
  const csv = ['external_id,name,phone,timezone,locale,amount_due,currency,due_date,days_past_due,risk_score,email', ...rows.map((r) => r.join(','))].join(
    '\n',
  );
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
  await showPlans(id);
  console.log('\nstats:', JSON.stringify(stats, null, 2));
  const calls = await call<{ items: Array<Record<string, unknown>> }>('GET', `/v1/calls?campaignId=${id}&limit=50`);
  console.log('\ncall ledger (a customer who pressed 9 in an earlier demo run is on the do-not-call list now: blocked, not called):');
  for (const c of calls.items) {
    console.log(
      `  attempt ${String(c.attemptNo ?? '')} customer ${String(c.customerId)} outcome=${String(c.outcome)} cause=${String(c.cause ?? '')} amd=${String(c.amdStatus ?? '')} digits=${String(c.digits ?? '')}${c.agentId ? ` agent=${String(c.agentId)}` : ''}`,
    );
  }
}

/** Each customer's plan (tier, where it stands, why it waits or ended), the message ledger, and what the sandbox's SMSC and mailbox received. */
async function showPlans(id: number): Promise<void> {
  const { items: plans } = await call<{ items: Array<Record<string, unknown>> }>('GET', `/v1/campaigns/${id}/plans`);
  console.log('\ncontact plans (GET /v1/campaigns/:id/plans):');
  for (const p of plans) {
    const state = p.endReason
      ? `ended: ${String(p.endReason)}`
      : `waits: ${String(p.waitReason ?? 'its turn')}${p.nextStepAt ? ` until ${String(p.nextStepAt)}` : ''}`;
    console.log(`  customer ${String(p.customerId)} tier=${String(p.tier)} next step=${String(p.nextStep)} ${state}`);
  }
  const { items: messages } = await call<{ items: Array<Record<string, unknown>> }>('GET', `/v1/messages?campaignId=${id}&limit=50`);
  console.log('\nmessage ledger (GET /v1/messages?campaignId=…):');
  for (const m of messages) {
    console.log(
      `  ${String(m.channel)} to customer ${String(m.customerId)} (plan step ${String(m.planStep)}) status=${String(m.status)} address=${String(m.address)}`,
    );
  }
  const received = async (url: string | undefined): Promise<number | string> =>
    url ? ((await (await fetch(`${url}/messages`)).json()) as unknown[]).length : 'unknown';
  console.log(
    `the sandbox's SMSC holds ${await received(process.env.SANDBOX_SMPP_CONTROL)} SMS and its mailbox ${await received(process.env.SANDBOX_SMTP_CONTROL)} emails (all runs)`,
  );
}

main().catch((err: unknown) => {
  console.error(`demo failed: ${(err as Error).message}`);
  process.exit(1);
});
