// Issue 22 §6: e-mailing a conversation's transcript. Asking for it is a command (a `transcript_mail` row, queued, and
// `conversation.transcript_requested` in one transaction); the transcript worker (transcript-worker.ts) sends it.
import type { Kysely } from 'kysely';
import type { ConversationRow, Database, TranscriptMailRow } from '../../db/schema.js';
import { isEmailAddress } from '../../email.js';
import { ApiError, fieldInvalid } from '../../errors.js';
import { appendEvent } from '../../events/append.js';
import { transact } from '../../events/transact.js';
import { nowInstant } from '../../time.js';
import type { Principal } from '../tenancy/policy.js';

export const TRANSCRIPT_LOCALES = ['en', 'fr'] as const;
export type TranscriptLocale = (typeof TRANSCRIPT_LOCALES)[number];

export interface TranscriptRequestInput {
  email?: string;
  locale?: TranscriptLocale;
}

/**
 * The answer when the installation has no SMTP server: nothing could ever be sent, so nothing is queued. A 409 (the
 * request conflicts with how the installation is set up, and retrying will not help until it changes), not a 5xx:
 * the server is working as configured.
 */
export function mailNotConfigured(): ApiError {
  return new ApiError(
    'mail_not_configured',
    409,
    'This installation sends no e-mail: its administrator has not configured an SMTP server (SMTP_URL).',
  );
}

/**
 * Queues the transcript of `conversation` for `input.email`, else the visitor's e-mail address (neither: 400 naming
 * `email`), in `input.locale` (default English). Answers the queued row.
 */
export async function requestTranscript(
  db: Kysely<Database>,
  principal: Principal,
  conversation: ConversationRow,
  input: TranscriptRequestInput,
): Promise<TranscriptMailRow> {
  let email = input.email?.trim();
  if (email === undefined || email === '') {
    const visitor = await db
      .selectFrom('visitor')
      .select('email')
      .where('id', '=', conversation.visitor_id)
      .executeTakeFirst();
    email = visitor?.email?.trim() || undefined;
    if (email === undefined)
      throw fieldInvalid('email', 'The visitor has no e-mail address: give the address to send the transcript to.');
  }
  if (!isEmailAddress(email)) throw fieldInvalid('email', "Expected an e-mail address, such as 'julie@shop.example'.");
  const operatorId = principal.scope === 'client' ? (principal.session?.operatorId ?? null) : null;
  const at = nowInstant();
  const address = email;
  return transact(db, async (trx) => {
    const row = await trx
      .insertInto('transcript_mail')
      .values({
        client_id: conversation.client_id,
        conversation_id: conversation.id,
        email: address,
        locale: input.locale ?? 'en',
        status: 'queued',
        error: null,
        operator_id: operatorId,
        created_at: at,
        updated_at: at,
        due_at: at,
        sent_at: null,
        lease_owner: null,
        lease_until: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await appendEvent(trx, {
      type: 'conversation.transcript_requested',
      clientId: conversation.client_id,
      subject: { type: 'conversation', id: conversation.id },
      payload: {
        conversationId: conversation.id,
        websiteId: conversation.website_id,
        clientId: conversation.client_id,
        channel: conversation.channel,
        visitorId: conversation.visitor_id,
        transcriptMailId: row.id,
        operatorId,
      },
      at,
    });
    return row;
  });
}

/** The transcript requests of a conversation, newest first. */
export function listTranscriptMails(db: Kysely<Database>, conversationId: number): Promise<TranscriptMailRow[]> {
  return db
    .selectFrom('transcript_mail')
    .selectAll()
    .where('conversation_id', '=', conversationId)
    .orderBy('id', 'desc')
    .limit(100)
    .execute();
}

export interface TranscriptMailView {
  id: number;
  conversation_id: number;
  email: string;
  locale: TranscriptLocale;
  status: TranscriptMailRow['status'];
  attempts: number;
  error: string | null;
  operator_id: number | null;
  created_at: string;
  sent_at: string | null;
  next_attempt_at: string | null;
}

export function presentTranscriptMail(row: TranscriptMailRow): TranscriptMailView {
  return {
    id: row.id,
    conversation_id: row.conversation_id,
    email: row.email,
    locale: row.locale,
    status: row.status,
    attempts: row.attempts,
    error: row.error,
    operator_id: row.operator_id,
    created_at: row.created_at,
    sent_at: row.sent_at,
    next_attempt_at: row.status === 'queued' ? row.due_at : null,
  };
}
