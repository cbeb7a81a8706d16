// The delivery worker: fans the outbox out, claims due attempts, POSTs them through the outbound guard, records each answer.
import { randomUUID } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import { type Claim, ClaimLoop } from '../claim-loop.js';
import type { Dialect } from '../db/dialect.js';
import type { Database, WebhookDeliveryRow } from '../db/schema.js';
import { appendEvent } from '../events/append.js';
import { transact } from '../events/transact.js';
import { OutboundFailed, type OutboundGuard, OutboundRefused, type OutboundResponse } from '../http/outbound.js';
import { callbackAsWebhook, openCallbackSecret } from './callbacks.js';
import { dispatchOutbox } from './dispatch.js';
import { onWebhookWork } from './signal.js';
import { deliveryHeaders, openWebhookSecret, SECRET_PREFIX } from './signing.js';
import { readWebhook, type WebhookRecord } from './store.js';

/**
 * Delay before each attempt, from the first (published in docs/WEBHOOKS.md): immediately, 5 s, 5 min, 30 min, 2 h,
 * 5 h, 10 h, 10 h — eight attempts over about 38 hours.
 */
export const RETRY_SCHEDULE_MS: readonly number[] = [
  0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000,
];
/** A subscription whose deliveries have all failed for this long, when an event exhausts its attempts, is disabled. */
export const DISABLE_AFTER_MS = 24 * 3_600_000;
/** A 2xx within this time is success. */
export const DELIVERY_TIMEOUT_MS = 10_000;
/** Bytes of a receiver's answer kept in the log. */
export const LOGGED_RESPONSE_BYTES = 4_096;
/** The longest Retry-After honoured. */
const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

export interface WebhookWorkerOptions {
  /** Multiplies every wait (retry delays, Retry-After, the disable window, lease margins): tests compress time with 0.001. */
  timeScale?: number;
  timeoutMs?: number;
  /** Requests in flight at once to one subscription, per node. */
  perWebhookConcurrency?: number;
  /** Requests in flight at once, per node. */
  maxInFlight?: number;
  /** Look for work at least this often when idle (other nodes' events; retries coming due). */
  idlePollMs?: number;
  now?: () => number;
  /** Opens the sealed signing secrets (channels/secrets.ts secretsKey). */
  secretsKey?: Buffer;
}

interface Claimed {
  delivery: WebhookDeliveryRow;
  /** The subscription, or a messaging callback read as one (webhooks/callbacks.ts; `delivery.callback_id` set). */
  webhook: WebhookRecord;
}

/** Concurrency is counted per receiver: a subscription, or a messaging callback. */
const receiverOf = (row: { webhook_id: number; callback_id: number | null }) =>
  row.callback_id === null ? `webhook:${row.webhook_id}` : `callback:${row.callback_id}`;

/**
 * Deliveries that must go one at a time in event order: a conversation's events to one subscription, and every event
 * to one messaging callback (a resource's states arrive in the order they happened).
 */
const laneOf = (row: { webhook_id: number; callback_id: number | null; conversation_id: number | null }) =>
  row.callback_id !== null
    ? `callback:${row.callback_id}`
    : row.conversation_id !== null
      ? `${row.webhook_id}:${row.conversation_id}`
      : null;

type Outcome = { kind: 'answer'; response: OutboundResponse } | { kind: 'error'; message: string };

interface Finished extends Claimed {
  outcome: Outcome;
  at: number;
}

type Tx = Transaction<Database>;

