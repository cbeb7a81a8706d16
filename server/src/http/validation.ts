// Turns schema validation failures into seed 003 messages, and reads form-encoded bodies the way existing clients send them.
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest, FastifySchemaValidationError } from 'fastify';
import qs from 'qs';
import { type ApiError, fieldInvalid, fieldMissing, fieldUnknown } from '../errors.js';

/** Pattern for text that must hold more than spaces: `minLength` alone would accept "   ". */
export const NON_BLANK = '\\S';

/** Schema keyword giving the sentence shown when a value is rejected (e.g. "Expected 2 letters, such as 'fr'."). */
export const PROBLEM_KEYWORD = 'x-problem';

type JsonSchema = {
  type?: string | string[];
  anyOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  [PROBLEM_KEYWORD]?: string;
};

/** `/chat/available` → `chat[available]`, `/website_list/2` → `website_list`: field names as the API documents them. */
function fieldName(instancePath: string, extra?: string): string {
  // A position inside a list of objects stays in the name (`recipients[1][colour]`: the one item that is wrong); a
  // trailing one goes (`website_id`, not `website_id[0]`, as the seeds word errors about a list of ids).
  const segments = instancePath.split('/').filter((part) => part !== '');
  if (extra) segments.push(extra);
  const parts = segments.filter((part, index) => !/^\d+$/.test(part) || index < segments.length - 1);
  if (parts.length === 0) return 'body';
  return (
    parts[0] +
    parts
      .slice(1)
      .map((part) => `[${part}]`)
      .join('')
  );
}

function expectedType(type: unknown): string {
  switch (type) {
    case 'integer':
      return 'Expected a whole number.';
    case 'number':
      return 'Expected a number.';
    case 'boolean':
      return 'Expected true or false (1 or 0).';
    case 'string':
      return 'Expected text.';
    case 'array':
      return 'Expected a list.';
    case 'object':
      return 'Expected an object.';
    default:
      return 'Expected a different type of value.';
  }
}

const LIMIT_KEYWORDS = new Set([
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'pattern',
  'format',
  'minItems',
  'maxItems',
]);

/** Maps the first schema error to the API error a caller can act on. */
export function validationError(
  errors: FastifySchemaValidationError[],
  context: string,
  resource = 'this resource',
): ApiError {
  // A failed union reports each branch first (e.g. "must be null"); the union's own error says what was expected,
  // unless a branch of the right type failed on a limit (a nullable text too long): that limit is the news.
  const union = errors.find((error) => error.keyword === 'anyOf');
  const unionProblem = (union as { parentSchema?: JsonSchema } | undefined)?.parentSchema?.[PROBLEM_KEYWORD];
  const limit =
    union && !unionProblem
      ? errors.find(
          (error) => error !== union && error.instancePath === union.instancePath && LIMIT_KEYWORDS.has(error.keyword),
        )
      : undefined;
  const first = limit ?? union ?? errors[0];
  if (!first) return fieldInvalid(context);
  const params = first.params as Record<string, unknown>;
  const schema = (first as { parentSchema?: JsonSchema }).parentSchema;
  const custom = schema?.[PROBLEM_KEYWORD];
  switch (first.keyword) {
    case 'required':
      return fieldMissing(fieldName(first.instancePath, String(params.missingProperty)));
    case 'additionalProperties':
      return fieldUnknown(
        fieldName(first.instancePath, String(params.additionalProperty)),
        context === 'body' ? resource : context,
      );
    default: {
      const field = fieldName(first.instancePath);
      if (custom) return fieldInvalid(field, custom);
      switch (first.keyword) {
        case 'type':
          return fieldInvalid(field, expectedType(params.type));
        case 'minLength':
          return fieldInvalid(
            field,
            params.limit === 1
              ? 'It must not be empty.'
              : `It must be at least ${String(params.limit)} characters long.`,
          );
        case 'maxLength':
          return fieldInvalid(field, `It must be at most ${String(params.limit)} characters long.`);
        case 'minimum':
          return fieldInvalid(field, `It must be at least ${String(params.limit)}.`);
        case 'maximum':
          return fieldInvalid(field, `It must be at most ${String(params.limit)}.`);
        case 'enum':
          return fieldInvalid(field, `Expected one of: ${(params.allowedValues as unknown[]).map(String).join(', ')}.`);
        case 'const':
          return fieldInvalid(field, `Expected ${String(params.allowedValue)}.`);
        case 'anyOf':
          return fieldInvalid(field, describeAnyOf(schema));
        case 'pattern':
          return fieldInvalid(field, params.pattern === NON_BLANK ? 'It must not be empty.' : first.message);
        case 'format':
          return fieldInvalid(field, `Expected a valid ${String(params.format)}.`);
        default:
          return fieldInvalid(field, first.message);
      }
    }
  }
}

function describeAnyOf(schema: JsonSchema | undefined): string {
  const options = (schema?.anyOf ?? [])
    .map((option) => (option as { const?: unknown }).const)
    .filter((value) => value !== undefined);
  if (options.length > 0) return `Expected one of: ${options.map(String).join(', ')}.`;
  const types = (schema?.anyOf ?? []).map((option) => option.type).filter((type) => type !== 'null');
  return types.length === 1 ? expectedType(types[0]) : 'Expected a different type of value.';
}

const TRUE_WORDS = new Set(['1', 'true', 'on', 'yes']);
const FALSE_WORDS = new Set(['0', 'false', 'off', 'no']);

