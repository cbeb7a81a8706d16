// The messenger's channel for a send: `auto` chosen (RCS when the number can take it, else WhatsApp with an approved
// template, else SMS), and the channel's id in the account or the send's chat environment. The rows a round's sends
// share are read once per round (Lookups); a number's RCS capability is kept for an hour.
import type { Kysely } from 'kysely';
import { rcsCapabilities } from '../../channels/rcs.js';
import { channelRuntime } from '../../channels/runtime.js';
import type { AppContext } from '../../context.js';
import type { Database, MessengerChannel, MessengerMessageRow } from '../../db/schema.js';
import type { MessengerContent } from './messages.js';
import { usableOn } from './messenger-content.js';

/** A number's RCS capability is asked again after this long. */
const CAPABILITY_TTL_MS = 60 * 60_000;

/** Rows every send of a round reads, read once per round (a broadcast's sends share their environment). */
export class Lookups {
  private readonly agents = new Map<
    number,
    Promise<{ id: number; rcs: number; whatsapp_channel_id: number | null; sms_channel_id: number | null }>
  >();
  private readonly rcsChannels = new Map<number, Promise<number | undefined>>();

  constructor(private readonly db: Kysely<Database>) {}

  agent(id: number) {
    let agent = this.agents.get(id);
    if (agent === undefined) {
      agent = this.db
        .selectFrom('messaging_agent')
        .select(['id', 'rcs', 'whatsapp_channel_id', 'sms_channel_id'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      this.agents.set(id, agent);
    }
    return agent;
  }

  /** The account's enabled RCS channel, if any. */
  rcsChannel(clientId: number): Promise<number | undefined> {
    let channel = this.rcsChannels.get(clientId);
    if (channel === undefined) {
      channel = this.db
        .selectFrom('channel')
        .select('id')
        .where('client_id', '=', clientId)
        .where('type', '=', 'rcs')
        .where('enabled', '=', 1)
        .where('deleted_at', 'is', null)
        .orderBy('id')
        .executeTakeFirst()
        .then((row) => row?.id);
      this.rcsChannels.set(clientId, channel);
    }
    return channel;
  }
}

/** Why a send cannot leave: it fails with this code and message. */
export class SendRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Chooses and finds the channels of sends; keeps the RCS capabilities the provider answered. */
export class ChannelChoice {
  private readonly capabilities = new Map<string, { reachable: boolean; until: number }>();

  constructor(private readonly context: AppContext) {}

  /** `auto`: RCS when the number can take it and the environment is launched; else WhatsApp with an approved template; else SMS. */
  async choose(row: MessengerMessageRow, content: MessengerContent, lookups: Lookups): Promise<MessengerChannel> {
    const db = this.context.db;
    const agent = await lookups.agent(row.agent_id);
    if (agent.rcs === 1 && (await this.rcsReachable(row, agent.id, lookups))) return 'rcs';
    if (agent.whatsapp_channel_id !== null && (await usableOn(db, row.client_id, content, 'whatsapp')))
      return 'whatsapp';
    if (agent.sms_channel_id !== null) return 'sms';
    throw new SendRefused(
      'no_channel',
      `No channel of chat environment ${row.agent_id} can reach ${row.to}: RCS is not available for the number, WhatsApp needs an approved template, and the environment has no SMS channel.`,
    );
  }

  private async rcsReachable(row: MessengerMessageRow, agentId: number, lookups: Lookups): Promise<boolean> {
    const db = this.context.db;
    const launched = await db
      .selectFrom('messaging_agent_carrier')
      .select('id')
      .where('agent_id', '=', agentId)
      .where('state', '=', 'launched')
      .executeTakeFirst();
    if (launched === undefined) return false;
    const channelId = await lookups.rcsChannel(row.client_id);
    if (channelId === undefined) return false;
    const key = `${channelId}:${row.to}`;
    const cached = this.capabilities.get(key);
    if (cached !== undefined && cached.until > Date.now()) return cached.reachable;
    const runtime = channelRuntime(this.context);
    const channel = await runtime.directory.get(channelId);
    if (channel === undefined) return false;
    const answer = await rcsCapabilities(runtime.sendContext(channel), row.to);
    // A failure to ask (not an answer about the number) is not kept: the next send asks again.
    if (!answer.reachable && answer.error.code !== 'NOT_FOUND') return false;
    if (this.capabilities.size > 100_000) this.capabilities.clear();
    this.capabilities.set(key, { reachable: answer.reachable, until: Date.now() + CAPABILITY_TTL_MS });
    return answer.reachable;
  }

  async channelIdFor(row: MessengerMessageRow, channel: MessengerChannel, lookups: Lookups): Promise<number> {
    if (channel === 'rcs') {
      const id = await lookups.rcsChannel(row.client_id);
      if (id === undefined) throw new SendRefused('no_channel', 'The account has no enabled RCS channel.');
      return id;
    }
    const agent = await lookups.agent(row.agent_id);
    const id = channel === 'whatsapp' ? agent.whatsapp_channel_id : agent.sms_channel_id;
    if (id === null) throw new SendRefused('no_channel', `Chat environment ${row.agent_id} has no ${channel} channel.`);
    return id;
  }
}