/** Reads a Retry-After header (seconds or an HTTP date) as milliseconds from now. */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Delivers webhooks for one node. Several nodes may run one each on one PostgreSQL database. */
export class WebhookWorker {
  private readonly scale: number;
  private readonly timeoutMs: number;
  private readonly perWebhook: number;
  private readonly maxInFlight: number;
  private readonly idlePollMs: number;
  private readonly now: () => number;
  private readonly secretsKey: Buffer | undefined;
  private running = false;
  /** Each round records answers, fans the outbox out and claims due attempts; abandoned leases are taken back. */
  private readonly loop: ClaimLoop<Claimed>;
  private unsubscribe: (() => void) | undefined;
  /** Attempts sent or awaiting their record, by delivery id. */
  private readonly inFlight = new Map<number, Claimed>();
  private readonly finished: Finished[] = [];

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    private readonly outbound: OutboundGuard,
    options: WebhookWorkerOptions = {},
    private readonly log: (error: unknown, message: string) => void = () => undefined,
  ) {
    this.scale = options.timeScale ?? 1;
    this.timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS;
    this.perWebhook = options.perWebhookConcurrency ?? 32;
    this.maxInFlight = options.maxInFlight ?? 512;
    this.idlePollMs = options.idlePollMs ?? 250;
    this.now = options.now ?? Date.now;
    this.secretsKey = options.secretsKey;
    this.loop = new ClaimLoop(
      {
        claim: () => this.round(true),
        process: async (claimed) => {
          // Sends run while the next rounds record earlier answers and claim more.
          for (const item of claimed) {
            this.inFlight.set(item.delivery.id, item);
            void this.send(item);
          }
          return true;
        },
        recover: { everyMs: Math.max(50, 5_000 * this.scale), run: () => this.recoverAbandoned() },
      },
      { work: 'webhook deliveries', idlePollMs: this.idlePollMs, report: this.log, now: this.now },
    );
  }

  /** Starts the loop (idempotent). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = onWebhookWork(() => this.poke());
    this.loop.start();
  }

  /** Stops claiming, waits (up to the delivery timeout) for attempts in flight and records them. Unrecorded ones are taken over after their lease. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.unsubscribe?.();
    await this.loop.stop();
    const deadline = Date.now() + this.timeoutMs + 1_000;
    while (this.inFlight.size > 0 && Date.now() < deadline) {
      if (this.finished.length > 0)
        await this.round(false).catch((error: unknown) => this.log(error, 'recording webhook deliveries failed'));
      else await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Runs one round of work now (tests and replays call it to skip the poll wait). */
  poke(): void {
    this.loop.poke();
  }

  private iso(ms: number): string {
    return new Date(ms).toISOString();
  }

  /**
   * One round, in ONE transaction (one commit, one fsync on SQLite): records the answers gathered since the last
   * round, fans the outbox out, and claims due attempts (the loop then starts their sends). Nothing to do costs a few
   * indexed reads and no transaction. `more` tells whether anything was done.
   */
  private async round(claiming: boolean): Promise<Claim<Claimed>> {
    const at = this.now();
    const nowIso = this.iso(at);
    const room = claiming ? this.maxInFlight - this.inFlight.size : 0;
    const outbox =
      claiming && (await this.db.selectFrom('webhook_outbox').select('id').limit(1).executeTakeFirst()) !== undefined;
    const due =
      room > 0 &&
      (outbox ||
        (await this.db
          .selectFrom('webhook_delivery')
          .select('id')
          .where('status', '=', 'pending')
          .where('next_attempt_at', '<=', nowIso)
          .limit(1)
          .executeTakeFirst()) !== undefined);
    if (this.finished.length === 0 && !outbox && !due) return { items: [], more: false };
    const batch = this.finished.splice(0, this.finished.length);
    // Answered attempts free their lane and their place now, for this round's claim.
    for (const item of batch) this.inFlight.delete(item.delivery.id);
    let claimed: Claimed[] = [];
    try {
      claimed = await transact(this.db, async (trx) => {
        const succeeded = new Set<number>();
        for (const item of batch) await this.record(trx, item, succeeded);
        // Any success ends a run of failures (one statement per round, not per answer).
        if (succeeded.size > 0)
          await trx
            .updateTable('webhook')
            .set({ failing_since: null })
            .where('id', 'in', [...succeeded])
            .where('failing_since', 'is not', null)
            .execute();
        if (outbox) await dispatchOutbox(trx, this.dialect, nowIso);
        return room > 0 ? this.claim(trx, room, nowIso) : [];
      });
    } catch (error) {
      // Answers not recorded stay `delivering`: their lease runs out and they are sent again, so nothing is lost.
      this.log(error, 'webhook worker round failed');
    }
    return { items: claimed, more: batch.length > 0 || claimed.length > 0 || outbox };
  }

  /**
   * Claims due attempts: one at a time per conversation and subscription (an earlier event of the conversation still
   * due or being sent holds later ones back), at most perWebhookConcurrency per subscription. On PostgreSQL the
   * candidates are locked with SKIP LOCKED so nodes never claim the same attempt.
   */
  private async claim(trx: Tx, room: number, nowIso: string): Promise<Claimed[]> {
    const lock = this.dialect === 'postgres' ? sql`for update of d skip locked` : sql``;
    // Due attempts, oldest first (the due index's own order: no sort). Lanes (subscription × conversation) are kept
    // in order below, in memory: one indexed range read instead of a per-row subquery.
    const candidates = await sql<{
      id: number;
      webhook_id: number;
      callback_id: number | null;
      conversation_id: number | null;
      event_id: number;
    }>`
      select d.id, d.webhook_id, d.callback_id, d.conversation_id, d.event_id from webhook_delivery d
      where d.status = 'pending' and d.next_attempt_at <= ${nowIso}
        and (d.callback_id is not null or d.webhook_id in (select w.id from webhook w where w.enabled = 1))
      order by d.next_attempt_at, d.id limit ${room * 4} ${lock}`.execute(trx);
    if (candidates.rows.length === 0) return [];
    // Lanes with an attempt in flight anywhere (this node or another) wait for it.
    const busyLanes = await trx
      .selectFrom('webhook_delivery')
      .select(['webhook_id', 'callback_id', 'conversation_id'])
      .where('status', '=', 'delivering')
      .where((eb) => eb.or([eb('conversation_id', 'is not', null), eb('callback_id', 'is not', null)]))
      .execute();
    const firstOfLane = new Map<string, number>();
    for (const candidate of candidates.rows) {
      const lane = laneOf(candidate);
      if (lane === null) continue;
      const first = firstOfLane.get(lane);
      if (first === undefined || Number(candidate.event_id) < first) firstOfLane.set(lane, Number(candidate.event_id));
    }
    const perWebhook = new Map<string, number>();
    const lanes = new Set<string>();
    for (const held of this.inFlight.values()) {
      const receiver = receiverOf(held.delivery);
      perWebhook.set(receiver, (perWebhook.get(receiver) ?? 0) + 1);
      const lane = laneOf(held.delivery);
      if (lane !== null) lanes.add(lane);
    }
    for (const busy of busyLanes) {
      const lane = laneOf(busy);
      if (lane !== null) lanes.add(lane);
    }
    const chosen: number[] = [];
    for (const candidate of candidates.rows) {
      if (chosen.length >= room) break;
      const receiver = receiverOf(candidate);
      const count = perWebhook.get(receiver) ?? 0;
      const lane = laneOf(candidate);
      if (count >= this.perWebhook) continue;
      // One attempt per lane at a time, and the lane's earliest event first.
      if (lane !== null && (lanes.has(lane) || firstOfLane.get(lane) !== Number(candidate.event_id))) continue;
      perWebhook.set(receiver, count + 1);
      if (lane !== null) lanes.add(lane);
      chosen.push(Number(candidate.id));
    }
    if (chosen.length === 0) return [];
    const leaseUntil = this.iso(this.now() + this.timeoutMs + Math.max(1_000, 30_000 * this.scale));
    await trx
      .updateTable('webhook_delivery')
      .set({ status: 'delivering', lease_until: leaseUntil })
      .where('id', 'in', chosen)
      .where('status', '=', 'pending')
      .execute();
    const deliveries = await trx
      .selectFrom('webhook_delivery')
      .selectAll()
      .where('id', 'in', chosen)
      .where('status', '=', 'delivering')
      .orderBy('id')
      .execute();
    const webhookIds = [...new Set(deliveries.filter((row) => row.callback_id === null).map((row) => row.webhook_id))];
    const webhooks = new Map(
      webhookIds.length === 0
        ? []
        : (await trx.selectFrom('webhook').selectAll().where('id', 'in', webhookIds).execute()).map((row) => [
            row.id,
            readWebhook(row),
          ]),
    );
    const callbackIds = [...new Set(deliveries.flatMap((row) => (row.callback_id === null ? [] : [row.callback_id])))];
    const callbacks = new Map(
      callbackIds.length === 0
        ? []
        : (await trx.selectFrom('messaging_callback').selectAll().where('id', 'in', callbackIds).execute()).map(
            (row) => [row.id, callbackAsWebhook(row)],
          ),
    );
    const unreachable: number[] = [];
    const claimed = deliveries.flatMap((delivery) => {
      const webhook =
        delivery.callback_id === null ? webhooks.get(delivery.webhook_id) : callbacks.get(delivery.callback_id);
      if (webhook === undefined) unreachable.push(delivery.id);
      return webhook ? [{ delivery, webhook }] : [];
    });
    // A callback deleted since the delivery was queued: nobody to send it to.
    if (unreachable.length > 0)
      await trx
        .updateTable('webhook_delivery')
        .set({ status: 'failed', error: 'The callback was removed.', lease_until: null, completed_at: nowIso })
        .where('id', 'in', unreachable)
        .where('callback_id', 'is not', null)
        .execute();
    return claimed;
  }

  private openSecret(item: Claimed, stored: string): string {
    if (this.secretsKey === undefined) {
      if (stored.startsWith(SECRET_PREFIX)) return stored;
      throw new Error('The webhook worker has no secrets key to open the signing secret.');
    }
    const callbackId = item.delivery.callback_id;
    return callbackId === null
      ? openWebhookSecret(this.secretsKey, item.webhook.id, stored)
      : openCallbackSecret(this.secretsKey, callbackId, stored);
  }

  /** One signed POST; the answer is queued for a batched record. */
  private async send(item: Claimed): Promise<void> {
    const at = this.now();
    const secrets = [this.openSecret(item, item.webhook.secret)];
    if (
      item.webhook.previous_secret &&
      item.webhook.previous_secret_expires_at &&
      Date.parse(item.webhook.previous_secret_expires_at) > at
    )
      secrets.push(this.openSecret(item, item.webhook.previous_secret));
    const headers = deliveryHeaders({
      secrets,
      compat: item.webhook.compat,
      contentType: item.delivery.content_type,
      correlationId: item.delivery.correlation_id,
      deliveryUuid: item.delivery.delivery_uuid,
      timestamp: Math.floor(at / 1000),
      body: item.delivery.request_body,
    });
    let outcome: Outcome;
    try {
      const response = await this.outbound.request({
        method: 'POST',
        url: item.webhook.url,
        headers,
        body: item.delivery.request_body,
        timeoutMs: this.timeoutMs,
        maxResponseBytes: LOGGED_RESPONSE_BYTES,
      });
      outcome = { kind: 'answer', response };
    } catch (error) {
      const message =
        error instanceof OutboundRefused || error instanceof OutboundFailed
          ? error.message
          : error instanceof Error
            ? error.message
            : String(error);
      outcome = { kind: 'error', message };
    }
    this.finished.push({ ...item, outcome, at: this.now() });
    this.poke();
  }

  private async record(trx: Tx, item: Finished, succeeded: Set<number>): Promise<void> {
    const { delivery, webhook, outcome } = item;
    const completedAt = this.iso(item.at);
    const response = outcome.kind === 'answer' ? outcome.response : undefined;
    const status = response?.status;
    const logged = {
      http_status: status ?? null,
      latency_ms: response?.latencyMs ?? null,
      response_body: response ? response.body.toString('utf8') : null,
      error: outcome.kind === 'error' ? outcome.message : null,
      completed_at: completedAt,
      lease_until: null,
    };
    if (status !== undefined && status >= 200 && status < 300) {
      await trx
        .updateTable('webhook_delivery')
        .set({ ...logged, status: 'delivered' })
        .where('id', '=', delivery.id)
        .execute();
      if (delivery.callback_id === null) succeeded.add(webhook.id);
      return;
    }
    if (status === 410) {
      await trx
        .updateTable('webhook_delivery')
        .set({ ...logged, status: 'failed', error: 'The receiver answered 410 Gone: the subscription is disabled.' })
        .where('id', '=', delivery.id)
        .execute();
      if (delivery.callback_id === null)
        await disableWebhook(trx, webhook, 'gone', 'The receiver answered 410 Gone.', completedAt);
      return;
    }
    // A messaging callback has no subscription to disable: its failures stay in its delivery log.
    if (delivery.callback_id === null)
      await trx
        .updateTable('webhook')
        .set({ failing_since: completedAt })
        .where('id', '=', webhook.id)
        .where('failing_since', 'is', null)
        .execute();
    const waitAfter = RETRY_SCHEDULE_MS[delivery.attempt];
    if (waitAfter === undefined) {
      await trx
        .updateTable('webhook_delivery')
        .set({ ...logged, status: 'failed' })
        .where('id', '=', delivery.id)
        .execute();
      const current = await trx
        .selectFrom('webhook')
        .select(['failing_since', 'enabled'])
        .where('id', '=', webhook.id)
        .executeTakeFirst();
      if (
        current &&
        current.enabled === 1 &&
        current.failing_since !== null &&
        item.at - Date.parse(current.failing_since) >= DISABLE_AFTER_MS * this.scale
      ) {
        await disableWebhook(
          trx,
          webhook,
          'failing',
          `Every delivery failed for ${Math.round((item.at - Date.parse(current.failing_since)) / 3_600_000 / this.scale)} hours.`,
          completedAt,
        );
      }
      return;
    }
    const asked =
      status === 429 || status === 503 ? retryAfterMs(response?.headers['retry-after'], item.at) : undefined;
    const delay = Math.max(waitAfter, Math.min(asked ?? 0, MAX_RETRY_AFTER_MS)) * this.scale;
    await trx
      .updateTable('webhook_delivery')
      .set({ ...logged, status: 'retrying', next_attempt_at: this.iso(item.at + delay) })
      .where('id', '=', delivery.id)
      .execute();
    await trx
      .insertInto('webhook_delivery')
      .values(nextAttempt(delivery, completedAt, this.iso(item.at + delay)))
      .execute();
  }

  /** Attempts left `delivering` by a node that died (lease over): logged as interrupted and tried again at once. */
  private async recoverAbandoned(): Promise<void> {
    const nowIso = this.iso(this.now());
    // Usually nothing was abandoned: one indexed read, no transaction.
    const abandoned = await this.db
      .selectFrom('webhook_delivery')
      .select('id')
      .where('status', '=', 'delivering')
      .where('lease_until', '<', nowIso)
      .limit(1)
      .executeTakeFirst();
    if (abandoned === undefined) return;
    await transact(this.db, async (trx) => {
      let query = trx
        .selectFrom('webhook_delivery')
        .selectAll()
        .where('status', '=', 'delivering')
        .where('lease_until', '<', nowIso)
        .orderBy('id')
        .limit(500);
      if (this.dialect === 'postgres') query = query.forUpdate().skipLocked();
      for (const delivery of await query.execute()) {
        if (this.inFlight.has(delivery.id)) continue;
        await trx
          .updateTable('webhook_delivery')
          .set({
            status: 'retrying',
            error: 'The node sending this attempt stopped before recording the answer.',
            completed_at: nowIso,
            lease_until: null,
            next_attempt_at: nowIso,
          })
          .where('id', '=', delivery.id)
          .execute();
        await trx
          .insertInto('webhook_delivery')
          .values(nextAttempt(delivery, nowIso, nowIso))
          .execute();
      }
    });
  }
}