function acceptedTypes(schema: JsonSchema): Set<string> {
  const types = new Set<string>();
  const add = (type: string | string[] | undefined) => {
    for (const one of Array.isArray(type) ? type : type ? [type] : []) types.add(one);
  };
  add(schema.type);
  for (const option of schema.anyOf ?? []) add(option.type);
  return types;
}

/**
 * Form-encoded values are all text: read `1`/`0` as booleans, an empty value as null where
 * null is allowed, and `1,2,3` as a list, following the route's body schema.
 */
export function coerceFormValues(value: unknown, schema: JsonSchema | undefined): unknown {
  if (!schema) return value;
  const types = acceptedTypes(schema);
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (value === '' && types.has('null')) return null;
    if (types.has('boolean') && !types.has('string')) {
      if (TRUE_WORDS.has(word)) return true;
      if (FALSE_WORDS.has(word)) return false;
    }
    if (types.has('array') && !types.has('string')) {
      return value.trim() === '' ? [] : value.split(',').map((item) => coerceFormValues(item.trim(), schema.items));
    }
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => coerceFormValues(item, schema.items));
  if (value !== null && typeof value === 'object' && schema.properties) {
    const record = value as Record<string, unknown>;
    for (const [key, child] of Object.entries(record)) record[key] = coerceFormValues(child, schema.properties[key]);
  }
  return value;
}

/**
 * Refuses the coercions that would change a value's meaning: the validator coerces types so that
 * `"3"` reads as 3, but it would also read null as 0, true as 1 and [5] as 5 — a sale of `amount: null` must
 * be an error, not a sale of 0. Text for numbers and single values for lists stay accepted.
 */
export function refuseLossyCoercions(value: unknown, schema: JsonSchema | undefined, field = ''): void {
  if (!schema) return;
  const types = acceptedTypes(schema);
  if (types.size === 0) return;
  const numeric = types.has('number') || types.has('integer');
  const problem = schema[PROBLEM_KEYWORD] ?? expectedType(primaryType(types));
  if (value === null && !types.has('null')) throw fieldInvalid(field, problem);
  if (typeof value === 'boolean' && numeric && !types.has('boolean')) throw fieldInvalid(field, problem);
  // The validator would also unwrap a one-item list into its item.
  if (Array.isArray(value) && !types.has('array')) throw fieldInvalid(field, problem);
  if (Array.isArray(value)) {
    for (const item of value) refuseLossyCoercions(item, schema.items, field);
    return;
  }
  if (value !== null && typeof value === 'object' && schema.properties) {
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      refuseLossyCoercions(child, schema.properties[key], field === '' ? key : `${field}[${key}]`);
    }
  }
}

/** Deepest nesting a body, query or parameter may have: no API takes more than a few levels. */
export const MAX_NESTING = 32;

/**
 * Refuses NUL characters anywhere in a value (no field means one, and PostgreSQL cannot store them in text) and
 * nesting deeper than MAX_NESTING. Walks with its own stack: 5,000 nested arrays must answer 400, not overflow the
 * call stack into a 500.
 */
export function refuseNulCharacters(value: unknown, field: string): void {
  const pending: Array<{ value: unknown; field: string; depth: number }> = [{ value, field, depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const current = next.value;
    // A binary upload (a file sent to a conversation) is bytes, not fields.
    if (current instanceof Uint8Array) continue;
    if (typeof current === 'string') {
      if (current.includes('\u0000')) throw fieldInvalid(next.field, 'It must not contain NUL characters.');
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (next.depth >= MAX_NESTING)
      throw fieldInvalid(next.field === '' ? 'body' : next.field, `It is nested more than ${MAX_NESTING} levels deep.`);
    if (Array.isArray(current)) {
      for (const item of current) pending.push({ value: item, field: next.field, depth: next.depth + 1 });
      continue;
    }
    for (const [key, child] of Object.entries(current as Record<string, unknown>)) {
      pending.push({ value: key, field: next.field === '' ? 'body' : next.field, depth: next.depth + 1 });
      // Field names stay short however deep the value: the first level names the field, deeper ones add one key.
      const childField = next.field === '' ? key : next.depth < 3 ? `${next.field}[${key}]` : next.field;
      pending.push({ value: child, field: childField, depth: next.depth + 1 });
    }
  }
}

function primaryType(types: Set<string>): string {
  for (const type of ['integer', 'number', 'boolean', 'string', 'array', 'object']) if (types.has(type)) return type;
  return '';
}

/** Accepts `application/x-www-form-urlencoded` bodies with bracket notation (`chat[available]=1`, `website_list[]=3`). */
export function registerFormBodies(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, qs.parse(String(body), { depth: 3, arrayLimit: 200, parameterLimit: 1000, allowPrototypes: false }));
    } catch (error) {
      done(error instanceof Error ? error : new Error(String(error)), undefined);
    }
  });
  app.addHook('preValidation', async (request: FastifyRequest) => {
    refuseNulCharacters(request.params, '');
    refuseNulCharacters(request.query, '');
    const schema = request.routeOptions.schema?.body as JsonSchema | undefined;
    // A POST with no body at all is read as an empty one, so the answer names the missing field.
    if (request.body === undefined && schema !== undefined) request.body = {};
    const body = request.body;
    // A streamed upload (a text/csv body the route reads as it arrives) is bytes, not fields: walking the stream
    // object would refuse it as nested too deep.
    if (body instanceof Readable) return;
    refuseNulCharacters(body, '');
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return;
    // The API key may travel in a form body too; it is a credential, never a field.
    delete (body as Record<string, unknown>).key;
    coerceFormValues(body, schema);
    refuseLossyCoercions(body, schema);
  });
}
