// The messenger worker, on every node: it claims due sends (a lease, so one node sends a row and another takes it over
// when a node dies holding it), fairly between accounts and broadcasts — each account's own sends are one lane and
// each running broadcast another, and a round takes an equal share from every lane, oldest first within it — so a
// million-recipient broadcast never starves another account's submit. A claimed send becomes, in one transaction,
// the customer's conversation entry and the channel's outbound row (the channel workers send it, within the channel's
// own send rate); its later states come from the event log (the messenger feed below). Around the claims it moves
// broadcasts on (scheduled → running at their time, running → completed), ends the sends of cancelled broadcasts,
// and reads the feed: delivery changes become the sends' states, customers' STOP words the opt-out list, and their
// replies MESSENGER_INBOUND.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { planProviderMessage, queueProviderMessage } from '../../channels/outbox.js';
import { ClaimLoop } from '../../claim-loop.js';
import type { AppContext } from '../../context.js';
import { dialectOf } from '../../db/dialect.js';
import { type Database, MESSAGE_KIND, type MessengerChannel, type MessengerMessageRow } from '../../db/schema.js';
import { ApiError } from '../../errors.js';
import { yieldToIo } from '../../event-loop.js';
import { CursorFeed } from '../../events/cursor-feed.js';
import { type Tx, transact } from '../../events/transact.js';
import { nowInstant } from '../../time.js';
import { appendMessage } from '../conversations/commands.js';
import { customerConversation, StepRefused } from '../flows/messaging.js';
import { advanceBroadcasts } from './broadcasts.js';
import { mintChatToken } from './chat-tokens.js';
import { type FallbackRule, isOptedOut, type MessengerContent, moveMessage, UNSENT_STATES } from './messages.js';
import { ChannelChoice, Lookups, SendRefused } from './messenger-channels.js';
import { CHAT_URL_VARIABLE, ContentRefused, contentVariables, renderSend } from './messenger-content.js';
import { applyMessengerEvents } from './messenger-feed.js';
import { onMessengerFeed, onMessengerWork } from './messenger-signal.js';
import { startScenario } from './scenario-runs.js';
import { submitDueTemplates } from './template-submission.js';

const CLAIM_BATCH = 200;
const LEASE_MS = 60_000;
const IDLE_POLL_MS = 1_000;
/** Lanes (accounts with their own sends, running broadcasts) looked at per round at most. */
const MAX_LANES = 50;
/** Sends of cancelled broadcasts ended per round. */
const CANCEL_BATCH = 1_000;
const FEED_TYPES: ReadonlySet<string> = new Set(['message.status_changed', 'message.created']);

type Claimed = MessengerMessageRow & { rate?: number | null };

/** How often the worker's rarer work is looked at (see chores()). */
const CHORES_MS = 200;
/**
 * The event log is read at most this often while it keeps up (see readFeed()): every committed delivery status and
 * customer message pokes the worker, and each read moves the feed's cursor in a commit of its own.
 */
const FEED_INTERVAL_MS = 25;
/**
 * A round woken by the feed alone claims sends only if it read the feed or this long has passed since the last claim
 * (sends due later: retries, schedules, fallbacks). Statuses wake the loop hundreds of times a second, and a claim
 * that finds nothing cost two queries each time (2 % of a flows benchmark node's CPU, with no messenger send at all).
 */
const CLAIM_AT_LEAST_EVERY_MS = 100;
/** Sends written per transaction. */
const SEND_BATCH = 50;

/** A claimed send ready to be written: its channel chosen. */
interface ReadySend {
  row: MessengerMessageRow;
  content: MessengerContent;
  variables: Readonly<Record<string, string>>;
  channel: MessengerChannel;
  channelId: number;
  fallingBack: boolean;
}

