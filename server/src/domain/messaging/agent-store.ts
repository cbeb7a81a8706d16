// One chat environment with its carriers, read for a client (another tenant's answers 404): shared by the environment
// commands (agents.ts) and the testers (testers.ts), which both need it and would otherwise import each other.
import type { Kysely } from 'kysely';
import type { Database, MessagingAgentCarrierRow, MessagingAgentRow } from '../../db/schema.js';
import { unknownResource } from '../../errors.js';
import type { Tx } from '../../events/transact.js';

export interface AgentWithCarriers {
  agent: MessagingAgentRow;
  carriers: MessagingAgentCarrierRow[];
}

export async function loadAgent(db: Kysely<Database> | Tx, clientId: number, id: number): Promise<AgentWithCarriers> {
  const agent = await db
    .selectFrom('messaging_agent')
    .selectAll()
    .where('id', '=', id)
    .where('client_id', '=', clientId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  // Another tenant's environment is as unknown as one that does not exist.
  if (agent === undefined) throw unknownResource('chatbot/agent', id);
  const carriers = await db
    .selectFrom('messaging_agent_carrier')
    .selectAll()
    .where('agent_id', '=', id)
    .orderBy('id')
    .execute();
  return { agent, carriers };
}
