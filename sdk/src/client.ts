// The SDK's HTTP client and its error, without Node-only modules, so that browsers (the console) can bundle it.
import createFetchClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { paths } from './generated/openapi.js';

export interface CauserieClientOptions {
  /** Where the server answers, e.g. `https://chat.example.com` (without `/api/2`). */
  baseUrl: string;
  /** An API key (`csk_…`): platform, partner or client scoped. Sent as `X-API-Key`. */
  apiKey?: string;
  /**
   * Instead of a key, a console session token (`cos_…`, answered by `POST /auth/login` or `/auth/sso`): sent as
   * `Authorization: Bearer`, it acts as its operator, narrowed by the operator's roles. Without either, only the
   * `/auth` routes that open a session answer.
   */
  token?: string;
  /** A fetch implementation, for runtimes or tests that bring their own. */
  fetch?: ClientOptions['fetch'];
}

export type CauserieClient = Client<paths>;

/**
 * A client whose every call is checked against the API: paths, parameters, bodies and answers.
 *
 * ```ts
 * const causerie = createCauserieClient({ baseUrl: 'http://localhost:8080', apiKey: process.env.CAUSERIE_KEY! });
 * const { data, error } = await causerie.GET('/api/2/operator/{id}', { params: { path: { id: 12 } } });
 * ```
 */
export function createCauserieClient(options: CauserieClientOptions): CauserieClient {
  const headers: Record<string, string> = {};
  if (options.apiKey !== undefined) headers['X-API-Key'] = options.apiKey;
  if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
  return createFetchClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    headers,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

/**
 * An answer whose `meta.status` was not `success`: carries the HTTP status, the API's message, and what a program
 * should compare instead of the message: the stable error `id` and the `field` concerned.
 */
export class CauserieError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
    /** The stable error id (`forbidden`, `field_invalid`, `not_found`…): `meta.error`, else the `X-Causerie-Error` header. */
    readonly id: string | undefined = undefined,
    /** The field the error concerns (`meta.field`: `email`, `credentials[app_secret]`…), when the server names one. */
    readonly field: string | undefined = undefined,
  ) {
    super(message);
    this.name = 'CauserieError';
  }
}

interface Answer<D, E> {
  data?: D;
  error?: E;
  response: Response;
}

/**
 * The data of a successful answer, or a thrown CauserieError with the API's own message
 * (`Field 'email' is missing.`, `Unknown 'operator' with 'id' 456.` …), its error id and field.
 *
 * ```ts
 * const operator = await unwrap(causerie.POST('/api/2/operator', { body: { name: 'Ada', email: 'ada@shop.example' } }));
 * ```
 */
export async function unwrap<D, E>(call: Promise<Answer<D, E>>): Promise<D> {
  const { data, error, response } = await call;
  if (response.ok && data !== undefined) return data;
  const meta = metaOf(error);
  throw new CauserieError(
    response.status,
    text(meta?.message) ?? legacyMessageOf(error) ?? `HTTP ${response.status}`,
    error,
    text(meta?.error) ?? response.headers.get('x-causerie-error') ?? undefined,
    text(meta?.field),
  );
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function metaOf(body: unknown): Record<string, unknown> | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const meta = (body as { meta?: unknown }).meta;
  return typeof meta === 'object' && meta !== null ? (meta as Record<string, unknown>) : undefined;
}

/** The v1 API's envelope puts the message at the top level. */
function legacyMessageOf(body: unknown): string | undefined {
  return typeof body === 'object' && body !== null ? text((body as { message?: unknown }).message) : undefined;
}
