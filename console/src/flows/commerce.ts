// The console's calls to the commerce API (/api/commerce/v1, docs/COMMERCE.md) with the operator's session: flows,
// versions, runs, retries and charge totals. They go through the session's SDK client (its bearer token, and its
// handling of a refused session), viewed loosely because the SDK's OpenAPI snapshot does not carry these routes yet.
import { type Api, unwrap } from '../api';

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
type LooseCall = (
  path: string,
  init: { params?: { query?: Record<string, string | number> }; body?: unknown },
) => Promise<{ data?: { data: unknown }; error?: unknown; response: Response }>;

async function call<T>(
  api: Api,
  method: Method,
  path: string,
  options: { query?: Record<string, string | number | undefined>; body?: unknown } = {},
): Promise<T> {
  const query: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(options.query ?? {})) if (value !== undefined) query[name] = value;
  const send = (api as unknown as Record<Method, LooseCall>)[method];
  const answer = await unwrap(
    send.call(api, `/api/commerce/v1${path}`, {
      params: { query },
      ...(options.body !== undefined && { body: options.body }),
    }),
  );
  return answer.data as T;
}

export type Trigger =
  | { type: 'request' }
  | { type: 'order_created' }
  | { type: 'keyword'; keywords: string[] }
  | { type: 'schedule'; every_minutes?: number; at?: string; user_key: string; data?: Record<string, unknown> }
  | { type: 'event'; event_types: string[]; user_key?: string };

export interface Flow {
  flow_id: number;
  code: string;
  name: string;
  active: boolean;
  trigger: Trigger;
  current_version: number | null;
  /** A schedule's next firing (Europe/Rome), else null. */
  next_fire_at?: string | null;
  created_at: string;
  updated_at: string;
}

/** A definition as the editor holds it: what the person typed, checked by the server when saved. */
export interface Definition {
  channel_id?: unknown;
  variables?: unknown;
  steps: Array<Record<string, unknown>>;
  [field: string]: unknown;
}

export interface FlowWithVersions extends Flow {
  versions: Array<{ version: number; definition: Definition; created_at: string }>;
}

export type RunState = 'running' | 'waiting' | 'done' | 'failed' | 'cancelled';

export interface RunStep {
  step: number;
  id: string;
  type: string;
  state: 'running' | 'waiting' | 'done' | 'failed';
  attempts: number;
  output: unknown;
  error: string | null;
  started_at: string;
  ended_at: string | null;
  duration_ms: number | null;
}

export interface Run {
  run_id: number;
  flow: string;
  version: number;
  request_id: number | null;
  order_id: number | null;
  user_key: string;
  state: RunState;
  error: string | null;
  variables: unknown;
  object: unknown;
  started_at: string;
  ended_at: string | null;
  next_due_at: string | null;
  steps: RunStep[];
  messages: Array<{
    seq: number;
    direction: 'inbound' | 'outbound';
    text: string;
    delivery: string | null;
    at: string;
  }>;
}

export interface RequestSummary {
  request_id: number;
  flow: string;
  user_key: string;
  reference: string | null;
  state: 'open' | 'done' | 'failed' | 'cancelled';
  created_at: string;
}

export interface ChargeTotals {
  period: 'day' | 'month';
  from: string;
  to: string;
  user_key: string | null;
  totals: Array<{ period: string; kind: string; currency: string; quantity: number; amount: number; count: number }>;
  sums: Array<{ currency: string; amount: number; count: number }>;
}

export const listFlows = (api: Api) => call<Flow[]>(api, 'GET', '/flows');

export const loadFlow = (api: Api, flowId: number) => call<FlowWithVersions>(api, 'GET', `/flows/${flowId}`);

export const createFlow = (api: Api, body: { code: string; name: string; trigger: Trigger; active: boolean }) =>
  call<Flow>(api, 'POST', '/flows', { body });

/** Deletes a flow; with `cancelRuns` its runs under way are cancelled (else 409 while there are some). */
export const deleteFlow = (api: Api, flowId: number, cancelRuns: boolean) =>
  call<{ flow_id: number; cancelled_runs: number }>(api, 'DELETE', `/flows/${flowId}`, {
    query: { cancel_runs: cancelRuns ? 'true' : undefined },
  });

export const changeFlow = (api: Api, flowId: number, body: { name?: string; trigger?: Trigger; active?: boolean }) =>
  call<Flow>(api, 'PATCH', `/flows/${flowId}`, { body });

export const publishVersion = (api: Api, flowId: number, definition: Definition) =>
  call<{ flow_id: number; version: number }>(api, 'POST', `/flows/${flowId}/versions`, { body: { definition } });

export const runsOfUser = (api: Api, userKey: string) =>
  call<Run[]>(api, 'GET', '/getFlowByUserKey', { query: { user_key: userKey } });

export const runsOfRequest = async (api: Api, requestId: number) =>
  (await call<{ runs: Run[] }>(api, 'GET', '/getRequest', { query: { request_id: requestId } })).runs;

export const failedRequests = (api: Api) =>
  call<RequestSummary[]>(api, 'GET', '/getRequests', { query: { state: 'failed', limit: 50 } });

export const retryRun = (api: Api, runId: number) =>
  call<{ run_id: number; state: string }>(api, 'POST', '/retryRun', { body: { run_id: runId } });

export const chargeTotals = (
  api: Api,
  query: { period: 'day' | 'month'; user_key?: string | undefined; from?: string | undefined; to?: string | undefined },
) => call<ChargeTotals>(api, 'GET', '/getChargeTotals', { query });
