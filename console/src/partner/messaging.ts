// The console's calls to the messaging API (/api/messaging, docs/MESSAGING.md): a partner's or platform key's companies,
// accounts and decisions (sent as X-API-Key from the partner area), and an admin session's chat environments and RCS
// testers. Both go through an SDK client, viewed loosely because the OpenAPI snapshot types these answers as unknown.
import { type CauserieClient, createCauserieClient, unwrap } from '@causerie/sdk/client';
import type { AccountDecision, CompanyDecision, KeyScope } from './logic';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
type LooseCall = (
  path: string,
  init: { params?: { query?: Record<string, string | number> }; body?: unknown },
) => Promise<{ data?: unknown; error?: unknown; response: Response }>;

export interface Pagination {
  page: number;
  limit: number;
  count: number;
  pages: number;
}

export interface Listed<T> {
  items: T[];
  pagination: Pagination | undefined;
}

async function answer(
  client: CauserieClient,
  method: Method,
  path: string,
  options: { query?: Record<string, string | number | undefined>; body?: unknown } = {},
): Promise<{ data: unknown; pagination?: Pagination }> {
  const query: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(options.query ?? {})) if (value !== undefined) query[name] = value;
  const send = (client as unknown as Record<Method, LooseCall>)[method];
  return (await unwrap(
    send.call(client, `/api/messaging${path}`, {
      params: { query },
      ...(options.body !== undefined && { body: options.body }),
    }),
  )) as { data: unknown; pagination?: Pagination };
}

const one = async <T>(client: CauserieClient, method: Method, path: string, body?: unknown): Promise<T> =>
  (await answer(client, method, path, body === undefined ? {} : { body })).data as T;

const list = async <T>(
  client: CauserieClient,
  path: string,
  query: Record<string, string | number | undefined>,
): Promise<Listed<T>> => {
  const { data, pagination } = await answer(client, 'GET', path, { query });
  return { items: data as T[], pagination };
};

export interface HistoryEntry {
  state: string;
  previous_state: string | null;
  reason: string | null;
  at: string;
}

export interface Company {
  id: number;
  legal_name: string;
  trade_name: string | null;
  identifier_kind: string;
  legal_identifier: string;
  address: string;
  country: string;
  website: string | null;
  email: string;
  phone: string;
  sector: string | null;
  logo_url: string | null;
  state: string;
  reason: string | null;
  created_at: string;
  updated_at: string;
  history?: HistoryEntry[];
}

export interface Account {
  id: number;
  company_id: number;
  client_id: number;
  owner: { name: string; email: string; phone: string | null; locale: string | null; timezone: string | null };
  activation_required: boolean;
  state: string;
  reason: string | null;
  activation_expires_at: string | null;
  activated_at: string | null;
  created_at: string;
  history?: HistoryEntry[];
  /** Shown once, in the creation's answer. */
  api_key?: string | null;
  /** A new activation link, when the installation mails nothing (no SMTP). */
  activation_link?: string;
}

/** The partner area's client: the key in X-API-Key (never a cookie, never stored beyond the tab). */
export function partnerClient(key: string, onRefused: () => void): CauserieClient {
  const client = createCauserieClient({ baseUrl: window.location.origin, apiKey: key });
  client.use({
    async onResponse({ response }) {
      // The key itself refused (revoked, mistyped): back to the sign-in. A refused action is `not_permitted`.
      if (response.status !== 403) return;
      const body = (await response
        .clone()
        .json()
        .catch(() => null)) as { meta?: { error?: string } } | null;
      if (body?.meta?.error === 'forbidden') onRefused();
    },
  });
  return client;
}

/**
 * Checks a key and tells its scope: it must read companies (a partner's or the platform's); only a platform key may
 * list partners (GET /api/2/partner), so that answer tells them apart.
 */
export async function scopeOfKey(key: string): Promise<KeyScope> {
  const client = createCauserieClient({ baseUrl: window.location.origin, apiKey: key });
  await list(client, '/client/company', { limit: 1 });
  const partners = await client.GET('/api/2/partner', {});
  return partners.response.ok ? 'platform' : 'partner';
}

export const listCompanies = (client: CauserieClient, query: { state?: string; page?: number; limit?: number }) =>
  list<Company>(client, '/client/company', query);
export const getCompany = (client: CauserieClient, id: number) => one<Company>(client, 'GET', `/client/company/${id}`);
export const createCompany = (client: CauserieClient, body: unknown) =>
  one<Company>(client, 'POST', '/client/company', body);
export const decideCompany = (client: CauserieClient, id: number, decision: CompanyDecision, reason?: string) =>
  one<Company>(client, 'POST', `/client/company/${id}/${decision}`, reason === undefined ? {} : { reason });

export const listAccounts = (
  client: CauserieClient,
  query: { state?: string; company_id?: number; page?: number; limit?: number },
) => list<Account>(client, '/system/account', query);
export const getAccount = (client: CauserieClient, id: number) => one<Account>(client, 'GET', `/system/account/${id}`);
export const createAccount = (client: CauserieClient, body: unknown) =>
  one<Account>(client, 'POST', '/system/account', body);
export const decideAccount = (client: CauserieClient, id: number, decision: AccountDecision, reason?: string) =>
  one<Account>(client, 'POST', `/system/account/${id}/${decision}`, reason === undefined ? {} : { reason });
export const resendActivation = (client: CauserieClient, id: number) =>
  one<Account>(client, 'POST', `/system/account/${id}/activation`, {});

export interface Carrier {
  carrier: string;
  state: string;
  reason: string | null;
  updated_at: string;
}

export interface ProviderError {
  code?: string;
  message?: string;
  field?: string;
  at?: string;
}

export interface Environment {
  id: number;
  name: string;
  description: string;
  brand_color: string;
  channels: string[];
  state: string;
  reason: string | null;
  carriers: Carrier[];
  last_error: ProviderError | null;
  created_at: string;
  updated_at: string;
}

export interface Tester {
  id: number;
  agent_id: number;
  phone: string;
  state: string;
  reason: string | null;
  last_error: ProviderError | null;
  created_at: string;
}

export const listEnvironments = (client: CauserieClient, query: { page?: number; limit?: number } = {}) =>
  list<Environment>(client, '/chatbot/agent', query);
export const getEnvironment = (client: CauserieClient, id: number) =>
  one<Environment>(client, 'GET', `/chatbot/agent/${id}`);
export const createEnvironment = (client: CauserieClient, body: unknown) =>
  one<Environment>(client, 'POST', '/chatbot/agent', body);
export const listTesters = (client: CauserieClient, agentId: number) =>
  list<Tester>(client, '/messenger/rcs-tester', { agent_id: agentId, limit: 100 });
export const addTester = (client: CauserieClient, agentId: number, phone: string) =>
  one<Tester>(client, 'POST', '/messenger/rcs-tester', { agent_id: agentId, phone });
export const deleteTester = (client: CauserieClient, id: number) =>
  one<Tester>(client, 'DELETE', `/messenger/rcs-tester/${id}`);
