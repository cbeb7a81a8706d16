// A scenario template's steps start with its send: when the opening message's outbound row commits, a run of the
// template's flow starts in the same transaction, in the conversation the message went to, on the channel it left
// on — so the flow engine (domain/flows) waits for the recipient's reply, branches, sends and hands over. One engine
// runs commerce flows and scenarios alike.
import type { MessengerMessageRow } from '../../db/schema.js';
import type { Tx } from '../../events/transact.js';
import { startRun } from '../flows/runs.js';
import type { MessengerContent } from './messages.js';

export interface ScenarioStart {
  send: Pick<MessengerMessageRow, 'id' | 'client_id' | 'to' | 'reference' | 'broadcast_id' | 'agent_id'>;
  content: MessengerContent;
  variables: Readonly<Record<string, string>>;
  channelId: number;
  conversationId: number;
}

/**
 * Starts the scenario of the send's template, if it has one; answers the run's id. Its variables are the send's, with
 * `phone` (the recipient), `channel_id`, `messenger_message_id`, `reference` and `broadcast_id`.
 */
export async function startScenario(trx: Tx, start: ScenarioStart): Promise<number | undefined> {
  if (!('template_id' in start.content)) return undefined;
  const flow = await trx
    .selectFrom('messenger_template as t')
    .innerJoin('flow as f', 'f.id', 't.flow_id')
    .select(['f.id', 'f.current_version'])
    .where('t.id', '=', start.content.template_id)
    .where('t.client_id', '=', start.send.client_id)
    .where('f.deleted_at', 'is', null)
    .executeTakeFirst();
  if (flow?.current_version == null) return undefined;
  const { send } = start;
  return startRun(trx, {
    clientId: send.client_id,
    flowId: flow.id,
    version: flow.current_version,
    userKey: send.to,
    variables: {
      ...start.variables,
      phone: send.to,
      channel_id: start.channelId,
      messenger_message_id: send.id,
      reference: send.reference,
      broadcast_id: send.broadcast_id,
      agent_id: send.agent_id,
    },
    conversationId: start.conversationId,
  });
}
