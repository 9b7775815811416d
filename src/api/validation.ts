import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { ApiApp } from './app.js';

// ajv-formats is CommonJS with a default export; under NodeNext it arrives wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

/**
 * JSON bodies are validated strictly: `"5"` is not a number, `null` is not `false`, a string is
 * not a one-item array. Query strings and path params are text on the wire, so they keep
 * Fastify's coercion. Unknown fields are never stripped: `additionalProperties: false` rejects.
 */
export function installValidation(app: ApiApp): void {
  const base: Options = { useDefaults: true, allErrors: true, removeAdditional: false, addUsedSchema: false, strict: false };
  const strict = addFormats(new Ajv({ ...base, coerceTypes: false }));
  const coercing = addFormats(new Ajv({ ...base, coerceTypes: 'array' }));
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema));
}
