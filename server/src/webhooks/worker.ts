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

/** The columns that place a delivery in its lane. */
interface LaneColumns {
  webhook_id: number;
  callback_id: number | null;
  conversation_id: number | null;
  lane_key: string | null;
}

/**
 * Deliveries that must go one at a time in event order: a conversation's events to one subscription, and one
 * resource's events to one messaging callback (a message's queued → sent → delivered → read; other messages' reports
 * go in parallel). Callback rows queued before the lanes had keys keep their callback's single lane.
 */
const laneOf = (row: LaneColumns) =>
  row.callback_id !== null
    ? row.lane_key === null
      ? `callback:${row.callback_id}`
      : `callback:${row.callback_id}:${row.lane_key}`
    : row.conversation_id !== null
      ? `${row.webhook_id}:${row.conversation_id}`
      : null;

/** laneOf in SQL (the same strings; '' for a delivery in no lane), so the claim can skip busy lanes as it reads. */
const LANE_SQL = sql<string>`(case
  when d.callback_id is not null then 'callback:' || cast(d.callback_id as text) || coalesce(':' || d.lane_key, '')
  when d.conversation_id is not null then cast(d.webhook_id as text) || ':' || cast(d.conversation_id as text)
  else '' end)`;
/** receiverOf in SQL. */
const RECEIVER_SQL = sql<string>`(case
  when d.callback_id is null then 'webhook:' || cast(d.webhook_id as text)
  else 'callback:' || cast(d.callback_id as text) end)`;
/**
 * The most lanes and receivers a claim names in its SQL to skip (bound parameters); past it the rest are skipped as
 * they are read, which is correct but may need further pages.
 */
const MAX_SKIPPED_IN_SQL = 2_000;
/** Due candidates read per page of a claim; further pages are read only while a page gives nothing to claim. */
const PAGE_ROWS = 256;

