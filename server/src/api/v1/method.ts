// How one v1 method becomes routes: GET with a querystring and POST with a form body, both under /api/{model}/{method}/, one schema for both.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Static, TObject, TSchema } from 'typebox';
import type { Principal } from '../../domain/tenancy/policy.js';
import { ApiError, fieldInvalid, notPermitted } from '../../errors.js';
import { type ApiDate, parseApiDate } from '../../time.js';
import { CSV_CONTENT_TYPE, XML_CONTENT_TYPE } from './formats.js';
import type { Period } from './queries.js';
import { type OutFormat, okResponse, V1ErrorResponses } from './schema.js';

/** Seed 002's models, in the order it documents them. */
export const V1_MODELS = [
  'operator',
  'website',
  'chat_history',
  'transactions',
  'satisfaction',
  'operator_stats',
] as const;
export type V1Model = (typeof V1_MODELS)[number];

/** What a method answers: a json value, or a document in one of the text formats. */
export type V1Answer = { json: unknown } | { text: string; format: Exclude<OutFormat, 'json'> };

export const SUCCESS = { json: { result: 'success' as const } };

export interface V1MethodSpec<S extends TObject> {
  model: V1Model;
  method: string;
  summary: string;
  description: string;
  params: S;
  /** The formats `out=` may ask for; `json` first. */
  formats: readonly OutFormat[];
  /** Schema of the json answer. */
  json: TSchema;
  answer(input: Static<S>, caller: V1Caller): Promise<V1Answer>;
}

/** The methods registered per model, for the answers to unknown methods. */
export type MethodRegistry = Map<V1Model, string[]>;

const CONTENT_TYPES: Record<Exclude<OutFormat, 'json'>, string> = { xml: XML_CONTENT_TYPE, csv: CSV_CONTENT_TYPE };

/** Who calls: always a client key, and the client whose data the call reads and changes. */
export interface V1Caller {
  principal: Extract<Principal, { scope: 'client' }>;
  clientId: number;
}

/** v1 is one client's API, so only client keys may call it. */
export function callerOf(request: FastifyRequest): V1Caller {
  const principal = request.principal;
  if (principal.scope !== 'client') {
    throw notPermitted(
      `The v1 API works on one client's data: call it with a client API key, not a ${principal.scope} key.`,
    );
  }
  return { principal, clientId: principal.clientId };
}

/**
 * Registers one method: `GET` (parameters in the query) and `POST` (parameters in a form or json body,
 * merged over the query), with and without the trailing slash; only the slash form is documented.
 */
export function registerMethod<S extends TObject>(
  app: FastifyInstance,
  registry: MethodRegistry,
  spec: V1MethodSpec<S>,
): void {
  registry.set(spec.model, [...(registry.get(spec.model) ?? []), spec.method]);
  const response = { 200: okResponse(spec.json, spec.formats), ...V1ErrorResponses };
  const base = { tags: [`v1 ${spec.model}`], summary: spec.summary, description: spec.description, response };
  const known = new Set([...Object.keys(spec.params.properties), 'key']);
  const handle = async (input: Static<S>, request: FastifyRequest, reply: FastifyReply) => {
    // A parameter the method does not take is refused, never ignored: `website_id=<another client's site>` must not
    // answer success on something else.
    const unknown = Object.keys(input as object).find((name) => !known.has(name));
    if (unknown !== undefined)
      throw new ApiError(
        'field_unknown',
        400,
        `Parameter '${unknown}' is not a parameter of ${spec.model}/${spec.method}. It takes: ${[...known].filter((name) => name !== 'key').join(', ')}.`,
      );
    const answer = await spec.answer(input, callerOf(request));
    if ('json' in answer) return reply.send(answer.json);
    return reply.type(CONTENT_TYPES[answer.format]).send(answer.text);
  };
  for (const path of [`/${spec.model}/${spec.method}/`, `/${spec.model}/${spec.method}`]) {
    const hide = !path.endsWith('/');
    app.get(path, { schema: { ...base, querystring: spec.params, hide } }, async (request, reply) =>
      handle(request.query as Static<S>, request, reply),
    );
    app.post(
      path,
      {
        schema: {
          ...base,
          description: `${spec.description}\n\nThe same method as a POST: parameters in a form-encoded (or json) body; any given in the query are read too.`,
          body: spec.params,
          consumes: ['application/x-www-form-urlencoded', 'application/json'],
          hide,
        },
      },
      async (request, reply) => handle(request.body as Static<S>, request, reply),
    );
  }
}

/** The output format asked for (already validated against the method's list). */
export function outOf(input: { out?: OutFormat }): OutFormat {
  return input.out ?? 'json';
}

const DATE_PROBLEM = 'Expected a date written aaaa-mm-jj (YYYY-MM-DD), such as 2011-12-27.';

function readDate(field: 'sdate' | 'edate', value: string): ApiDate {
  const date = parseApiDate(value);
  if (date === null) throw fieldInvalid(field, DATE_PROBLEM);
  return date;
}

/** Reads `sdate` and `edate`, each optional, into a period of stored instants (`edate` includes its whole day). */
export function readPeriod(input: { sdate?: string; edate?: string }): Period {
  const start = input.sdate === undefined ? undefined : readDate('sdate', input.sdate);
  const end = input.edate === undefined ? undefined : readDate('edate', input.edate);
  if (start && end && end.endExclusive.getTime() <= start.start.getTime())
    throw fieldInvalid('edate', 'It must not be before sdate.');
  return { ...(start && { start: start.start.toISOString() }), ...(end && { end: end.endExclusive.toISOString() }) };
}

/** Reads the required `sdate` and `edate` into a bounded period. */
export function readBoundedPeriod(input: { sdate: string; edate: string }): Required<Period> {
  const start = readDate('sdate', input.sdate);
  const end = readDate('edate', input.edate);
  if (end.endExclusive.getTime() <= start.start.getTime()) throw fieldInvalid('edate', 'It must not be before sdate.');
  return { start: start.start.toISOString(), end: end.endExclusive.toISOString() };
}

/** Today in UTC, as a period. */
export function todayPeriod(now: Date): Required<Period> {
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  return { start: start.toISOString(), end: new Date(start.getTime() + 86_400_000).toISOString() };
}

/** `Unknown 'operator' with 'external_id' 'X'.`: the v2 sentence, for a lookup by another field. */
export function unknownBy(resource: string, field: string, value: string): ApiError {
  return new ApiError('not_found', 404, `Unknown '${resource}' with '${field}' '${value}'.`);
}
