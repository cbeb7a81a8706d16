// Group commit of messages: sends that arrive while a transaction is being written are written together in the next
// one, so a burst costs one commit (one fsync on SQLite) instead of one per message. Each message is still acknowledged
// only after the transaction holding it committed.
import type { Kysely, Transaction } from 'kysely';
import type { Dialect } from '../db/dialect.js';
import type { Database } from '../db/schema.js';
import { ApiError } from '../errors.js';
import { transact } from '../events/transact.js';
import { appendEntryWithin, type SendInput, type SendResult, sendEntry, storedClientIds } from './commands.js';
import type { HistoryRow } from './store.js';

interface Pending {
  input: SendInput;
  resolve: (result: SendResult) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: SendResult } | { error: ApiError };

/** Writes messages in batches: at most `maxBatch` per transaction, `maxConcurrent` transactions at a time. */
export class MessageWriter {
  private readonly queue: Pending[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly maxConcurrent: number;
  /** Transactions this writer opened (one per batch; one per message when a batch falls back): group commit at work. */
  transactions = 0;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    private readonly maxBatch = 200,
  ) {
    // SQLite has one writer: one batch at a time, the next one gathering meanwhile. PostgreSQL commits in parallel.
    this.maxConcurrent = dialect === 'postgres' ? 4 : 1;
  }

  /** Stores one entry; resolves after its transaction committed (sendEntry's contract). */
  send(input: SendInput): Promise<SendResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ input, resolve, reject });
      this.schedule();
    });
  }

  /**
   * Writes on the next turn of the event loop rather than at once: the frames of every socket read in this turn
   * join the batch. (better-sqlite3 runs a whole transaction without yielding to I/O, so without this pause no
   * second message could ever arrive while one is written.)
   */
  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxConcurrent || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxConcurrent && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight += 1;
      void this.write(batch).finally(() => {
        this.inFlight -= 1;
        this.schedule();
      });
    }
  }

  /**
   * The client ids of a batch already stored (`conversationId:clientId` → entry), in one query. On PostgreSQL the
   * batch's conversation rows are locked first, in id order, so a concurrent send of the same message on another
   * connection is either seen here or waits for this batch; the unique index catches anything else (the batch is
   * then retried message by message).
   */
  private async storedIds(trx: Transaction<Database>, ordered: readonly Pending[]): Promise<Map<string, HistoryRow>> {
    const conversationIds = new Set<number>();
    const clientIds = new Set<string>();
    for (const { input } of ordered) {
      if (input.clientMessageId == null) continue;
      conversationIds.add(input.conversationId);
      clientIds.add(input.clientMessageId);
    }
    const stored = new Map<string, HistoryRow>();
    if (clientIds.size === 0) return stored;
    if (this.dialect === 'postgres') {
      await trx
        .selectFrom('conversation')
        .select('id')
        .where('id', 'in', [...conversationIds])
        .orderBy('id')
        .forUpdate()
        .execute();
    }
    for (const row of await storedClientIds(trx, [...conversationIds], [...clientIds]))
      stored.set(`${row.conversation_id}:${row.client_message_id ?? ''}`, row);
    return stored;
  }

  private async write(batch: Pending[]): Promise<void> {
    const [only] = batch;
    this.transactions += 1;
    if (batch.length === 1 && only !== undefined) {
      await sendEntry(this.db, only.input).then(only.resolve, only.reject);
      return;
    }
    // Conversations are locked in id order in every batch, so two batches never wait on each other crosswise
    // (the sort is stable: messages of one conversation keep their order).
    const ordered = [...batch].sort((a, b) => a.input.conversationId - b.input.conversationId);
    let outcomes: Outcome[];
    try {
      outcomes = await transact(this.db, async (trx) => {
        const stored = await this.storedIds(trx, ordered);
        const results: Outcome[] = [];
        for (const pending of ordered) {
          try {
            const { conversationId, clientMessageId } = pending.input;
            const key = `${conversationId}:${clientMessageId ?? ''}`;
            const earlier = clientMessageId == null ? undefined : stored.get(key);
            if (earlier !== undefined) {
              results.push({ ok: { row: earlier, duplicate: true } });
              continue;
            }
            const result = await appendEntryWithin(trx, pending.input, { checked: true });
            if (clientMessageId != null) stored.set(key, result.row);
            results.push({ ok: result });
          } catch (error) {
            // A refusal (closed or unknown conversation) is raised before the entry writes anything: only that
            // message fails. Anything else fails the batch, retried below one message at a time.
            if (!(error instanceof ApiError)) throw error;
            results.push({ error });
          }
        }
        return results;
      });
    } catch {
      for (const pending of batch) {
        this.transactions += 1;
        await sendEntry(this.db, pending.input).then(pending.resolve, pending.reject);
      }
      return;
    }
    ordered.forEach((pending, index) => {
      const outcome = outcomes[index];
      if (outcome === undefined) pending.reject(new Error('missing batch outcome'));
      else if ('ok' in outcome) pending.resolve(outcome.ok);
      else pending.reject(outcome.error);
    });
  }
}
