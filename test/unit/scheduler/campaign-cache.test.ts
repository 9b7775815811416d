import { describe, expect, it } from 'vitest';
import { createCampaignCache } from '../../../src/scheduler/campaign-cache.js';
import type { Db } from '../../../src/store/db.js';

describe('campaign cache', () => {
  it('reads a campaign once per second, and does not keep a failed read', async () => {
    let reads = 0;
    let fail = false;
    const db = {
      query: async () => {
        reads++;
        if (fail) throw new Error('pg down');
        return { rows: [{ id: '1', state: 'running' }], rowCount: 1 };
      },
    } as unknown as Db;
    let t = 0;
    const get = createCampaignCache(db, 1_000, () => t);
    await get('1');
    await get('1');
    expect(reads).toBe(1);
    t = 1_000;
    fail = true;
    await expect(get('1')).rejects.toThrow('pg down');
    fail = false;
    expect((await get('1'))?.state).toBe('running');
    expect(reads).toBe(3);
  });
});
