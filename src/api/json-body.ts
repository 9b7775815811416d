import type { FastifyError } from 'fastify';
import { AppError } from '../shared/errors.js';
import type { ApiApp } from './api.types.js';

/**
 * Deeper than any body this API takes (a campaign's prompt is about 6 levels). Checked before
 * parsing: a body nested thousands of levels deep parses fine but then overflows the stack of
 * every recursive walk after it (validation, the NUL check), a 500 instead of a 400.
 */
export const MAX_JSON_DEPTH = 64;

/** How deep `text`'s arrays and objects nest (brackets inside strings do not count); stops past `limit`. */
export function jsonDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max && (max = depth) > limit) return max;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/**
 * `application/json` bodies: Fastify's own parser (with its prototype-poisoning protection),
 * plus two rules. An empty body is `{}`, so a client that always sends the JSON content type
 * can call the routes that take no body. A body nested deeper than MAX_JSON_DEPTH is refused
 * with 400 `json_too_deep`.
 */
export function installJsonParser(app: ApiApp): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = body as string;
    if (text.trim() === '') return done(null, {});
    if (jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
      return done(
        new AppError('json_too_deep', `JSON may nest at most ${MAX_JSON_DEPTH} levels`, 400, { maxDepth: MAX_JSON_DEPTH }) as unknown as FastifyError,
        undefined,
      );
    }
    parse(req, text, done);
  });
}
