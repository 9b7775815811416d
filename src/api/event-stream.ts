import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { ApiApp } from './api.types.js';

export interface EventStreams {
  /** Takes the reply over as a text/event-stream; the stream is ended when the server closes. */
  open(reply: FastifyReply): { res: ServerResponse; send(event: string, data: unknown): void };
}

/**
 * Server-Sent Events for one route plugin: the headers every stream needs (no caching, no proxy
 * buffering) and a register of open streams, ended on close (they are never idle, so the server
 * would otherwise wait for them).
 */
export function eventStreams(app: ApiApp): EventStreams {
  const open = new Set<ServerResponse>();
  app.addHook('preClose', async () => {
    for (const res of open) res.end();
    open.clear();
  });
  return {
    open(reply) {
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      open.add(res);
      res.on('close', () => open.delete(res));
      return {
        res,
        send(event, data) {
          if (!res.writableEnded) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
        },
      };
    },
  };
}
