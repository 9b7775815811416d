import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApi, type TestApi } from '../../helpers/api.js';
import { createCampaign, fixture } from './import.helpers.js';

describe('importing into a running campaign', () => {
  let api: TestApi;
  const calls: Array<[number, string]> = [];
  beforeAll(async () => {
    api = await createTestApi({
      deps: {
        events: {
          async campaignStateChanged(id, state) {
            calls.push([id, state]);
          },
        },
      },
    });
  });
  afterAll(async () => {
    await api?.close();
  });

  const post = (id: number) =>
    api.app.inject({
      method: 'POST',
      url: `/v1/campaigns/${id}/contacts`,
      headers: { ...api.as('operator'), 'content-type': 'text/csv' },
      payload: fixture('good.csv'),
    });

  it('asks the scheduler to queue the new contacts, only when there are new ones', async () => {
    const running = await createCampaign(api.t.db, 'running');
    expect((await post(running)).statusCode).toBe(200);
    expect(calls).toEqual([[running, 'running']]);
    // The same file again: every contact is already there, nothing to queue.
    expect((await post(running)).json()).toMatchObject({ duplicates: 5 });
    expect(calls).toHaveLength(1);
  });

  it('leaves draft and paused campaigns alone (launch and resume queue their contacts)', async () => {
    calls.length = 0;
    for (const state of ['draft', 'paused']) expect((await post(await createCampaign(api.t.db, state))).statusCode).toBe(200);
    expect(calls).toEqual([]);
  });

  it('still answers 200 when the notification fails: the import is committed', async () => {
    const failing = await createTestApi({ deps: { events: { campaignStateChanged: async () => Promise.reject(new Error('redis down')) } } });
    try {
      const id = await createCampaign(failing.t.db, 'running');
      const res = await failing.app.inject({
        method: 'POST',
        url: `/v1/campaigns/${id}/contacts`,
        headers: { ...failing.as('admin'), 'content-type': 'text/csv' },
        payload: fixture('good.csv'),
      });
      expect(res.statusCode).toBe(200);
      const { rows } = await failing.t.db.query('SELECT count(*) AS n FROM campaign_contacts WHERE campaign_id = $1', [id]);
      expect(rows[0].n).toBe(5);
    } finally {
      await failing.close();
    }
  });
});
