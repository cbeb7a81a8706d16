// The console's link to the server: the session it logged in with, and the SDK client (typed from the OpenAPI
// document) that calls /api/2 and /auth with that session's token. No second client: every call goes through the SDK.
import { type CauserieClient, CauserieError, createCauserieClient, unwrap } from '@causerie/sdk/client';

export { CauserieError, unwrap };

/** A console session as POST /auth/login and /auth/sso return it. */
export interface Session {
  token: string;
  operatorId: number;
  clientId: number;
  expiresAt: string;
}

/** The SDK client bound to one session, and that session. */
export interface Api extends CauserieClient {
  readonly session: Session;
}

const STORAGE_KEY = 'causerie.console.session';

/** The console is served by the node it talks to. */
const baseUrl = (): string => window.location.origin;

/** The stored session, if any and not expired. */
export function loadSession(): Session | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (raw === null) return null;
    const parsed = JSON.parse(raw) as Partial<Session>;
    if (
      typeof parsed.token !== 'string' ||
      typeof parsed.operatorId !== 'number' ||
      typeof parsed.clientId !== 'number' ||
      typeof parsed.expiresAt !== 'string'
    )
      return null;
    if (Date.parse(parsed.expiresAt) <= Date.now()) return null;
    return {
      token: parsed.token,
      operatorId: parsed.operatorId,
      clientId: parsed.clientId,
      expiresAt: parsed.expiresAt,
    };
  } catch {
    return null;
  }
}

function storeSession(session: Session | null): void {
  if (session === null) localStorage.removeItem(STORAGE_KEY);
  else localStorage.setItem(STORAGE_KEY, JSON.stringify(session));
}

/** The data of a successful answer (its envelope's `data`), or the CauserieError of a failed one. */
export async function dataOf<D>(
  call: Promise<{ data?: { data: D }; error?: unknown; response: Response }>,
): Promise<D> {
  return (await unwrap(call)).data;
}

function openSession(answer: { token: string; operator_id: number; client_id: number; expires_at: string }): Session {
  const session = {
    token: answer.token,
    operatorId: answer.operator_id,
    clientId: answer.client_id,
    expiresAt: answer.expires_at,
  };
  storeSession(session);
  return session;
}

/** Email and password login (POST /auth/login). */
export async function loginWithPassword(email: string, password: string): Promise<Session> {
  const anonymous = createCauserieClient({ baseUrl: baseUrl() });
  return openSession(await dataOf(anonymous.POST('/auth/login', { body: { email, password } })));
}

/** Single Sign-On with an operator's sso_key (POST /auth/sso). */
export async function loginWithSsoKey(ssoKey: string): Promise<Session> {
  const anonymous = createCauserieClient({ baseUrl: baseUrl() });
  return openSession(await dataOf(anonymous.POST('/auth/sso', { body: { sso_key: ssoKey } })));
}

/** Ends the session on the server (best effort) and forgets it here. */
export async function logout(session: Session | null): Promise<void> {
  storeSession(null);
  if (session === null) return;
  // The server must have ended the session before the console shows login (the token is dead once the login form
  // is up), but a server that does not answer must not keep the operator on the page: a bounded wait.
  const ended = createCauserieClient({ baseUrl: baseUrl(), token: session.token })
    .POST('/auth/logout', { keepalive: true })
    .then(() => undefined)
    .catch(() => undefined);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const gaveUp = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, LOGOUT_WAIT_MS);
  });
  await Promise.race([ended, gaveUp]);
  clearTimeout(timer);
}

/** How long logging out waits for the server before showing login anyway. */
const LOGOUT_WAIT_MS = 3000;

/** Forgets the session without calling the server (it was refused already). */
export function forgetSession(): void {
  storeSession(null);
}

