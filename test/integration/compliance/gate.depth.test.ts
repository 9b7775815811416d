import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEligibility } from '../../../src/compliance/eligibility.js';
import { reserveAttempt, type ReserveRequest } from '../../../src/compliance/gate.js';
import { getProfile } from '../../../src/compliance/policy.profiles.js';
import { createTestDb, type TestDb } from '../../helpers/db.js';
import { seedCampaignContacts, seedCustomer } from './seed.js';

/** Issue 16 through real PostgreSQL: live calls count at once, area codes and campaign zones. */
let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t?.drop();
});

const req = (
  c: { campaignId: string; contactId: string },
  customerId: string,
  attemptNo: number,
  phone: string,
  now: Date,
  extra: Partial<ReserveRequest> = {},
): ReserveRequest => ({
  campaignId: c.campaignId,
  contactId: c.contactId,
  customerId,
  attemptNo,
  phone,
  now,
  workerId: 'test',
  ...extra,
});

describe('gate: caps count live conversations across campaigns and numbers', () => {
  it("a call answered on campaign A's first number stops campaign B on the second number at once (cooldown)", async () => {
    const phones = ['+12125550101', '+12125550102'];
    const customerId = await seedCustomer(t.db, { timeZone: 'America/New_York', phones });
    const [a, b] = await seedCampaignContacts(t.db, customerId, 2);
    const policy = getProfile('us-regf');
    const t0 = new Date('2026-06-04T14:00:00Z'); // 10:00 New York
    const first = await reserveAttempt(t.db, req(a!, customerId, 1, phones[0]!, t0, { policy }));
    expect(first.kind).toBe('allow');
    if (first.kind !== 'allow') return;
    // The dialer marks the call answered; it has not ended (connected is still false).
    await t.db.query(`UPDATE call_attempts SET state = 'answered', originated_at = $2, answered_at = $2 WHERE id = $1`, [
      first.attemptId,
      new Date(t0.getTime() + 5_000),
    ]);
    const at = new Date(t0.getTime() + 60_000);
    const second = await reserveAttempt(t.db, req(b!, customerId, 1, phones[1]!, at, { policy }));
    // The gate holds any second live call (live_call); the rules themselves already count the
    // conversation that is still going on: the cooldown runs from its answer.
    expect(second).toMatchObject({ kind: 'defer' });
    await t.db.query(
      `INSERT INTO compliance_policy (id, profile, policy) VALUES (true, 'us-regf', '{}') ON CONFLICT (id) DO UPDATE SET profile = 'us-regf', policy = '{}'`,
    );
    const e = await checkEligibility(t.db, { customerId, campaignId: b!.campaignId, phone: phones[1]!, at });
    expect(e.rules.find((r) => r.rule === 'cooldown_after_conversation')).toMatchObject({ status: 'defer' });
  });

  it('the connected-per-day cap counts a live call (cn-bank 3 a day)', async () => {
    const phones = ['+8613800138000', '+8613900139000'];
    const customerId = await seedCustomer(t.db, { phones });
    const contacts = await seedCampaignContacts(t.db, customerId, 4);
    const policy = getProfile('cn-bank');
    const noon = new Date('2026-03-10T04:00:00Z');
    for (let i = 0; i < 3; i++) {
      const r = await reserveAttempt(t.db, req(contacts[i]!, customerId, 1, phones[i % 2]!, new Date(noon.getTime() + i * 60_000), { policy }));
      expect(r.kind).toBe('allow');
      if (r.kind !== 'allow') continue;
      // Two conversations have ended; the third is still going on (answered, not ended).
      if (i < 2)
        await t.db.query(
          `UPDATE call_attempts SET state = 'ended', connected = true, answered_at = reserved_at, ended_at = reserved_at + interval '30 seconds' WHERE id = $1`,
          [r.attemptId],
        );
      else await t.db.query(`UPDATE call_attempts SET state = 'answered', answered_at = reserved_at WHERE id = $1`, [r.attemptId]);
    }
    const at = new Date(noon.getTime() + 5 * 60_000);
    expect(await reserveAttempt(t.db, req(contacts[3]!, customerId, 1, phones[1]!, at, { policy }))).toMatchObject({ kind: 'defer' });
    await t.db.query(
      `INSERT INTO compliance_policy (id, profile, policy) VALUES (true, 'cn-bank', '{}') ON CONFLICT (id) DO UPDATE SET profile = 'cn-bank', policy = '{}'`,
    );
    const e = await checkEligibility(t.db, { customerId, campaignId: contacts[3]!.campaignId, phone: phones[1]!, at });
    expect(e.rules.find((r) => r.rule === 'max_connected_per_day')).toMatchObject({ status: 'defer', used: 3, limit: 3 });
  });
});

describe("gate: zones from the area code and the campaign's defaultTimeZone", () => {
  it('a 212 number without a zone is called at 09:30 New York (not held for Honolulu)', async () => {
    const customerId = await seedCustomer(t.db, { timeZone: null, phones: ['+12125550143'] });
    const [c] = await seedCampaignContacts(t.db, customerId, 1);
    await t.db.query(
      `INSERT INTO compliance_policy (id, profile, policy) VALUES (true, 'us-regf', '{}') ON CONFLICT (id) DO UPDATE SET profile = 'us-regf', policy = '{}'`,
    );
    const at = new Date('2026-06-04T13:30:00Z');
    expect(await reserveAttempt(t.db, req(c!, customerId, 1, '+12125550143', at))).toMatchObject({ kind: 'allow' });
    const e = await checkEligibility(t.db, { customerId, campaignId: c!.campaignId, at });
    expect(e).toMatchObject({ zones: ['America/New_York'], zoneSource: 'area_code' });
  });

  it("a toll-free number takes the campaign's zone when it is in the number's country", async () => {
    const customerId = await seedCustomer(t.db, { timeZone: null, phones: ['+18005550199'] });
    const [c] = await seedCampaignContacts(t.db, customerId, 1);
    const at = new Date('2026-06-04T13:30:00Z'); // 09:30 New York, 03:30 Honolulu
    // Without a campaign zone every US zone must allow it: deferred.
    expect(await reserveAttempt(t.db, req(c!, customerId, 1, '+18005550199', at))).toMatchObject({ kind: 'defer', rule: 'calling_window' });
    await t.db.query(`UPDATE campaigns SET default_time_zone = 'America/New_York' WHERE id = $1`, [c!.campaignId]);
    expect(await reserveAttempt(t.db, req(c!, customerId, 1, '+18005550199', at))).toMatchObject({ kind: 'allow' });
    expect(await checkEligibility(t.db, { customerId, campaignId: c!.campaignId, at })).toMatchObject({
      zones: ['America/New_York'],
      zoneSource: 'campaign_default',
    });
    // A zone outside the number's country is ignored.
    await t.db.query(`UPDATE campaigns SET default_time_zone = 'Asia/Shanghai' WHERE id = $1`, [c!.campaignId]);
    expect(await checkEligibility(t.db, { customerId, campaignId: c!.campaignId, at })).toMatchObject({ zoneSource: 'phone_country' });
  });
});
