// The running part of channels on one node: the sealing key, the channel directory, the inbound processor and the
// outbound worker (both loops over database rows, so any node may pick up what another stored), and rate limiters.
import type { Insertable } from 'kysely';
import { ClaimLoop } from '../claim-loop.js';
import type { AppContext } from '../context.js';
import type { ChannelInboundTable, ChannelOutboundRow } from '../db/schema.js';
import { commitGroupOf } from '../events/commit-group.js';
import { transact } from '../events/transact.js';
import type { OutboundContent, SendContext } from './adapter.js';
import { type InboundOutcome, type InboundWork, pendingInbound, processInbound } from './inbound.js';
import { signedMediaUrl } from './media.js';
import { changeDeliveryState, claimDueMessages, MAX_SEND_ATTEMPTS, postponeMessage } from './outbox.js';
import { adapterFor } from './registry.js';
import { channelKey } from './secrets.js';
import { createSendRate, type SendRate } from './send-rate.js';
import { onOutboundWork } from './signal.js';
import { ChannelDirectory, type OpenChannel, webhookUrl } from './store.js';

const INBOUND_BATCH = 200;
/** Attempts at a payload whose processing fails before it is set aside for good (kept with its error). */
const INBOUND_ATTEMPTS = 5;
const OUTBOUND_BATCH = 100;
const LEASE_MS = 60_000;
const IDLE_POLL_MS = 250;

/** A stored payload as the inbound loop claims it. */
type StoredInbound = Awaited<ReturnType<typeof pendingInbound>>[number];

export class ChannelRuntime {
  readonly key: Buffer;
  readonly keyOrigin: 'secret_key' | 'admin_key' | 'generated';
  readonly directory: ChannelDirectory;
  /** Send rates: in Redis when nodes share it (REDIS_URL), so a channel's rate holds for all of them together. */
  private rates: SendRate | undefined;
  /** Stored payloads, claimed and processed in batches. */
  private readonly inbound: ClaimLoop<StoredInbound>;
  /** Queued messages, claimed (leased) and sent. */
  private readonly outbound: ClaimLoop<ChannelOutboundRow>;
  /** Waiting for the inbound write in progress to end. */
  private readonly writesIdle = new Set<() => void>();

  constructor(private readonly context: AppContext) {
    const { key, origin } = channelKey(context.config);
    this.key = key;
    this.keyOrigin = origin;
    this.directory = new ChannelDirectory(context.db, key);
    const report = (error: unknown, what: string) => this.report(error, what);
    this.inbound = new ClaimLoop(
      {
        claim: async () => {
          const items = await pendingInbound(this.context.db, INBOUND_BATCH);
          return { items, more: items.length === INBOUND_BATCH };
        },
        process: (claimed) => this.processStored(claimed),
      },
      { work: 'inbound payloads', idlePollMs: IDLE_POLL_MS, report },
    );
    this.outbound = new ClaimLoop(
      {
        claim: async () => {
          const { rows, followersWait } = await claimDueMessages(this.context.db, OUTBOUND_BATCH, LEASE_MS);
          // A conversation's next message is claimed in the round after its predecessor left.
          return { items: rows, more: rows.length === OUTBOUND_BATCH || followersWait };
        },
        process: (claimed) => this.sendClaimed(claimed),
      },
      { work: 'outbound messages', idlePollMs: IDLE_POLL_MS, report },
    );
  }

  private unsubscribeWork: (() => void) | undefined;

  /** Starts the loops, which also pick up work stored by other nodes, or left by a crash. */
  start(): void {
    // A reply was queued in a transaction of this process: look now, and again just after it has surely committed
    // (on PostgreSQL the claim runs on another connection and cannot see an uncommitted row).
    this.unsubscribeWork ??= onOutboundWork(() => {
      this.outbound.poke();
      for (const delay of [5, 25]) this.outbound.pokeIn(delay);
    });
    this.inbound.start();
    this.outbound.start();
  }

  async stop(): Promise<void> {
    this.unsubscribeWork?.();
    this.unsubscribeWork = undefined;
    await Promise.all([this.inbound.stop(), this.outbound.stop()]);
    await this.settled();
    await this.rates?.close();
    this.rates = undefined;
  }

