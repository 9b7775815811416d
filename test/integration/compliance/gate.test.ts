import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reserveAttempt, type ReserveRequest } from '../../../src/compliance/gate.js';
import { getProfile } from '../../../src/compliance/policy.profiles.js';
import { saveGlobalPolicy } from '../../../src/compliance/policy.store.js';
import { createTestDb, type TestDb } from '../../helpers/db.js';
import { seedCampaignContacts, seedCustomer } from './seed.js';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t?.drop();
});

const PHONE = '+8613800138000';
const noon = (day: number, minute = 0): Date => new Date(Date.UTC(2026, 2, day, 4, minute)); // 12:00 Shanghai

async function setup(campaigns = 1, overrides: object = {}) {
  const customerId = await seedCustomer(t.db);
  const contacts = await seedCampaignContacts(t.db, customerId, campaigns, overrides);
  const req = (i: number, attemptNo: number, now: Date, extra: Partial<ReserveRequest> = {}): ReserveRequest => ({
    campaignId: contacts[i]!.campaignId,
    contactId: contacts[i]!.contactId,
    customerId,
    attemptNo,
    phone: PHONE,
    now,
    workerId: 'test',
    ...extra,
  });
  return { customerId, contacts, req };
}

const contactRow = async (id: string) =>
  (
    await t.db.query<{ state: string; reason: string | null; next: Date | null; attempts: number }>(
      `SELECT state, reason, next_attempt_at AS next, attempts FROM campaign_contacts WHERE id = $1`,
      [id],
    )
  ).rows[0]!;