export class MessengerWorker {
  readonly owner = randomUUID();
  private readonly loop: ClaimLoop<Claimed>;
  private readonly feed: CursorFeed;
  private readonly channels: ChannelChoice;
  /** Per running broadcast with a rate cap, the sends this node may still take and when it last counted. */
  private readonly allowances = new Map<number, { tokens: number; at: number }>();
  private lastBroadcastPass = 0;
  private lastChores = 0;
  private lastFeedRead = 0;
  /** The last read filled its batch: there is more to read at once. */
  private feedBehind = false;
  private feedTimer: NodeJS.Timeout | undefined;
  /** Sends may have come due since the last claim (a writer said so, the feed was read, a batch came back full). */
  private claimOwed = true;
  private lastClaim = 0;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly context: AppContext,
    private readonly report: (error: unknown, message: string) => void,
  ) {
    this.channels = new ChannelChoice(context);
    this.feed = new CursorFeed(context.db, 'messenger', this.owner, FEED_TYPES, (trx, events) =>
      applyMessengerEvents(trx, events),
    );
    this.loop = new ClaimLoop(
      {
        claim: async () => {
          const fed = await this.readFeed();
          const chores = await this.chores();
          if (!this.claimOwed && Date.now() - this.lastClaim < CLAIM_AT_LEAST_EVERY_MS)
            return { items: [], more: fed || chores };
          this.claimOwed = false;
          this.lastClaim = Date.now();
          const items = await this.claim();
          if (items.length >= CLAIM_BATCH) this.claimOwed = true;
          return { items, more: fed || chores || items.length >= CLAIM_BATCH };
        },
        process: (items) => this.process(items),
      },
      { work: 'messenger sends', idlePollMs: IDLE_POLL_MS, report },
    );
  }

  start(): void {
    if (this.unsubscribe === undefined) {
      const unsubscribeWork = onMessengerWork(() => {
        this.poke();
        this.loop.pokeIn(25);
      });
      const unsubscribeFeed = onMessengerFeed(() => this.loop.poke());
      this.unsubscribe = () => {
        unsubscribeWork();
        unsubscribeFeed();
      };
    }
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearTimeout(this.feedTimer);
    this.feedTimer = undefined;
    await this.loop.stop();
  }

  poke(): void {
    this.claimOwed = true;
    this.loop.poke();
  }

  /**
   * Reads the event log for delivery statuses and replies, at most every FEED_INTERVAL_MS unless behind: a busy channel
   * commits statuses by the hundred a second, and reading them in one batch per interval costs one cursor commit where
   * reading each as it pokes the worker cost one per status (the flows benchmark's node: 1,300 of its 4,170 commits).
   * A read put off is made when the interval is over (a timer pokes the loop), so a report waits 25 ms at most for it.
   */
  private async readFeed(): Promise<boolean> {
    const since = Date.now() - this.lastFeedRead;
    if (!this.feedBehind && since < FEED_INTERVAL_MS) {
      this.feedTimer ??= setTimeout(() => {
        this.feedTimer = undefined;
        this.loop.poke();
      }, FEED_INTERVAL_MS - since).unref();
      return false;
    }
    this.lastFeedRead = Date.now();
    // What it reads may make sends due (a failed first channel falls back at once).
    this.claimOwed = true;
    this.feedBehind = await this.feed.advance();
    return this.feedBehind;
  }

  /**
   * The rarer work, looked at every CHORES_MS at most rather than at every round (a broadcast's statuses wake the loop
   * thousands of times a minute): templates due at Meta, broadcasts' moves, cancelled broadcasts' sends. True when
   * there is more of it (then it is looked at again at once).
   */
  private async chores(): Promise<boolean> {
    if (Date.now() - this.lastChores < CHORES_MS) return false;
    this.lastChores = Date.now();
    // A broadcast the pass started has sends due.
    this.claimOwed = true;
    const swept = await this.sweep();
    const submitted = await submitDueTemplates(this.context);
    const more = swept || submitted > 0;
    if (more) this.lastChores = 0;
    return more;
  }

  /** Broadcasts' own moves (at most once a second) and the end of cancelled broadcasts' sends. */
  private async sweep(): Promise<boolean> {
    const db = this.context.db;
    const now = Date.now();
    if (now - this.lastBroadcastPass >= 1_000) {
      this.lastBroadcastPass = now;
      await advanceBroadcasts(db, UNSENT_STATES);
    }
    const unsent = await db
      .selectFrom('messenger_message')
      .innerJoin('messenger_broadcast', 'messenger_broadcast.id', 'messenger_message.broadcast_id')
      .selectAll('messenger_message')
      .where('messenger_broadcast.state', '=', 'cancelled')
      .where('messenger_message.state', 'in', [...UNSENT_STATES])
      .limit(CANCEL_BATCH)
      .execute();
    if (unsent.length === 0) return false;
    await transact(db, async (trx) => {
      const at = nowInstant();
      for (const row of unsent)
        await moveMessage(trx, row, 'cancelled', UNSENT_STATES, {
          at,
          error: { code: 'broadcast_cancelled', message: `Broadcast ${row.broadcast_id} was cancelled.` },
        });
    });
    return unsent.length === CANCEL_BATCH;
  }

  /** An equal share of the batch from every lane with due work: each account's own sends, each running broadcast. */
  private async claim(): Promise<Claimed[]> {
    const db = this.context.db;
    const now = nowInstant();
    const clients = await db
      .selectFrom('messenger_message')
      .select('client_id')
      .distinct()
      .where('broadcast_id', 'is', null)
      .where('due_at', '<=', now)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .limit(MAX_LANES)
      .execute();
    const broadcasts = await db
      .selectFrom('messenger_broadcast')
      .select(['id', 'rate_per_second'])
      .where('state', '=', 'running')
      .orderBy('id')
      .limit(MAX_LANES)
      .execute();
    const lanes = clients.length + broadcasts.length;
    if (lanes === 0) return [];
    const share = Math.max(10, Math.ceil(CLAIM_BATCH / lanes));
    const claimed: Claimed[] = [];
    for (const { client_id: clientId } of clients) claimed.push(...(await this.claimLane(db, { clientId }, share)));
    for (const broadcast of broadcasts) {
      const allowed = this.allowance(broadcast.id, broadcast.rate_per_second, share);
      if (allowed === 0) continue;
      const rows = await this.claimLane(db, { broadcastId: broadcast.id }, allowed);
      this.spend(broadcast.id, broadcast.rate_per_second, rows.length);
      claimed.push(...rows);
    }
    return claimed;
  }

  /** How many sends of a capped broadcast this node may take now (tokens refilled at its rate, a second's worth at most). */
  private allowance(broadcastId: number, rate: number | null, share: number): number {
    if (rate === null) return share;
    const now = Date.now();
    const bucket = this.allowances.get(broadcastId) ?? { tokens: rate, at: now };
    bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    this.allowances.set(broadcastId, bucket);
    const allowed = Math.min(share, Math.floor(bucket.tokens));
    if (allowed === 0) setTimeout(() => this.poke(), Math.ceil(1000 / rate)).unref();
    return allowed;
  }

  private spend(broadcastId: number, rate: number | null, taken: number): void {
    if (rate === null) return;
    const bucket = this.allowances.get(broadcastId);
    if (bucket !== undefined) bucket.tokens -= taken;
  }

  private async claimLane(
    db: Kysely<Database>,
    lane: { clientId: number } | { broadcastId: number },
    limit: number,
  ): Promise<Claimed[]> {
    const now = nowInstant();
    // A look first, outside a transaction: most rounds of a running broadcast find its sends all taken already, and
    // on SQLite an empty write transaction still takes the write lock and commits.
    let probe = db
      .selectFrom('messenger_message')
      .select('id')
      .where('due_at', '<=', now)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .limit(1);
    probe =
      'clientId' in lane
        ? probe.where('broadcast_id', 'is', null).where('client_id', '=', lane.clientId)
        : probe.where('broadcast_id', '=', lane.broadcastId);
    if ((await probe.executeTakeFirst()) === undefined) return [];
    return transact(db, async (trx) => {
      let due = trx
        .selectFrom('messenger_message')
        .select('id')
        .where('due_at', '<=', now)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
        .orderBy('due_at')
        .orderBy('id')
        .limit(limit);
      due =
        'clientId' in lane
          ? due.where('broadcast_id', 'is', null).where('client_id', '=', lane.clientId)
          : due.where('broadcast_id', '=', lane.broadcastId);
      if (dialectOf(trx) === 'postgres') due = due.forUpdate().skipLocked();
      const ids = (await due.execute()).map((row) => row.id);
      if (ids.length === 0) return [];
      const rows = await trx
        .updateTable('messenger_message')
        .set((eb) => ({
          lease_owner: this.owner,
          lease_until: new Date(Date.now() + LEASE_MS).toISOString(),
          attempts: eb('attempts', '+', 1),
        }))
        .where('id', 'in', ids)
        .returningAll()
        .execute();
      return rows.sort((a, b) => a.id - b.id);
    });
  }

  /**
   * Prepares and writes the claimed sends a batch at a time, giving the event loop back between batches. On SQLite
   * every statement runs on the node's one thread and a claim's awaits are microtasks only, so a claim of 200 sends
   * written in one go held the thread ~100 ms: requests that arrived meanwhile (another account's submits, the
   * providers' status callbacks) waited for all of it, and a broadcast made every submit of the node seconds late.
   */
  private async process(items: Claimed[]): Promise<boolean> {
    const lookups = new Lookups(this.context.db);
    for (let at = 0; at < items.length; at += SEND_BATCH) {
      if (at > 0) await yieldToIo();
      const ready: ReadySend[] = [];
      for (const row of items.slice(at, at + SEND_BATCH)) {
        try {
          const send = await this.prepare(row, lookups);
          if (send !== undefined) ready.push(send);
        } catch (error) {
          this.report(error, `messenger send ${row.id} failed; it is tried again when its lease runs out`);
        }
      }
      if (ready.length > 0) await this.write(ready);
    }
    return true;
  }

  /**
   * What a claimed send needs before it is written: its channel (`auto` chosen, a fallback's rule) and that channel's
   * id. Undefined when it was settled here instead (opted out, no channel, a fallback no longer due).
   */
  private async prepare(row: MessengerMessageRow, lookups: Lookups): Promise<ReadySend | undefined> {
    const db = this.context.db;
    const content = JSON.parse(row.content) as MessengerContent;
    const variables = JSON.parse(row.variables) as Record<string, string>;
    let channel: MessengerChannel;
    let fallingBack = false;
    if (row.work === 'fallback') {
      const rule = row.fallback === null ? undefined : (JSON.parse(row.fallback) as FallbackRule);
      if (rule === undefined || row.fallback_from !== null || !['queued', 'sent'].includes(row.state)) {
        await this.release(row, { work: null, due_at: null });
        return undefined;
      }
      channel = rule.channel;
      fallingBack = true;
    } else {
      if (await isOptedOut(db, row.client_id, row.to)) {
        await transact(db, (trx) =>
          moveMessage(trx, row, 'opted_out', UNSENT_STATES, {
            at: nowInstant(),
            error: { code: 'opted_out', message: `${row.to} is on the account's opt-out list.` },
          }),
        );
        return undefined;
      }
      try {
        channel =
          row.requested_channel === 'auto' ? await this.channels.choose(row, content, lookups) : row.requested_channel;
      } catch (error) {
        await this.fail(row, error);
        return undefined;
      }
    }
    try {
      const channelId = await this.channels.channelIdFor(row, channel, lookups);
      return { row, content, variables, channel, channelId, fallingBack };
    } catch (error) {
      await this.fail(row, error);
      return undefined;
    }
  }

  /**
   * Writes sends in one transaction (one commit for a batch: on SQLite each commit is a disk sync). When one of them
   * cannot be written, the batch is rolled back and each send goes again in a transaction of its own, so only that
   * one fails.
   */
  private async write(batch: readonly ReadySend[]): Promise<void> {
    try {
      await transact(this.context.db, async (trx) => {
        for (const send of batch) await this.writeSend(trx, send);
      });
    } catch (error) {
      if (batch.length > 1) {
        for (const send of batch) await this.write([send]);
        return;
      }
      const [send] = batch;
      if (send === undefined) return;
      if (
        error instanceof SendRefused ||
        error instanceof ContentRefused ||
        error instanceof StepRefused ||
        error instanceof ApiError
      ) {
        await this.fail(send.row, error);
        return;
      }
      this.report(error, `messenger send ${send.row.id} failed; it is tried again when its lease runs out`);
    }
  }

  /** A send's conversation entry and outbound row on its channel, with its state, in the caller's transaction. */
  private async writeSend(trx: Tx, send: ReadySend): Promise<void> {
    const { row, content, channel, channelId, fallingBack } = send;
    // A copy: a chat token minted in a batch that rolls back must not leave its URL for the next attempt.
    const variables = { ...send.variables };
    const current = await trx
      .selectFrom('messenger_message')
      .selectAll()
      .where('id', '=', row.id)
      .executeTakeFirstOrThrow();
    // Cancelled (or claimed by another node after our lease ran out) meanwhile.
    if (current.lease_owner !== this.owner) return;
    if (!fallingBack && !(UNSENT_STATES as readonly string[]).includes(current.state)) return;
    // `{{chat_url}}` not given: a chat token of the environment for this recipient, tied to this send so its
    // first use reports the send read too.
    const needs = await contentVariables(trx, row.client_id, content).catch((): string[] => []);
    if (needs.includes(CHAT_URL_VARIABLE) && variables[CHAT_URL_VARIABLE] === undefined) {
      const minted = await mintChatToken(
        trx,
        row.client_id,
        { agent_id: row.agent_id, recipient: { phone: row.to }, variables, reference: row.reference ?? undefined },
        this.context.config.publicUrl,
        row.id,
      );
      variables[CHAT_URL_VARIABLE] = minted.url;
    }
    const rendered = await renderSend(trx, row.client_id, content, variables, channel);
    const conversationId = await customerConversation(trx, {
      channelId,
      clientId: row.client_id,
      address: row.to,
    });
    const data = { ...rendered.data, messenger_message_id: row.id };
    const planned = await planProviderMessage(trx, conversationId, { text: rendered.text, data });
    if (planned === undefined) throw new SendRefused('no_channel', `Channel ${channelId} is not a messaging channel.`);
    const entry = await appendMessage(trx, conversationId, {
      kind: MESSAGE_KIND.system,
      text: rendered.text,
      at: nowInstant(),
      data,
    });
    await queueProviderMessage(trx, planned, Number(entry.seq));
    // A scenario template's steps follow its opening message (not again when the message falls back).
    if (!fallingBack) await startScenario(trx, { send: current, content, variables, channelId, conversationId });
    const rule = current.fallback === null ? undefined : (JSON.parse(current.fallback) as FallbackRule);
    const fallbackDue =
      !fallingBack && rule !== undefined && rule.channel !== channel
        ? new Date(Date.now() + rule.after_minutes * 60_000).toISOString()
        : null;
    const set = {
      channel,
      channel_id: channelId,
      conversation_id: conversationId,
      seq: Number(entry.seq),
      work: fallbackDue === null ? null : ('fallback' as const),
      due_at: fallbackDue,
      ...(fallingBack && { fallback_from: current.channel }),
    };
    if (current.state === 'scheduled') {
      await moveMessage(trx, current, 'queued', ['scheduled'], { at: nowInstant(), set });
    } else {
      await trx
        .updateTable('messenger_message')
        .set({ ...set, lease_owner: null, lease_until: null, updated_at: nowInstant() })
        .where('id', '=', row.id)
        .execute();
    }
  }

  /** The send fails with the refusal's code and message (its report says why). */
  private async fail(row: MessengerMessageRow, error: unknown): Promise<void> {
    const code =
      error instanceof SendRefused || error instanceof ContentRefused
        ? error.code
        : error instanceof ApiError
          ? error.id
          : 'not_sendable';
    const message = error instanceof Error ? error.message : String(error);
    await transact(this.context.db, (trx) =>
      moveMessage(trx, row, 'failed', [...UNSENT_STATES, 'sent'], { at: nowInstant(), error: { code, message } }),
    );
  }

  private async release(
    row: MessengerMessageRow,
    set: Partial<Pick<MessengerMessageRow, 'work' | 'due_at'>>,
  ): Promise<void> {
    await this.context.db
      .updateTable('messenger_message')
      .set({ ...set, lease_owner: null, lease_until: null })
      .where('id', '=', row.id)
      .where('lease_owner', '=', this.owner)
      .execute();
  }
}

const workers = new WeakMap<AppContext, MessengerWorker>();

/** The messenger worker of an application (one per built app). */
export function messengerWorker(context: AppContext, report: (error: unknown, message: string) => void) {
  let worker = workers.get(context);
  if (worker === undefined) {
    worker = new MessengerWorker(context, report);
    workers.set(context, worker);
  }
  return worker;
}
