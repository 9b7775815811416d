import { Ajv, type ErrorObject, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { ApiApp } from './api.types.js';

// ajv-formats is CommonJS with a default export; under NodeNext it arrives wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

/** Finds a string holding U+0000 (PostgreSQL text and jsonb refuse it); returns its JSON pointer. */
export function findNul(v: unknown, path = ''): string | null {
  if (typeof v === 'string') return v.includes('\u0000') ? path : null;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = findNul(v[i], `${path}/${i}`);
      if (p !== null) return p;
    }
    return null;
  }
  if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      const p = k.includes('\u0000') ? `${path}/${k}` : findNul(x, `${path}/${k}`);
      if (p !== null) return p;
    }
  }
  return null;
}

/**
 * PostgreSQL has no year 0 (`0000-01-01` is "out of range"), though JSON Schema's formats
 * accept it: such a value used to reach a query and come back as a 500, or as an empty CSV
 * whose 200 had already gone out. Dates and date-times are checked for years 1-9999 here.
 */
function withinPostgresYears(ajv: Ajv): Ajv {
  for (const name of ['date', 'date-time'] as const) {
    const base = ajv.formats[name] as { validate: (s: string) => boolean; compare?: (a: string, b: string) => number | undefined };
    ajv.addFormat(name, { ...base, validate: (s: string) => base.validate(s) && !/^0000/.test(s) });
  }
  return ajv;
}

type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/**
 * JSON bodies are validated strictly: `"5"` is not a number, `null` is not `false`, a string is
 * not a one-item array. Query strings and path params are text on the wire, so they keep
 * Fastify's coercion. Unknown fields are never stripped: `additionalProperties: false` rejects.
 * Every part also refuses NUL characters, which the database would turn into a 500.
 */
export function installValidation(app: ApiApp): void {
  const base: Options = { useDefaults: true, allErrors: true, removeAdditional: false, addUsedSchema: false, strict: false };
  const strict = withinPostgresYears(addFormats(new Ajv({ ...base, coerceTypes: false })));
  const coercing = withinPostgresYears(addFormats(new Ajv({ ...base, coerceTypes: 'array' })));
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const validate = (httpPart === 'body' ? strict : coercing).compile(schema);
    const wrapped: Validator = (data: unknown) => {
      const nul = findNul(data);
      if (nul !== null) {
        wrapped.errors = [{ instancePath: nul, schemaPath: '#', keyword: 'noNul', params: {}, message: 'must not contain NUL characters' }];
        return false;
      }
      const ok = validate(data) as boolean;
      wrapped.errors = validate.errors ?? null;
      return ok;
    };
    return wrapped;
  });
}