const ledger = async (customerId: string) =>
  (await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM call_attempts WHERE customer_id = $1`, [customerId])).rows[0]!.n;

/** A reservation whose call then happened and ended (a customer has one live call at a time). */
async function dialled(r: Parameters<typeof reserveAttempt>[1]) {
  const d = await reserveAttempt(t.db, r);
  if (d.kind === 'allow') await t.db.query(`UPDATE call_attempts SET state = 'ended', ended_at = now() WHERE id = $1`, [d.attemptId]);
  return d;
}

describe('reserveAttempt', () => {
  it('reserves in the ledger, bumps the contact, and counts caps across campaigns', async () => {
    const { customerId, contacts, req } = await setup(3);
    const results = [];
    // cn-bank: 6 per local day. Two attempts on each of three campaigns.
    for (let i = 0; i < 6; i++) results.push(await dialled(req(i % 3, Math.floor(i / 3) + 1, noon(10, i))));
    expect(results.every((r) => r.kind === 'allow' && !r.existing)).toBe(true);
    expect((await contactRow(contacts[0]!.contactId)).attempts).toBe(2);
    const seventh = await dialled(req(0, 3, noon(10, 30)));
    expect(seventh).toMatchObject({ kind: 'defer', rule: 'max_attempts_per_day', until: new Date('2026-03-11T00:00:00Z') });
    const row = await contactRow(contacts[0]!.contactId);
    expect(row).toMatchObject({ state: 'deferred', next: new Date('2026-03-11T00:00:00Z') });
    expect(row.reason).toContain('6/6');
    expect(await ledger(customerId)).toBe(6);
    // The next local day the same attempt goes through.
    expect(await dialled(req(0, 3, new Date('2026-03-11T00:00:00Z')))).toMatchObject({ kind: 'allow', existing: false });
  });

  it('is idempotent on (contact, attempt no): a replay gets the same row and is not counted again', async () => {
    const { customerId, req } = await setup(1);
    const first = await reserveAttempt(t.db, req(0, 1, noon(10)));
    const replay = await reserveAttempt(t.db, req(0, 1, noon(10, 1)));
    expect(first).toMatchObject({ kind: 'allow', existing: false });
    expect(replay).toEqual({ kind: 'allow', attemptId: first.kind === 'allow' ? first.attemptId : '', existing: true, voicemail: 'hang_up' });
    expect(await ledger(customerId)).toBe(1);
    // Once dialed, a replay is returned as is, even outside the window (the dialer recovers it).
    await t.db.query(`UPDATE call_attempts SET state = 'ended' WHERE customer_id = $1`, [customerId]);
    expect(await reserveAttempt(t.db, req(0, 1, new Date('2026-03-10T15:00:00Z')))).toMatchObject({ kind: 'allow', existing: true });
  });

  it('releases a reservation that was never dialed when it may no longer be dialed', async () => {
    const { customerId, req } = await setup(1);
    const first = await reserveAttempt(t.db, req(0, 1, noon(10)));
    expect(first.kind).toBe('allow');
    // The worker crashed; the job comes back at 23:00 local.
    const late = await reserveAttempt(t.db, req(0, 1, new Date('2026-03-10T15:00:00Z')));
    expect(late).toMatchObject({ kind: 'defer', rule: 'calling_window', until: new Date('2026-03-11T00:00:00Z') });
    expect(await ledger(customerId)).toBe(0);
  });

  it('blocks the next reservation once a DNC entry is added mid-campaign (phone or customer)', async () => {
    const { customerId, contacts, req } = await setup(2);
    expect((await dialled(req(0, 1, noon(10)))).kind).toBe('allow');
    await t.db.query(`INSERT INTO dnc_entries (phone, reason, source) VALUES ($1, 'customer asked', 'test')`, [PHONE]);
    const blocked = await dialled(req(0, 2, noon(10, 5)));
    expect(blocked).toMatchObject({ kind: 'block', rule: 'dnc' });
    expect(await contactRow(contacts[0]!.contactId)).toMatchObject({ state: 'blocked' });
    // A reserved but undialed attempt is stopped too.
    await t.db.query(`DELETE FROM dnc_entries`);
    expect((await reserveAttempt(t.db, req(1, 1, noon(10, 10)))).kind).toBe('allow');
    await t.db.query(`INSERT INTO dnc_entries (customer_id, reason, source) VALUES ($1, 'dispute', 'test')`, [customerId]);
    expect(await reserveAttempt(t.db, req(1, 1, noon(10, 11)))).toMatchObject({ kind: 'block', rule: 'dnc' });
    // An expired entry does not.
    await t.db.query(`UPDATE dnc_entries SET expires_at = $1`, [noon(10, 12)]);
    expect((await reserveAttempt(t.db, req(1, 1, noon(10, 13)))).kind).toBe('allow');
    await t.db.query(`DELETE FROM dnc_entries`);
  });

  it('reads the saved global policy and applies only stricter campaign overrides', async () => {
    await saveGlobalPolicy(t.db, 'cn-bank', { ...getProfile('cn-bank'), maxAttemptsPerDay: 2 }, null);
    try {
      const { req } = await setup(2, { maxAttemptsPerContact: 1, maxAttemptsPerDay: 5 });
      expect((await dialled(req(0, 1, noon(10)))).kind).toBe('allow');
      // maxAttemptsPerContact 1 applies (stricter); maxAttemptsPerDay 5 is looser and ignored.
      expect(await dialled(req(0, 2, noon(10, 1)))).toMatchObject({ kind: 'block', rule: 'max_attempts_per_contact' });
      expect((await dialled(req(1, 1, noon(10, 2)))).kind).toBe('allow');
      expect(await dialled(req(1, 2, noon(10, 3)))).toMatchObject({ kind: 'block', rule: 'max_attempts_per_contact' });
      const third = await setup(1);
      // A different customer is unaffected by the first one's count.
      expect((await dialled(third.req(0, 1, noon(10, 4)))).kind).toBe('allow');
    } finally {
      await t.db.query(`DELETE FROM compliance_policy`);
    }
  });

  it('refuses a contact that does not belong to the customer and campaign', async () => {
    const a = await setup(1);
    const b = await setup(1);
    await expect(reserveAttempt(t.db, { ...a.req(0, 1, noon(10)), contactId: b.contacts[0]!.contactId })).rejects.toMatchObject({ code: 'contact_mismatch' });
  });

  it('never two live calls to one customer: a reservation waits while another attempt of the customer is live (any campaign)', async () => {
    const { contacts, req } = await setup(2);
    const first = await reserveAttempt(t.db, req(0, 1, noon(10)));
    expect(first.kind).toBe('allow');
    const second = await reserveAttempt(t.db, req(1, 1, noon(10, 1)));
    expect(second).toMatchObject({ kind: 'defer', rule: 'live_call', until: new Date(noon(10, 1).getTime() + 30_000) });
    expect(await contactRow(contacts[1]!.contactId)).toMatchObject({ state: 'deferred' });
    // On the phone (originating) it still counts; once it has ended the next one may go.
    await t.db.query(`UPDATE call_attempts SET state = 'originating' WHERE id = $1`, [first.kind === 'allow' ? first.attemptId : '']);
    expect(await reserveAttempt(t.db, req(1, 1, noon(10, 2)))).toMatchObject({ kind: 'defer', rule: 'live_call' });
    await t.db.query(`UPDATE call_attempts SET state = 'ended', ended_at = now() WHERE id = $1`, [first.kind === 'allow' ? first.attemptId : '']);
    expect((await reserveAttempt(t.db, req(1, 1, noon(10, 40)))).kind).toBe('allow');
  });

  it('a released reservation (not dialled) counts against no cap', async () => {
    const { req } = await setup(1, { maxAttemptsPerContact: 1 });
    const first = await reserveAttempt(t.db, req(0, 1, noon(10)));
    await t.db.query(`UPDATE call_attempts SET state = 'ended', end_reason = 'not_dialled', ended_at = now() WHERE id = $1`, [
      first.kind === 'allow' ? first.attemptId : '',
    ]);
    expect((await reserveAttempt(t.db, req(0, 2, noon(10, 1)))).kind).toBe('allow');
  });
});