function nextAttempt(previous: WebhookDeliveryRow, createdAt: string, due: string) {
  return {
    webhook_id: previous.webhook_id,
    client_id: previous.client_id,
    event_id: previous.event_id,
    event_type: previous.event_type,
    conversation_id: previous.conversation_id,
    callback_id: previous.callback_id,
    correlation_id: previous.correlation_id,
    delivery_uuid: randomUUID(),
    attempt: previous.attempt + 1,
    status: 'pending',
    request_body: previous.request_body,
    content_type: previous.content_type,
    created_at: createdAt,
    next_attempt_at: due,
  };
}

/** Switches a subscription off and announces it (`webhook.disabled`) in the caller's transaction. */
export async function disableWebhook(
  trx: Tx,
  webhook: WebhookRecord,
  reason: 'gone' | 'failing',
  detail: string,
  at: string,
): Promise<void> {
  const changed = await trx
    .updateTable('webhook')
    .set({ enabled: 0, disabled_reason: `${reason}: ${detail}`, updated_at: at })
    .where('id', '=', webhook.id)
    .where('enabled', '=', 1)
    .executeTakeFirst();
  if (Number(changed.numUpdatedRows) === 0) return;
  await appendEvent(trx, {
    type: 'webhook.disabled',
    clientId: webhook.client_id,
    subject: { type: 'webhook', id: webhook.id },
    payload: { webhookId: webhook.id, reason, detail, url: webhook.url },
    at,
  });
}
