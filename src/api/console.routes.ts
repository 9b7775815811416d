import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { FastifyReply } from 'fastify';
import { Type } from '@sinclair/typebox';
import { AppError } from '../shared/errors.js';
import type { ApiApp, ApiDeps } from './api.types.js';

/** The built console (npm run build:console writes it; the API only serves it). */
export const CONSOLE_DIR = join(import.meta.dirname, '..', '..', 'dist', 'console');

/**
 * Nothing but this origin's own files: no inline script or style, no frames, no plugins, no
 * third-party anything. Audio previews are blob: URLs made from an API response. The one other
 * place the page may connect to is the browser phone's SIP WebSocket, when one is configured.
 */
export function consoleCsp(softphoneWsUrl = ''): string {
  const ws = softphoneWsUrl ? ` ${new URL(softphoneWsUrl).origin}` : '';
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "media-src 'self' blob:",
    `connect-src 'self'${ws}`,
    "font-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

interface Asset {
  type: string;
  body: Buffer;
  immutable: boolean;
}

/** Loaded once: a few small files, served from memory. */
function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  if (!existsSync(dir)) return assets;
  for (const name of readdirSync(dir)) {
    const type = TYPES[extname(name)];
    if (!type) continue;
    // Built files carry a content hash in their name (app-3F2A9C1B.js): cache them for a year.
    assets.set(name, { type, body: readFileSync(join(dir, name)), immutable: /-[A-Z0-9]{8}\.(js|css)$/.test(name) });
  }
  return assets;
}

function securityHeaders(reply: FastifyReply, csp: string): FastifyReply {
  return reply
    .header('content-security-policy', csp)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .header('cross-origin-opener-policy', 'same-origin')
    .header('permissions-policy', 'camera=(), geolocation=(), microphone=(self)');
}

/** `/console`: the operations console's static files (the page itself calls /v1 with its session cookie). */
export async function consoleRoutes(app: ApiApp, deps: ApiDeps & { consoleDir?: string }): Promise<void> {
  const assets = loadAssets(deps.consoleDir ?? CONSOLE_DIR);
  const csp = consoleCsp(deps.config.agents.webrtc.wsUrl);
  const serve = (name: string, reply: FastifyReply) => {
    const a = assets.get(name);
    if (!a) {
      if (name === 'index.html') throw new AppError('console_not_built', 'the console is not built: run npm run build:console', 503);
      throw new AppError('not_found', `no console file ${name}`, 404);
    }
    return securityHeaders(reply, csp)
      .header('content-type', a.type)
      .header('cache-control', a.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .send(a.body);
  };
  app.get('/console', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/console/', 302));
  app.get('/console/', { schema: { hide: true } }, async (_req, reply) => serve('index.html', reply));
  app.get(
    '/console/:file',
    { schema: { hide: true, params: Type.Object({ file: Type.String({ pattern: '^[A-Za-z0-9._-]{1,100}$' }) }) } },
    async (req, reply) => serve(req.params.file, reply),
  );
}
