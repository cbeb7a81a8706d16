// The Causerie SDK: a typed client for the REST API (v2 and legacy v1), its types generated from the OpenAPI document.
import createFetchClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { components, paths } from './generated/openapi.js';

export type { components, paths };

export interface CauserieClientOptions {
  /** Where the server answers, e.g. `https://chat.example.com` (without `/api/2`). */
  baseUrl: string;
  /** An API key (`csk_…`): platform, partner or client scoped. Sent as `X-API-Key`. */
  apiKey: string;
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
  return createFetchClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ''),
    headers: { 'X-API-Key': options.apiKey },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

/** An answer whose `meta.status` was not `success`: carries the HTTP status and the API's message. */
export class CauserieError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
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
 * (`Field 'email' is missing.`, `Unknown 'operator' with 'id' 456.` …).
 *
 * ```ts
 * const operator = await unwrap(causerie.POST('/api/2/operator', { body: { name: 'Ada', email: 'ada@shop.example' } }));
 * ```
 */
export async function unwrap<D, E>(call: Promise<Answer<D, E>>): Promise<D> {
  const { data, error, response } = await call;
  if (response.ok && data !== undefined) return data;
  throw new CauserieError(response.status, messageOf(error) ?? `HTTP ${response.status}`, error);
}

function messageOf(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const meta = (body as { meta?: { message?: unknown } }).meta;
  if (typeof meta?.message === 'string') return meta.message;
  const legacy = (body as { message?: unknown }).message;
  return typeof legacy === 'string' ? legacy : undefined;
}

export {
  type VerifiedWebhook,
  type VerifyWebhookOptions,
  verifyWebhook,
  type WebhookHeaders,
  WebhookVerificationError,
} from './webhooks.js';