/** The error id of an answer: `meta.error` in the body, or the `X-Causerie-Error` header servers sent before it. */
async function errorIdOf(response: Response): Promise<string | null> {
  const header = response.headers.get('x-causerie-error');
  if (header !== null) return header;
  const body: unknown = await response
    .clone()
    .json()
    .catch(() => null);
  const meta = typeof body === 'object' && body !== null ? (body as { meta?: { error?: unknown } }).meta : undefined;
  return typeof meta?.error === 'string' ? meta.error : null;
}

/**
 * The SDK client of a session. `onUnauthorized` runs when the server refuses the session itself (401, or 403 with
 * the error id `forbidden`), not when it refuses one action to this operator (`not_permitted`).
 */
export function sessionApi(session: Session, onUnauthorized: () => void): Api {
  const client = createCauserieClient({ baseUrl: baseUrl(), token: session.token });
  client.use({
    async onResponse({ response }) {
      if (response.status === 401 || (response.status === 403 && (await errorIdOf(response)) === 'forbidden'))
        onUnauthorized();
    },
  });
  return Object.assign(client, { session });
}

/** What a failure says about the form: the field it concerns when the server names one (`meta.field`). */
export function failedField(failure: unknown): string | null {
  return failure instanceof CauserieError && failure.field !== undefined ? failure.field : null;
}

/** The stable id of a failure (`route_not_found`, `field_invalid`…), null for failures that are not the API's. */
export function failureId(failure: unknown): string | null {
  return failure instanceof CauserieError && failure.id !== undefined ? failure.id : null;
}

/** Rows whose listed fields are present, typed so. */
export type WithFields<T, K extends keyof T> = T & { [P in K]-?: Exclude<T[P], undefined> };

/**
 * Rows of a `full=1` list with the fields the console shows. The API documents every field but `id` as optional, since
 * `full=0` answers only `id` and `_link`; this checks that the listed fields came rather than assuming it.
 */
export function withFields<T, K extends keyof T>(rows: readonly T[], fields: readonly K[]): WithFields<T, K>[] {
  return rows.map((row) => {
    const missing = fields.find((field) => row[field] === undefined);
    if (missing !== undefined) throw new Error(`The server's answer lacks '${String(missing)}'.`);
    return row as WithFields<T, K>;
  });
}

/**
 * A form's body as a person typed it (a rate of "ten", a blank label): sent unchanged so that the server names the
 * wrong field in its answer, which the form then marks; so its type is the server's to judge, not the compiler's.
 */
export const formBody = <Body>(typed: Readonly<Record<string, unknown>>): NonNullable<Body> =>
  typed as NonNullable<Body>;

/** A value of GET /api/2/statistic: seconds, fractions 0..1, amounts, counts, a date text, or null (undefined). */
export type StatisticValue = number | string | null;

/** One row of GET /api/2/statistic: the indicators, with `resource`, `resource_id`, `resource_label`, `period` when asked. */
export type StatisticRow = Record<string, StatisticValue>;

/** An indicator as GET /api/2/statistic/indicator lists it (the server's catalogue, domain/statistics/indicators.ts). */
export interface IndicatorInfo {
  name: string;
  family: string;
  unit: string;
  channels: string[];
  groupable_by: string[];
  labels: { en: string; fr: string };
  formula: string;
  /** The definition in each language of the console (`formula` is the English one). */
  formulas: { en: string; fr: string };
  estimated: boolean;
}

/**
 * GET /api/2/statistic with a query of `filters[…]` (see reports/report.ts statisticQuery), as a list of rows: the API
 * answers the one row of the websites together (neither resource nor granularity) as the object itself.
 */
export async function getStatistics(api: Api, query: Record<string, string>): Promise<StatisticRow[]> {
  const data = await dataOf(api.GET('/api/2/statistic', { params: { query } }));
  return Array.isArray(data) ? data : [data];
}

/** GET /api/2/statistic/indicator: every indicator with its unit, channels, labels and definitions. */
export function getIndicatorCatalogue(api: Api): Promise<IndicatorInfo[]> {
  return dataOf(api.GET('/api/2/statistic/indicator', {}));
}
