/**
 * The stack's demo: a small reminder campaign against the sandbox's simulated carrier, driven
 * only through the public API, as operations staff would. Prints the campaign's stats and
 * the call ledger at the end. Env: API (base URL), KEY (an admin or operator key).
 */
import { DateTime } from 'luxon';

const API = process.env.API ?? 'http://127.0.0.1:3000';
const KEY = process.env.KEY ?? '';
const TIMEOUT_MS = Number(process.env.DEMO_TIMEOUT_MS ?? 150_000);

async function call<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
  const res = await fetch(`${API}${path}`, {
    method,
    headers: { authorization: `Bearer ${KEY}`, ...(body === undefined ? {} : { 'content-type': contentType }) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

/** A zone where it is now mid-day, so the demo can call; and one where it is night. */
function pickZones(): { day: string; night: string } {
  const zones = ['Asia/Shanghai', 'Europe/Berlin', 'America/New_York', 'America/Los_Angeles', 'Pacific/Auckland', 'Asia/Kolkata', 'America/Sao_Paulo', 'Asia/Tokyo'];
  const hour = (z: string) => DateTime.now().setZone(z).hour + DateTime.now().setZone(z).minute / 60;
  const day = zones.find((z) => hour(z) >= 9.5 && hour(z) < 20) ?? 'Asia/Shanghai';
  const night = zones.find((z) => hour(z) >= 23 || hour(z) < 6) ?? 'Asia/Shanghai';
  return { day, night };
}

async function main(): Promise<void> {
  const { day, night } = pickZones();
  const campaign = await call<{ id: number }>('POST', '/v1/campaigns', {
    name: `demo reminder ${DateTime.now().toFormat('yyyy-LL-dd HH:mm')}`,
    prompt: {
      'zh-CN': { segments: [{ text: '您好{name}，这里是{bank_name}。您的贷款{amount}已逾期{days_past_due}天，请于{due_date}前还款。按1转人工，按2确认还款，按9不再接收提醒。' }] },
      'en-US': { segments: [{ text: 'Hello {name}, this is {bank_name}. Your payment of {amount} is {days_past_due} days past due. Please pay by {due_date}. Press 1 for an agent, 2 to confirm, 9 to stop these reminders.' }] },
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
  ];
  const csv = ['external_id,name,phone,timezone,locale,amount_due,currency,due_date,days_past_due,risk_score', ...rows.map((r) => r.join(','))].join('\n');
  const imported = await call<unknown>('POST', `/v1/campaigns/${id}/contacts`, csv, 'text/csv');
  console.log(`campaign ${id}: contacts ${JSON.stringify(imported)} (calling zone ${day}; "demo-night" lives in ${night}, where it is night)`);
  await call('POST', `/v1/campaigns/${id}/launch`, {});
  console.log(`campaign ${id} launched; waiting for the calls (up to ${TIMEOUT_MS / 1000} s)…`);

  const started = Date.now();
  let stats: Record<string, unknown> = {};
  for (;;) {
    stats = await call<Record<string, unknown>>('GET', `/v1/campaigns/${id}/stats`);
    const byState = ((stats.contacts as { byState?: Record<string, number> } | undefined)?.byState ?? {});
    const live = (byState.pending ?? 0) + (byState.queued ?? 0) + (byState.dialing ?? 0);
    if (live === 0 || Date.now() - started > TIMEOUT_MS) break;
    await new Promise((r) => setTimeout(r, 2000));
  }
  console.log('\nstats:', JSON.stringify(stats, null, 2));
  const calls = await call<{ items: Array<Record<string, unknown>> }>('GET', `/v1/calls?campaignId=${id}&limit=50`);
  console.log('\ncall ledger:');
  for (const c of calls.items) {
    console.log(`  attempt ${String(c.attemptNo ?? '')} customer ${String(c.customerId)} outcome=${String(c.outcome)} cause=${String(c.cause ?? '')} amd=${String(c.amdStatus ?? '')} digits=${String(c.digits ?? '')}`);
  }
}

main().catch((err: unknown) => {
  console.error(`demo failed: ${(err as Error).message}`);
  process.exit(1);
});
