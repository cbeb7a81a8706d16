// Calls of GET /api/2/supervision and POST /api/2/conversation/{id}/transfer with the console session. The generated
// SDK does not know them yet (the lead regenerates it), so these go through fetch with the session's token and fail as
// the SDK does (CauserieError with the API's message, error id and field), so the page shows them alike.
import { type Api, CauserieError } from '../api';
import { type Supervision, type SupervisionFilter, supervisionQuery } from './logic';

interface Envelope<D> {
  meta?: { status?: string; message?: string; error?: string; field?: string };
  data?: D;
}

async function call<D>(api: Api, method: string, path: string, body?: unknown): Promise<D> {
  const response = await fetch(`${window.location.origin}/api/2${path}`, {
    method,
    headers: {
      Authorization: `Bearer ${api.session.token}`,
      ...(body !== undefined && { 'Content-Type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const answer = (await response.json().catch(() => ({}))) as Envelope<D>;
  if (response.ok && answer.meta?.status === 'success' && answer.data !== undefined) return answer.data;
  throw new CauserieError(
    response.status,
    answer.meta?.message ?? `HTTP ${response.status}`,
    answer,
    answer.meta?.error ?? response.headers.get('x-causerie-error') ?? undefined,
    answer.meta?.field,
  );
}

export const loadSupervision = (api: Api, filter: SupervisionFilter) =>
  call<Supervision>(api, 'GET', `/supervision${supervisionQuery(filter)}`);

export type TransferTarget = { operator_id: number } | { group_id: number };

export interface TransferResult {
  conversation_id: number;
  operator_id: number | null;
  queue_position: number | null;
}

export const transferConversation = (api: Api, conversationId: number, target: TransferTarget) =>
  call<TransferResult>(api, 'POST', `/conversation/${conversationId}/transfer`, target);
