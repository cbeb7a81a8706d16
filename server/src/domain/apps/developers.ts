// Developer accounts (seed 003, Get a Developer Account): the platform admin invites a developer by email; the
// invitation link (shown once) lets them choose a password; they log in to the developer area with it and get a
// bearer session (`dvs_…`) that acts on their apps through /api/2.
import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../../db/dialect.js';
import type { Database, DeveloperRow } from '../../db/schema.js';
import { EMAIL_PROBLEM, isEmailAddress } from '../../email.js';
import { ApiError, conflict, fieldInvalid } from '../../errors.js';
import { nowInstant } from '../../time.js';
import { loginRefused, tokenHash } from '../people/sessions.js';
import { hashSecret, randomToken, verifyNothing, verifySecret } from '../tenancy/keys.js';

export const DEVELOPER_SESSION_PREFIX = 'dvs_';
const INVITATION_DAYS = 7;
const SESSION_HOURS = 12;
const MIN_PASSWORD = 10;

export interface Invitation {
  id: number;
  /** The token of the invitation link, shown once. */
  token: string;
  expiresAt: string;
}

/** Invites a developer: the account waits for its password; the invitation token is answered once. */
export async function inviteDeveloper(
  db: Kysely<Database>,
  input: { email: string; name: string; company?: string | undefined },
): Promise<Invitation> {
  const email = input.email.trim();
  if (!isEmailAddress(email)) throw fieldInvalid('email', EMAIL_PROBLEM);
  const token = randomToken(32);
  const at = nowInstant();
  const expiresAt = new Date(Date.parse(at) + INVITATION_DAYS * 86_400_000).toISOString();
  try {
    const { id } = await db
      .insertInto('developer')
      .values({
        email,
        name: input.name.trim(),
        company: input.company?.trim() || null,
        password_hash: null,
        invitation_hash: tokenHash(token),
        invitation_expires_at: expiresAt,
        activated_at: null,
        disabled_at: null,
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id, token, expiresAt };
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`A developer with the email '${email}' exists already.`, 'email');
    throw error;
  }
}

/** A new invitation for a developer (the first expired, or was lost): the old link stops working. */
export async function reinviteDeveloper(db: Kysely<Database>, developer: DeveloperRow): Promise<Invitation> {
  if (developer.activated_at !== null) throw conflict('This developer has chosen a password already.');
  const token = randomToken(32);
  const at = nowInstant();
  const expiresAt = new Date(Date.parse(at) + INVITATION_DAYS * 86_400_000).toISOString();
  await db
    .updateTable('developer')
    .set({ invitation_hash: tokenHash(token), invitation_expires_at: expiresAt, updated_at: at })
    .where('id', '=', developer.id)
    .execute();
  return { id: developer.id, token, expiresAt };
}

const invitationRefused = () =>
  new ApiError(
    'invitation_invalid',
    400,
    'This invitation link is not valid or has expired: ask for a new one.',
    'fail',
    {
      field: 'token',
    },
  );

/** The invited developer chooses their password; the invitation is used up. */
export async function activateDeveloper(
  db: Kysely<Database>,
  input: { token: string; password: string },
): Promise<{ id: number; email: string }> {
  if (input.password.length < MIN_PASSWORD)
    throw fieldInvalid('password', `Expected at least ${MIN_PASSWORD} characters.`);
  const row = await db
    .selectFrom('developer')
    .select(['id', 'email', 'invitation_expires_at'])
    .where('invitation_hash', '=', tokenHash(input.token))
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  if (row === undefined || row.invitation_expires_at === null || row.invitation_expires_at < nowInstant())
    throw invitationRefused();
  const at = nowInstant();
  const updated = await db
    .updateTable('developer')
    .set({
      password_hash: await hashSecret(input.password),
      invitation_hash: null,
      invitation_expires_at: null,
      activated_at: at,
      updated_at: at,
    })
    .where('id', '=', row.id)
    .where('invitation_hash', '=', tokenHash(input.token))
    .executeTakeFirst();
  // Two uses of one link at once: the second finds it used.
  if (Number(updated.numUpdatedRows) !== 1) throw invitationRefused();
  return { id: row.id, email: row.email };
}

export interface DeveloperSession {
  token: string;
  developerId: number;
  expiresAt: string;
}

/** Email and password login to the developer area; one answer for every failure. */
export async function loginDeveloper(
  db: Kysely<Database>,
  input: { email: string; password: string },
): Promise<DeveloperSession> {
  const row = await db
    .selectFrom('developer')
    .select(['id', 'password_hash', 'disabled_at'])
    .where((eb) => eb(eb.fn('lower', ['email']), '=', input.email.trim().toLowerCase()))
    .executeTakeFirst();
  if (row?.password_hash === null || row?.password_hash === undefined) {
    // The same Argon2id cost as a real check: timing does not tell which emails exist.
    await verifyNothing(input.password);
    throw loginRefused();
  }
  if (!(await verifySecret(row.password_hash, input.password)) || row.disabled_at !== null) throw loginRefused();
  const token = `${DEVELOPER_SESSION_PREFIX}${randomToken(32)}`;
  const at = nowInstant();
  const expiresAt = new Date(Date.parse(at) + SESSION_HOURS * 3_600_000).toISOString();
  await db
    .insertInto('developer_session')
    .values({
      developer_id: row.id,
      token_hash: tokenHash(token),
      created_at: at,
      expires_at: expiresAt,
      revoked_at: null,
    })
    .execute();
  return { token, developerId: row.id, expiresAt };
}

/** The developer a live session token belongs to (checked on every request, never cached: logout is at once). */
export async function authenticateDeveloperToken(db: Kysely<Database>, token: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('developer_session')
    .innerJoin('developer', 'developer.id', 'developer_session.developer_id')
    .select(['developer_session.developer_id', 'developer_session.expires_at'])
    .where('developer_session.token_hash', '=', tokenHash(token))
    .where('developer_session.revoked_at', 'is', null)
    .where('developer.disabled_at', 'is', null)
    .executeTakeFirst();
  if (row === undefined || row.expires_at < nowInstant()) return undefined;
  return row.developer_id;
}

export async function logoutDeveloper(db: Kysely<Database>, token: string): Promise<void> {
  await db
    .updateTable('developer_session')
    .set({ revoked_at: nowInstant() })
    .where('token_hash', '=', tokenHash(token))
    .where('revoked_at', 'is', null)
    .execute();
}
