// Operator sessions: the console and the realtime sockets authenticate operators with bearer tokens made here.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { ApiError, fieldInvalid } from '../../errors.js';
import { nowInstant } from '../../time.js';
import { accountNotActive } from '../messaging/account-states.js';
import { randomToken, verifyNothing, verifySecret } from '../tenancy/keys.js';
import { sameSsoKeyHash, ssoKeyHash } from './sso-keys.js';

/** Sessions last a working day; a new login makes a new one. */
export const SESSION_HOURS = 12;
const TOKEN_PREFIX = 'cos_';

export interface OperatorIdentity {
  operatorId: number;
  clientId: number;
}

export interface NewSession extends OperatorIdentity {
  token: string;
  expiresAt: string;
}

/** How a session token is stored: its SHA-256 in hex (operators' and developers' sessions, invitation links). */
export const tokenHash = (token: string): string => createHash('sha256').update(token).digest('hex');

/** One answer for every failed login, so it never tells which part was wrong or whether the email exists. */
export const loginRefused = (): ApiError =>
  new ApiError('login_refused', 401, 'Email or password is not correct.', 'error');

/** Opens a session for an operator (who must be live). The token is returned once; only its SHA-256 is kept. */
export async function createOperatorSession(db: Kysely<Database>, identity: OperatorIdentity): Promise<NewSession> {
  const token = `${TOKEN_PREFIX}${randomToken(32)}`;
  const createdAt = nowInstant();
  const expiresAt = new Date(Date.parse(createdAt) + SESSION_HOURS * 3_600_000).toISOString();
  await db
    .insertInto('operator_session')
    .values({
      client_id: identity.clientId,
      operator_id: identity.operatorId,
      token_hash: tokenHash(token),
      created_at: createdAt,
      expires_at: expiresAt,
      revoked_at: null,
    })
    .execute();
  return { ...identity, token, expiresAt };
}

/**
 * Email and password login. The same email may belong to operators of several clients (emails are unique per
 * client): the password picks the account; when it opens more than one, `client_id` must say which.
 */
export async function loginWithPassword(
  db: Kysely<Database>,
  input: { email: string; password: string; client_id?: number },
): Promise<NewSession> {
  let query = db
    .selectFrom('operator')
    .select(['id', 'client_id', 'password_hash'])
    .where((eb) => eb(eb.fn('lower', ['email']), '=', input.email.trim().toLowerCase()))
    .where('deleted_at', 'is', null)
    .where('password_hash', 'is not', null);
  if (input.client_id !== undefined) query = query.where('client_id', '=', input.client_id);
  const candidates = await query.orderBy('id').limit(20).execute();
  const matching: OperatorIdentity[] = [];
  for (const candidate of candidates) {
    if (candidate.password_hash !== null && (await verifySecret(candidate.password_hash, input.password)))
      matching.push({ operatorId: candidate.id, clientId: candidate.client_id });
  }
  // No such email: the same Argon2id verification as a wrong password, so timing does not tell which emails exist.
  if (candidates.length === 0) await verifyNothing(input.password);
  const [only, ...others] = matching;
  if (only === undefined) throw loginRefused();
  if (others.length > 0)
    throw fieldInvalid(
      'client_id',
      `This email and password open ${matching.length} accounts; give the client_id of the one to open (${matching.map((m) => m.clientId).join(', ')}).`,
    );
  // A partner-API account (domain/messaging/accounts.ts) opens once active; the password was right, so saying so is safe.
  const client = await db
    .selectFrom('client')
    .select('account_state')
    .where('id', '=', only.clientId)
    .executeTakeFirst();
  if (client?.account_state != null && client.account_state !== 'active') throw accountNotActive(client.account_state);
  return createOperatorSession(db, only);
}

/**
 * Single Sign-On (seed 003): the operator's `sso_key` opens a session. Only the key's SHA-256 is stored: the hash of the
 * presented key finds the row by index (timing there tells at most about a hash, never about a key), then the two
 * hashes are compared in constant time.
 */
export async function loginWithSsoKey(db: Kysely<Database>, ssoKey: string): Promise<NewSession> {
  const presentedHash = ssoKeyHash(ssoKey);
  const operator = await db
    .selectFrom('operator')
    .select(['id', 'client_id', 'sso_key_hash'])
    .where('sso_key_hash', '=', presentedHash)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!operator || !sameSsoKeyHash(operator.sso_key_hash, presentedHash))
    throw new ApiError('login_refused', 401, 'This sign-on key is not valid.', 'error');
  return createOperatorSession(db, { operatorId: operator.id, clientId: operator.client_id });
}

/** The operator behind a bearer token, or null when the token is unknown, expired or revoked, or the operator was deleted. */
export async function authenticateOperatorToken(db: Kysely<Database>, token: string): Promise<OperatorIdentity | null> {
  if (!token.startsWith(TOKEN_PREFIX)) return null;
  const row = await db
    .selectFrom('operator_session')
    .innerJoin('operator', 'operator.id', 'operator_session.operator_id')
    .select([
      'operator_session.operator_id',
      'operator_session.client_id',
      'operator_session.expires_at',
      'operator_session.revoked_at',
    ])
    .where('operator_session.token_hash', '=', tokenHash(token))
    .where('operator.deleted_at', 'is', null)
    .executeTakeFirst();
  if (!row || row.revoked_at !== null || row.expires_at <= nowInstant()) return null;
  return { operatorId: row.operator_id, clientId: row.client_id };
}

/** Ends a session (logout). Unknown tokens are ignored: logging out twice is not an error. */
export async function revokeOperatorSession(db: Kysely<Database>, token: string): Promise<void> {
  await db
    .updateTable('operator_session')
    .set({ revoked_at: nowInstant() })
    .where('token_hash', '=', tokenHash(token))
    .where('revoked_at', 'is', null)
    .execute();
}
