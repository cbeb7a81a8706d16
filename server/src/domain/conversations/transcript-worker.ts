// The transcript worker, on every node: claims queued transcript mails that are due (a lease, so two nodes never send
// the same one, and a node that dies holding one leaves it to another once the lease runs out), sends each through
// the installation's SMTP server, and records the outcome: sent, or the error with a later attempt, or failed after
// MAX_ATTEMPTS.
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import nodemailer, { type Transporter } from 'nodemailer';
import { type Claim, ClaimLoop } from '../../claim-loop.js';
import type { Config } from '../../config.js';
import { dialectOf } from '../../db/dialect.js';
import type { Database, TranscriptMailRow } from '../../db/schema.js';
import { transact } from '../../events/transact.js';
import { nowInstant } from '../../time.js';
import { composeTranscript } from './transcript-text.js';

const CLAIM_BATCH = 10;
/** Attempts before a mail is marked failed. */
export const MAX_ATTEMPTS = 4;
/** Wait after the first failed attempt; each further one doubles it. */
const RETRY_FIRST_MS = 30_000;
const LEASE_MS = 2 * 60_000;
const ERROR_MAX = 500;

export class TranscriptWorker {
  readonly owner = randomUUID();
  private readonly loop: ClaimLoop<TranscriptMailRow>;
  private transport: Transporter | undefined;
  private readonly scale: number;
  private readonly from: string;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly config: Pick<Config, 'smtpUrl' | 'smtpFrom' | 'publicUrl' | 'webhookTimeScale'>,
    report: (error: unknown, message: string) => void,
  ) {
    // Compressed time (tests) shortens the retries.
    this.scale = config.webhookTimeScale ?? 1;
    this.from = config.smtpFrom ?? `Causerie <no-reply@${new URL(config.publicUrl).hostname}>`;
    this.loop = new ClaimLoop(
      {
        claim: () => this.claim(),
        process: async (rows) => {
          await Promise.all(rows.map((row) => this.send(row)));
          return true;
        },
      },
      { work: 'transcript mails', idlePollMs: 1_000, report },
    );
  }

  /** Whether mails can be sent at all (an SMTP server is configured). */
  get mailing(): boolean {
    return this.config.smtpUrl !== undefined;
  }

  start(): void {
    if (this.mailing) this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    this.transport?.close();
  }

  /** A transcript was requested: look for it now. */
  poke(): void {
    this.loop.poke();
  }

  settled(): Promise<void> {
    return this.loop.settled();
  }

  private later(ms: number): string {
    return new Date(Date.now() + Math.round(ms * this.scale)).toISOString();
  }

  private async claim(): Promise<Claim<TranscriptMailRow>> {
    const rows = await transact(this.db, async (trx) => {
      const now = nowInstant();
      let due = trx
        .selectFrom('transcript_mail')
        .select('id')
        .where('status', '=', 'queued')
        .where('due_at', '<=', now)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
        .orderBy('due_at')
        .limit(CLAIM_BATCH);
      if (dialectOf(trx) === 'postgres') due = due.forUpdate().skipLocked();
      const ids = (await due.execute()).map((row) => row.id);
      if (ids.length === 0) return [];
      return (
        trx
          .updateTable('transcript_mail')
          // Not compressed with test time: a lease shorter than a send would let this node claim it again mid-send.
          .set({ lease_owner: this.owner, lease_until: new Date(Date.now() + LEASE_MS).toISOString() })
          .where('id', 'in', ids)
          .returningAll()
          .execute()
      );
    });
    return { items: rows, more: rows.length >= CLAIM_BATCH };
  }

  private async send(row: TranscriptMailRow): Promise<void> {
    const attempts = row.attempts + 1;
    let failure: string | undefined;
    try {
      const mail = await composeTranscript(this.db, row.conversation_id, row.locale);
      this.transport ??= nodemailer.createTransport(this.config.smtpUrl);
      await this.transport.sendMail({ from: this.from, to: row.email, subject: mail.subject, text: mail.text });
    } catch (error) {
      failure = (error instanceof Error ? error.message : String(error)).slice(0, ERROR_MAX) || 'sending failed';
    }
    const at = nowInstant();
    const givingUp = failure !== undefined && attempts >= MAX_ATTEMPTS;
    const retryIn = RETRY_FIRST_MS * 2 ** (attempts - 1);
    // Only while this node holds the lease: a node that took the row over after it ran out records its own outcome.
    await this.db
      .updateTable('transcript_mail')
      .set({
        attempts,
        updated_at: at,
        lease_owner: null,
        lease_until: null,
        ...(failure === undefined
          ? { status: 'sent', sent_at: at, error: null }
          : givingUp
            ? { status: 'failed', error: failure }
            : { status: 'queued', error: failure, due_at: this.later(retryIn) }),
      })
      .where('id', '=', row.id)
      .where('lease_owner', '=', this.owner)
      .execute();
    if (failure !== undefined && !givingUp) this.loop.pokeIn(Math.round(retryIn * this.scale) + 1);
  }
}
