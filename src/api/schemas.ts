import { Type } from '@sinclair/typebox';

/** The one error shape: `{ error: { code, message, details } }`. */
export const ErrorBody = Type.Object(
  {
    error: Type.Object({ code: Type.String(), message: Type.String(), details: Type.Unknown() }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);

/** Documented on every route (the error handler produces them all). */
export const ErrorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  413: ErrorBody,
  415: ErrorBody,
  422: ErrorBody,
};

export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }) }, { additionalProperties: false });

/**
 * A 2xx answer that is not JSON (a CSV, an event stream, audio), for the OpenAPI document: the
 * handler sends it raw, so Fastify never serializes through this schema.
 */
export function MediaResponse(mediaType: string, description: string) {
  return { description, content: { [mediaType]: { schema: { type: 'string', format: mediaType.startsWith('audio/') ? 'binary' : undefined } } } };
}

/** Nullable helper: `T | null`. */
export function Nullable<T extends import('@sinclair/typebox').TSchema>(t: T) {
  return Type.Union([t, Type.Null()]);
}

/** A string enum (`{type: 'string', enum: [...]}`), typed as the union of its values. */
export function StringEnum<const T extends readonly string[]>(values: T, opts: { description?: string; default?: T[number] } = {}) {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...opts });
}

/**
 * The body of a route that takes none: no body at all, or `{}` (an empty `application/json`
 * body arrives as `{}` too). Anything else, fields or not an object, is a 400 like every
 * unknown field. (No `type`: Fastify validates a request without a body as `null`.)
 */
export const NoBody = Type.Unsafe<Record<string, never> | undefined>({
  not: { type: ['array', 'string', 'number', 'boolean'] },
  additionalProperties: false,
  maxProperties: 0,
  description: 'no body, or {}',
});
