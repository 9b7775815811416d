import { describe, expect, it } from 'vitest';
import { admissionBound, createAdmission, MIN_ADMITTED } from '../../../src/scheduler/pacing.admission.js';

describe('dial job admission', () => {
  it('admits about a second of the campaign calls, at least a few', () => {
    expect(admissionBound(0.25)).toBe(MIN_ADMITTED);
    expect(admissionBound(150)).toBe(150);
  });

  it('admits in arrival order up to the bound; a place passes to the next in line once; campaigns are apart', async () => {
    const a = createAdmission();
    const tickets = await Promise.all(Array.from({ length: MIN_ADMITTED }, () => a.enter('c1', 1)));
    const order: number[] = [];
    const late = [1, 2].map((i) => a.enter('c1', 1).then((t) => (order.push(i), t)));
    await new Promise((r) => setTimeout(r, 10));
    expect(a.counts('c1')).toEqual({ admitted: MIN_ADMITTED, waiting: 2 });
    expect((await a.enter('c2', 1)) && a.counts('c2').admitted).toBe(1);
    tickets[0]!.leave();
    tickets[0]!.leave(); // idempotent: one place, not two
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual([1]);
    tickets[1]!.leave();
    const [t1, t2] = await Promise.all(late);
    expect(order).toEqual([1, 2]);
    for (const t of [...tickets.slice(2), t1!, t2!]) t.leave();
    expect(a.counts('c1')).toEqual({ admitted: 0, waiting: 0 });
  });
});
