// Calls of GET /api/2/supervision and POST /api/2/conversation/{id}/transfer with the console session, through the SDK
// client: failures are CauserieErrors with the API's message, error id and field, so the page shows them alike.
import { type Api, dataOf } from '../api';
import type { SupervisedConversation, SupervisedStatus, Supervision, SupervisionFilter } from './logic';

const isSupervised = <Row extends { status: string }>(row: Row): row is Row & { status: SupervisedStatus } =>
  row.status === 'waiting' || row.status === 'open';

export async function loadSupervision(api: Api, filter: SupervisionFilter): Promise<Supervision> {
  const answer = await dataOf(
    api.GET('/api/2/supervision', {
      params: {
        query: {
          ...(filter.websiteId !== null && { website_id: filter.websiteId }),
          ...(filter.status !== null && { status: filter.status }),
        },
      },
    }),
  );
  // The API documents `status` as text; it answers only waiting and open conversations, the two the page shows.
  const conversations: SupervisedConversation[] = answer.conversations.filter(isSupervised);
  return { ...answer, conversations };
}

export type TransferTarget = { operator_id: number } | { group_id: number };

export interface TransferResult {
  conversation_id: number;
  operator_id: number | null;
  queue_position: number | null;
}

export const transferConversation = (
  api: Api,
  conversationId: number,
  target: TransferTarget,
): Promise<TransferResult> =>
  dataOf(api.POST('/api/2/conversation/{id}/transfer', { params: { path: { id: conversationId } }, body: target }));