  /** Resolves when neither loop has work running or owed and no payload is being stored (tests and benchmarks wait). */
  async settled(): Promise<void> {
    while (this.writing || this.inbound.busy || this.outbound.busy) {
      if (this.writing) await new Promise<void>((resolve) => this.writesIdle.add(resolve));
      await Promise.all([this.inbound.settled(), this.outbound.settled()]);
    }
  }

  sendContext(channel: OpenChannel): SendContext<OpenChannel['credentials']> {
    return {
      http: this.context.outbound,
      channel: { id: channel.row.id, baseUrl: channel.row.base_url, sendRate: channel.row.send_rate },
      credentials: channel.credentials,
      webhookUrl: webhookUrl(this.context.config.publicUrl, channel.row),
    };
  }

  private writes: Array<{
    row: Insertable<ChannelInboundTable>;
    resolve: () => void;
    reject: (error: unknown) => void;
  }> = [];
  private writing = false;

  /**
   * Stores a verified payload; resolves once it is committed (then the provider may be answered 200). Payloads arriving
   * while a write is in progress are stored together by the next one: one commit (one disk flush) for many webhooks.
   */
  storeInbound(row: Insertable<ChannelInboundTable>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.writes.push({ row, resolve, reject });
      if (!this.writing) {
        this.writing = true;
        // After the current I/O phase: every webhook whose body arrived in it joins this write.
        setImmediate(() => void this.writeInbound());
      }
    });
  }

  private async writeInbound(): Promise<void> {
    while (this.writes.length > 0) {
      const batch = this.writes.splice(0, 500);
      try {
        await this.context.db
          .insertInto('channel_inbound')
          .values(batch.map((item) => item.row))
          .execute();
        for (const item of batch) item.resolve();
      } catch (error) {
        for (const item of batch) item.reject(error);
      }
    }
    this.writing = false;
    // Process what was stored now rather than at the next poll.
    this.inbound.poke();
    for (const resolve of this.writesIdle) resolve();
    this.writesIdle.clear();
  }

  /** Where the loops report failures (the app's logger, set by the webhook plugin). */
  logger: { warn(details: object, message: string): void } | undefined;

  private report(error: unknown, what: string): void {
    // Logged, never thrown: the loops go on with the next row.
    if (this.logger !== undefined) this.logger.warn({ err: error }, `channels: ${what}`);
    else process.emitWarning(`channels: ${what}: ${error instanceof Error ? error.message : String(error)}`);
  }

  /** A log line per part of a payload left out as another account's (a webhook configured for several numbers). */
  private reportSkipped(skipped: InboundOutcome['skipped']): void {
    for (const { channelId, payloadId, note } of skipped) {
      const message = `channels: channel ${channelId}, inbound payload ${payloadId}: ${note}`;
      if (this.logger !== undefined) this.logger.warn({ channelId, payloadId }, message);
      else process.emitWarning(message);
    }
  }

  /** Processes a batch of stored payloads; false when another node took them all (leave the rest to it). */
  private async processStored(claimed: StoredInbound[]): Promise<boolean> {
    const batch: InboundWork[] = [];
    for (const stored of claimed) {
      const channel = await this.directory.get(stored.channel_id).catch(() => undefined);
      if (channel === undefined) {
        await this.context.db
          .updateTable('channel_inbound')
          .set({ processed_at: new Date().toISOString(), error: 'Channel deleted or unreadable.' })
          .where('id', '=', stored.id)
          .execute();
        continue;
      }
      batch.push({ stored, channel, sendContext: this.sendContext(channel) });
    }
    let taken = 0;
    try {
      const outcome = await processInbound(this.context.db, batch);
      taken = outcome.taken;
      this.reportSkipped(outcome.skipped);
    } catch {
      // One bad payload fails the batch: each is processed alone, so only that one is set aside.
      for (const work of batch) {
        try {
          const outcome = await processInbound(this.context.db, [work]);
          taken += outcome.taken;
          this.reportSkipped(outcome.skipped);
        } catch (error) {
          this.report(error, `processing inbound payload ${work.stored.id}`);
          await this.setAside(work.stored, error);
        }
      }
    }
    // Everything was taken by another node: leave the rest to it rather than reading the same rows again.
    return taken > 0 || batch.length === 0;
  }

  /** A payload that failed: tried again a minute later, given up (kept, with its error) after INBOUND_ATTEMPTS. */
  private async setAside(stored: { id: number; attempts: number }, error: unknown): Promise<void> {
    const attempts = stored.attempts + 1;
    const message = error instanceof Error ? error.message.slice(0, 500) : 'failed';
    await this.context.db
      .updateTable('channel_inbound')
      .set(
        attempts >= INBOUND_ATTEMPTS
          ? { attempts, error: message, processed_at: new Date().toISOString(), claimed_until: null }
          : { attempts, error: message, claimed_until: new Date(Date.now() + 60_000).toISOString() },
      )
      .where('id', '=', stored.id)
      .execute()
      .catch(() => undefined);
  }

  /** Sends a batch of claimed messages: one per conversation (the claim sees to it), so all in parallel. */
  private async sendClaimed(claimed: ChannelOutboundRow[]): Promise<boolean> {
    await Promise.all(
      claimed.map((row) =>
        this.sendOne(row).catch((error: unknown) => {
          this.report(error, `sending outbound message ${row.id}`);
        }),
      ),
    );
    return true;
  }

  /** Sends one claimed row, or gives it back for later (the send rate, a provider's refusal worth a retry). */
  private async sendOne(row: ChannelOutboundRow): Promise<void> {
    const db = this.context.db;
    const channel = await this.directory.get(row.channel_id);
    if (channel === undefined || channel.row.enabled !== 1) {
      await transact(db, async (trx) => {
        await changeDeliveryState(trx, row, 'failed', {
          error: { code: 'channel_disabled', message: 'The channel was disabled or deleted before the message left.' },
        });
      });
      return;
    }
    this.rates ??= createSendRate(this.context.config.redisUrl, (error, what) => this.report(error, what));
    const wait = await this.rates.take(channel.row.id, channel.row.send_rate);
    if (wait > 0) {
      await postponeMessage(db, row, wait, undefined, false);
      this.scheduleOutbound(wait);
      return;
    }
    const stored = JSON.parse(row.content) as OutboundContent;
    // A stored file leaves as a signed public URL of this node, fresh for each attempt.
    const content =
      stored.type === 'media' && stored.mediaId !== undefined
        ? { ...stored, url: signedMediaUrl(this.context.config.publicUrl, this.key, stored.mediaId) }
        : stored;
    const outcome = await adapterFor(channel.row.type).send(this.sendContext(channel), {
      reference: `causerie-${row.id}`,
      to: row.recipient,
      content,
    });
    if (!outcome.ok && outcome.retry && row.attempts < MAX_SEND_ATTEMPTS) {
      const delay = (outcome.retryAfterMs ?? 2000) * 2 ** Math.max(0, row.attempts - 1);
      // Still queued, now with the reason it has not left (the provider's rate limit, an outage): announced as a
      // `message.status_changed` that operators see live.
      await postponeMessage(db, row, delay, outcome.error);
      this.scheduleOutbound(delay);
      return;
    }
    // Joins the database's group commit: the sends of a batch are answered together, and commit together.
    await commitGroupOf(db).run(async (trx) => {
      if (outcome.ok) await changeDeliveryState(trx, row, 'sent', { providerMessageId: outcome.providerMessageId });
      else await changeDeliveryState(trx, row, 'failed', { error: outcome.error });
    });
  }

  private scheduleOutbound(delayMs: number): void {
    this.outbound.pokeIn(Math.min(delayMs, 60_000) + 5);
  }
}

const runtimes = new WeakMap<AppContext, ChannelRuntime>();

/** The channel runtime of an application (one per built app). */
export function channelRuntime(context: AppContext): ChannelRuntime {
  let runtime = runtimes.get(context);
  if (runtime === undefined) {
    runtime = new ChannelRuntime(context);
    runtimes.set(context, runtime);
  }
  return runtime;
}
