import { Type } from '@sinclair/typebox';
import { loadCampaignsLive } from '../campaigns/campaign.live.js';
import type { ApiApp, ApiDeps } from './api.types.js';
import { requireRole } from '../auth/auth.js';
import { ErrorResponses, MediaResponse } from './schemas.js';
import { eventStreams } from './event-stream.js';

const LiveQuery = Type.Object(
  {
    ids: Type.String({ pattern: '^[0-9]{1,15}(,[0-9]{1,15}){0,99}$', description: 'comma-separated campaign ids (at most 100): the rows the console shows' }),
    intervalMs: Type.Optional(Type.Integer({ minimum: 250, maximum: 60_000, default: 1_000 })),
  },
  { additionalProperties: false },
);

/**
 * `GET /v1/campaigns/live`: one Server-Sent Events stream for a whole campaign list, an `update`
 * event with every listed campaign's state, calls per second and stats about once a second, so a
 * page never polls each row. A tick that is still running when the next is due is skipped.
 */
export async function campaignsLiveRoutes(app: ApiApp, deps: ApiDeps): Promise<void> {
  const streams = eventStreams(app);

  app.get(
    '/v1/campaigns/live',
    {
      preHandler: requireRole('operator', 'supervisor', 'viewer'),
      schema: {
        tags: ['campaigns'],
        summary: 'Live stats of the listed campaigns as text/event-stream: an `update` event about once a second',
        querystring: LiveQuery,
        response: { 200: MediaResponse('text/event-stream', 'an `update` event about once a second until the client disconnects'), ...ErrorResponses },
      },
    },
    async (req, reply) => {
      const ids = [...new Set(req.query.ids.split(',').map(Number))];
      const first = await loadCampaignsLive(deps.db, ids, deps.config.policyProfile);
      const { res, send: sendEvent } = streams.open(reply);
      const send = (campaigns: unknown) => sendEvent('update', { at: new Date().toISOString(), campaigns });
      send(first);
      let busy = false;
      const timer = setInterval(() => {
        if (busy || res.writableEnded) return;
        busy = true;
        loadCampaignsLive(deps.db, ids, deps.config.policyProfile)
          .then(send)
          .catch((err: unknown) => req.log.warn({ err }, 'campaign live tick failed'))
          .finally(() => (busy = false));
      }, req.query.intervalMs ?? 1_000);
      timer.unref();
      res.on('close', () => clearInterval(timer));
    },
  );
}
