// Idempotency-Key on the messaging API's POSTs: the first request with a key is answered and its answer kept (per
// owner and key, with a hash of the request); a repeat gets that answer and creates nothing; the same key with another
// request is refused. A key taken first by a request still running is refused with 409 (try again shortly).
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../../db/dialect.js';
import type { Database } from '../../db/schema.js';
import { ApiError, fieldInvalid } from '../../errors.js';
import { errorEnvelope } from '../../http/envelope.js';
import { nowInstant } from '../../time.js';

const KEY = /^[\x21-\x7e]{1,255}$/;

export interface IdempotencyOwner {
  kind: 'partner' | 'client';
  id: number;
}

/**
 * Runs `run` (which answers the status and body of a success, or throws an ApiError) at most once per Idempotency-Key:
 * without the header it simply runs. Errors the caller can correct (4xx) are kept as answers too. `keep` turns a
 * success body into the one stored for repeats: an answer showing a secret once (an API key, a signing secret) keeps
 * it out of the table, as secrets are stored only hashed or sealed.
 */
export async function withIdempotency(
  db: Kysely<Database>,
  request: FastifyRequest,
  reply: FastifyReply,
  owner: IdempotencyOwner,
  run: () => Promise<{ status: number; body: unknown }>,
  keep: (body: unknown) => unknown = (body) => body,
): Promise<void> {
  const header = request.headers['idempotency-key'];
  if (header === undefined) {
    const answer = await run();
    await reply.code(answer.status).send(answer.body);
    return;
  }
  const key = Array.isArray(header) ? header[0] : header;
  if (key === undefined || !KEY.test(key))
    throw fieldInvalid('Idempotency-Key', 'Expected 1 to 255 printable ASCII characters.');
  const hash = createHash('sha256')
    .update(`${request.method} ${request.routeOptions.url ?? request.url}\n${JSON.stringify(request.body ?? null)}`)
    .digest('hex');
  try {
    await db
      .insertInto('messaging_idempotency')
      .values({
        owner_kind: owner.kind,
        owner_id: owner.id,
        key,
        request_hash: hash,
        status: null,
        answer: null,
        created_at: nowInstant(),
      })
      .execute();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    const kept = await db
      .selectFrom('messaging_idempotency')
      .selectAll()
      .where('owner_kind', '=', owner.kind)
      .where('owner_id', '=', owner.id)
      .where('key', '=', key)
      .executeTakeFirstOrThrow();
    if (kept.request_hash !== hash)
      throw new ApiError(
        'idempotency_key_reused',
        409,
        'This Idempotency-Key was used with another request; use a new key for a new request.',
        'fail',
        { field: 'Idempotency-Key' },
      );
    if (kept.status === null || kept.answer === null)
      throw new ApiError(
        'idempotency_in_progress',
        409,
        'The first request with this Idempotency-Key is still being answered; try again in a moment.',
        'fail',
        { field: 'Idempotency-Key', retryAfterSeconds: 1 },
      );
    reply.header('idempotent-replayed', 'true');
    return reply.code(kept.status).header('content-type', 'application/json; charset=utf-8').send(kept.answer);
  }
  const store = (status: number, body: unknown) =>
    db
      .updateTable('messaging_idempotency')
      .set({ status, answer: JSON.stringify(body) })
      .where('owner_kind', '=', owner.kind)
      .where('owner_id', '=', owner.id)
      .where('key', '=', key)
      .execute();
  let answer: { status: number; body: unknown };
  try {
    answer = await run();
  } catch (error) {
    if (error instanceof ApiError && error.httpStatus < 500) await store(error.httpStatus, errorEnvelope(error));
    else
      await db
        .deleteFrom('messaging_idempotency')
        .where('owner_kind', '=', owner.kind)
        .where('owner_id', '=', owner.id)
        .where('key', '=', key)
        .execute();
    throw error;
  }
  await store(answer.status, keep(answer.body));
  await reply.code(answer.status).send(answer.body);
}