interface Candidate extends LaneColumns {
  id: number;
  event_id: number;
  next_attempt_at: string;
}

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
   * Claims due attempts: one at a time per lane (laneOf: an earlier event of the lane being sent or still due holds
   * later ones back, and so does, for a callback's resource, an earlier delivery waiting for its retry), at most
   * perWebhookConcurrency per receiver. Due attempts are read in the due index's order (no sort), a page at a time,
   * the SQL skipping the lanes known busy and the receivers at their limit: a round finds claimable attempts behind
   * any number of held-back ones, with one indexed range read per page instead of a per-row subquery. On PostgreSQL
   * the candidates are locked with SKIP LOCKED so nodes never claim the same attempt.
   */
  private async claim(trx: Tx, room: number, nowIso: string): Promise<Claimed[]> {
    const perReceiver = new Map<string, number>();
    const busyLanes = new Set<string>();
    for (const held of this.inFlight.values()) {
      const receiver = receiverOf(held.delivery);
      perReceiver.set(receiver, (perReceiver.get(receiver) ?? 0) + 1);
      const lane = laneOf(held.delivery);
      if (lane !== null) busyLanes.add(lane);
    }
    // Lanes with an attempt in flight anywhere (this node or another) wait for it.
    const delivering = await trx
      .selectFrom('webhook_delivery')
      .select(['webhook_id', 'callback_id', 'conversation_id', 'lane_key'])
      .where('status', '=', 'delivering')
      .where((eb) => eb.or([eb('conversation_id', 'is not', null), eb('callback_id', 'is not', null)]))
      .execute();
    for (const row of delivering) {
      const lane = laneOf(row);
      if (lane !== null) busyLanes.add(lane);
    }
    // A callback resource whose delivery failed waits for that delivery's next attempt (its lane is skipped below),
    // which is claimed here when due: a retry is its lane's earliest event, though the due order puts it behind the
    // later events queued before it came due. Few rows: the partial index holds callback lanes only.
    const retries = await sql<Candidate>`
      select d.id, d.webhook_id, d.callback_id, d.conversation_id, d.lane_key, d.event_id, d.next_attempt_at
      from webhook_delivery d
      where d.status = 'pending' and d.attempt > 1 and d.lane_key is not null
      order by d.next_attempt_at, d.id`.execute(trx);
    const chosen: Candidate[] = [];
    const take = (candidate: Candidate, lane: string | null): boolean => {
      const receiver = receiverOf(candidate);
      const count = perReceiver.get(receiver) ?? 0;
      if (count >= this.perWebhook) return false;
      perReceiver.set(receiver, count + 1);
      if (lane !== null) busyLanes.add(lane);
      chosen.push(candidate);
      return true;
    };
    const dueRetries: Candidate[] = [];
    for (const retry of retries.rows) {
      const lane = laneOf(retry);
      if (lane === null || busyLanes.has(lane)) continue;
      // Held either way: sent now, or waiting.
      busyLanes.add(lane);
      if (retry.next_attempt_at <= nowIso) dueRetries.push(retry);
    }
    // A retry is its resource's earliest pending event (the later ones waited for it).
    for (const retry of await this.lockFree(trx, dueRetries)) if (chosen.length < room) take(retry, null);
    // One attempt per lane at a time, and the lane's earliest event first: the earliest read, or the earliest pending
    // when a resource's earliest was found further on (dropLaneFollowers).
    const firstOfLane = new Map<string, number>();
    const laneHeads = new Map<string, number>();
    let after: Candidate | undefined;
    while (chosen.length < room) {
      const page = await this.readDue(trx, nowIso, after, busyLanes, perReceiver);
      for (const candidate of page) {
        const lane = laneOf(candidate);
        if (lane === null) continue;
        const first = firstOfLane.get(lane);
        if (first === undefined || Number(candidate.event_id) < first)
          firstOfLane.set(lane, Number(candidate.event_id));
      }
      const before = chosen.length;
      for (const candidate of page) {
        if (chosen.length >= room) break;
        const lane = laneOf(candidate);
        if (lane !== null) {
          const event = Number(candidate.event_id);
          // Busy, or not the lane's earliest event: of those read, or of those pending once it was looked up.
          if (busyLanes.has(lane) || firstOfLane.get(lane) !== event || (laneHeads.get(lane) ?? event) !== event)
            continue;
        }
        take(candidate, lane);
      }
      await this.dropLaneFollowers(trx, chosen, before, perReceiver, busyLanes, laneHeads);
      // Further pages only while nothing was found: the next round (at once, since this one claimed) reads again.
      if (chosen.length > before || page.length < PAGE_ROWS) break;
      after = page[page.length - 1];
    }
    if (chosen.length === 0) return [];
    const chosenIds = chosen.map((candidate) => Number(candidate.id));
    const leaseUntil = this.iso(this.now() + this.timeoutMs + Math.max(1_000, 30_000 * this.scale));
    await trx
      .updateTable('webhook_delivery')
      .set({ status: 'delivering', lease_until: leaseUntil })
      .where('id', 'in', chosenIds)
      .where('status', '=', 'pending')
      .execute();
    const deliveries = await trx
      .selectFrom('webhook_delivery')
      .selectAll()
      .where('id', 'in', chosenIds)
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

  /** The attempts among `rows` no other node is claiming (PostgreSQL locks them, skipping locked ones; SQLite has one writer). */
  private async lockFree(trx: Tx, rows: Candidate[]): Promise<Candidate[]> {
    if (this.dialect !== 'postgres' || rows.length === 0) return rows;
    const locked = await sql<{ id: number }>`
      select d.id from webhook_delivery d
      where d.id in (${sql.join(rows.map((row) => row.id))}) and d.status = 'pending'
      for update of d skip locked`.execute(trx);
    const free = new Set(locked.rows.map((row) => Number(row.id)));
    return rows.filter((row) => free.has(Number(row.id)));
  }

  /** One page of due attempts after `after`, in the due index's order, skipping busy lanes and full receivers. */
  private async readDue(
    trx: Tx,
    nowIso: string,
    after: Candidate | undefined,
    busyLanes: ReadonlySet<string>,
    perReceiver: ReadonlyMap<string, number>,
  ): Promise<Candidate[]> {
    const lock = this.dialect === 'postgres' ? sql`for update of d skip locked` : sql``;
    const full = [...perReceiver].filter(([, count]) => count >= this.perWebhook).map(([receiver]) => receiver);
    const skipped = [...busyLanes].slice(0, MAX_SKIPPED_IN_SQL);
    // A retired subscription (its app uninstalled) is switched off but still sends what it was owed before.
    const page = await sql<Candidate>`
      select d.id, d.webhook_id, d.callback_id, d.conversation_id, d.lane_key, d.event_id, d.next_attempt_at
      from webhook_delivery d
      where d.status = 'pending' and d.next_attempt_at <= ${nowIso}
        and (d.callback_id is not null or d.webhook_id in (select w.id from webhook w where w.enabled = 1 or w.retired_at is not null))
        ${after === undefined ? sql`` : sql`and (d.next_attempt_at > ${after.next_attempt_at} or (d.next_attempt_at = ${after.next_attempt_at} and d.id > ${after.id}))`}
        ${full.length === 0 ? sql`` : sql`and ${RECEIVER_SQL} not in (${sql.join(full)})`}
        ${skipped.length === 0 ? sql`` : sql`and ${LANE_SQL} not in (${sql.join(skipped)})`}
      order by d.next_attempt_at, d.id limit ${PAGE_ROWS} ${lock}`.execute(trx);
    return page.rows;
  }

  /**
   * Gives back the attempts chosen from `from` on that are not the earliest pending event of their callback
   * resource: one whose earlier event sits further in the due order than the page read (queued by another node, or
   * a clock apart, or locked by another node's claim). Their lanes are open again for that earliest event only
   * (`laneHeads`). One read on the lane index.
   */
  private async dropLaneFollowers(
    trx: Tx,
    chosen: Candidate[],
    from: number,
    perReceiver: Map<string, number>,
    busyLanes: Set<string>,
    laneHeads: Map<string, number>,
  ): Promise<void> {
    const keys = [
      ...new Set(chosen.slice(from).flatMap((candidate) => (candidate.lane_key === null ? [] : [candidate.lane_key]))),
    ];
    if (keys.length === 0) return;
    const heads = new Map<string, number>();
    for (let start = 0; start < keys.length; start += 500) {
      const rows = await trx
        .selectFrom('webhook_delivery')
        .select(['callback_id', 'lane_key'])
        .select((eb) => eb.fn.min('event_id').as('first'))
        .where('lane_key', 'in', keys.slice(start, start + 500))
        .where('status', '=', 'pending')
        .groupBy(['callback_id', 'lane_key'])
        .execute();
      for (const row of rows) heads.set(`${row.callback_id}:${row.lane_key}`, Number(row.first));
    }
    for (let index = chosen.length - 1; index >= from; index--) {
      const candidate = chosen[index];
      if (candidate === undefined || candidate.lane_key === null) continue;
      const head = heads.get(`${candidate.callback_id}:${candidate.lane_key}`);
      if (head === undefined || head >= Number(candidate.event_id)) continue;
      chosen.splice(index, 1);
      const receiver = receiverOf(candidate);
      perReceiver.set(receiver, (perReceiver.get(receiver) ?? 1) - 1);
      const lane = laneOf(candidate);
      if (lane === null) continue;
      busyLanes.delete(lane);
      laneHeads.set(lane, head);
    }
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
    lane_key: previous.lane_key,
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
