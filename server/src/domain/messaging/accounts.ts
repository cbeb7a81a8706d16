// Accounts a partner makes for its verified companies (issue 19 `/system/account`): each is a Causerie client with an
// API key and an owner. Verification, the owner's activation by a one-time link, suspension and closing are commands
// that write the account, the client's `account_state` (read by the key and session checks), a history row and a
// `messaging.account_status` event (→ the partner's ACCOUNT_STATUS callback) in one transaction.
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, MessagingAccountRow, MessagingAccountState } from '../../db/schema.js';
import { ApiError, fieldInvalid, fieldMissing, unknownResource } from '../../errors.js';
import { appendEvent } from '../../events/append.js';
import { type Tx, transact } from '../../events/transact.js';
import { nowInstant } from '../../time.js';
import { recordCapacity } from '../people/history.js';
import { newSsoKey } from '../people/sso-keys.js';
import { generateKeyMaterial, hashSecret } from '../tenancy/keys.js';
import { readTimeZone } from '../tenancy/locale.js';
import { type AccountDecision, accountStateAfter, assertAccountTransition } from './account-states.js';
import { readEmailField, readPhone } from './companies.js';
import { newestFirst } from './listing.js';
import { recordState, type StateChange } from './state-history.js';

/** How long an activation link opens the account. */
export const ACTIVATION_TTL_MS = 72 * 3_600_000;
/** Shortest password an owner may set (the console's rule for operators). */
export const PASSWORD_MIN = 8;

export interface AccountInput {
  company_id: number;
  /** The account's (client's) name; the company's trade name, else its legal name, when absent. */
  name?: string;
  owner: { name: string; email: string; phone?: string | null; locale?: string; timezone?: string };
  activation_required?: boolean;
}

/** What the caller must do after the commit: mail this link to the owner (or, without SMTP, it was logged). */
export interface ActivationToSend {
  accountId: number;
  email: string;
  ownerName: string;
  locale: string;
  link: string;
  expiresAt: string;
}

export interface AccountOptions {
  autoVerify: boolean;
  /** The installation's public URL: activation links open `<publicUrl>/api/messaging/activation#token=…`. */
  publicUrl: string;
  /** Whether activation links are mailed; without SMTP they go into the callback's data instead. */
  mailing: boolean;
}

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

function readLocale(raw: string | undefined): string {
  const locale = (raw ?? 'fr').trim();
  if (!/^[a-zA-Z]{2}([-_][a-zA-Z]{2})?$/.test(locale))
    throw fieldInvalid('owner.locale', "Expected a language, optionally with its region, such as 'fr' or 'fr-FR'.");
  const [language, region] = locale.split(/[-_]/);
  return region === undefined ? (language ?? 'fr').toLowerCase() : `${language?.toLowerCase()}-${region.toUpperCase()}`;
}

function readOwner(owner: AccountInput['owner'] | undefined) {
  if (owner === undefined) throw fieldMissing('owner');
  const name = owner.name?.trim() ?? '';
  if (name === '') throw fieldMissing('owner.name');
  if (owner.email === undefined || owner.email.trim() === '') throw fieldMissing('owner.email');
  const email = readEmailField('owner.email', owner.email);
  const phone = owner.phone == null || owner.phone.trim() === '' ? null : readPhone('owner.phone', owner.phone);
  const locale = readLocale(owner.locale);
  let timezone: string;
  try {
    timezone = readTimeZone(owner.timezone ?? 'Europe/Paris');
  } catch (error) {
    if (error instanceof ApiError) throw fieldInvalid('owner.timezone', error.message.replace(/^.*?valid\. /, ''));
    throw error;
  }
  return { name, email, phone, locale, timezone };
}

export async function loadAccount(db: Kysely<Database> | Tx, partnerId: number | null, id: number) {
  let query = db.selectFrom('messaging_account').selectAll().where('id', '=', id);
  if (partnerId !== null) query = query.where('partner_id', '=', partnerId);
  const account = await query.executeTakeFirst();
  if (account === undefined) throw unknownResource('system/account', id);
  return account;
}

export async function listAccounts(
  db: Kysely<Database>,
  partnerId: number | null,
  filter: { state?: MessagingAccountState; company_id?: number; page: number; limit: number },
): Promise<{ items: MessagingAccountRow[]; count: number }> {
  let query = db.selectFrom('messaging_account');
  if (partnerId !== null) query = query.where('partner_id', '=', partnerId);
  if (filter.state !== undefined) query = query.where('state', '=', filter.state);
  if (filter.company_id !== undefined) query = query.where('company_id', '=', filter.company_id);
  return newestFirst(query, filter);
}

/** The history row and the event (the partner's ACCOUNT_STATUS callback) of one state change; `data` goes into it. */
function recordAccountState(
  trx: Tx,
  account: Pick<MessagingAccountRow, 'id' | 'partner_id' | 'client_id' | 'company_id'>,
  change: StateChange & { data?: Record<string, unknown> },
  at: string,
): Promise<void> {
  const subject = {
    resource: 'account' as const,
    id: account.id,
    partnerId: account.partner_id,
    clientId: account.client_id,
  };
  const data = { client_id: account.client_id, company_id: account.company_id, ...change.data };
  return recordState(trx, subject, { ...change, data }, at);
}

/** The owner as an admin operator of the account's client (password: an argon2id hash, or none yet). */
async function createOwnerOperator(
  trx: Tx,
  account: MessagingAccountRow,
  passwordHash: string | null,
  at: string,
): Promise<number> {
  const ssoKey = newSsoKey();
  const language = account.owner_locale.slice(0, 2);
  const { id } = await trx
    .insertInto('operator')
    .values({
      client_id: account.client_id,
      name: account.owner_name,
      first_name: null,
      pseudo: null,
      email: account.owner_email,
      external_id: null,
      roles: JSON.stringify(['admin']),
      chat_enabled: 1,
      call_enabled: 0,
      video_enabled: 0,
      chat_max_number: 2,
      chat_and_call: 0,
      chat_priority: 0,
      call_priority: 0,
      video_priority: 0,
      language_list: JSON.stringify([language]),
      language_admin: language === 'fr' ? 'fr' : 'en',
      group_id: null,
      password_hash: passwordHash,
      sso_key_hash: ssoKey.hash,
      created_at: at,
      updated_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await recordCapacity(trx, { clientId: account.client_id, operatorId: id, chatMaxNumber: 2, at });
  await appendEvent(trx, {
    type: 'user.created',
    clientId: account.client_id,
    subject: { type: 'operator', id },
    payload: { userId: id },
    at,
  });
  return id;
}

/**
 * Moves an account to `state`: the row, the client's `account_state`, history and event. Becoming active makes the
 * owner's operator when there is none; `pending_activation` issues a fresh one-time link (returned, to be mailed).
 */
async function changeState(
  trx: Tx,
  account: MessagingAccountRow,
  state: MessagingAccountState,
  reason: string | null,
  at: string,
  options: AccountOptions,
  extra: { passwordHash?: string } = {},
): Promise<ActivationToSend | null> {
  assertAccountTransition(account.state, state);
  let activation: ActivationToSend | null = null;
  const changes: Partial<MessagingAccountRow> = { state, reason, updated_at: at };
  const data: Record<string, unknown> = {};
  if (state === 'pending_activation') {
    const issued = issueActivation(account, options, at);
    Object.assign(changes, issued.columns);
    activation = issued.activation;
    const { expiresAt } = activation;
    // With SMTP the link goes only to the owner's mailbox; without, the partner passes it on (seed: "le lien").
    data.activation = options.mailing
      ? { mailed_to: account.owner_email, expires_at: expiresAt }
      : { link: activation.link, expires_at: expiresAt };
  }
  if (state === 'active') {
    changes.activation_token_hash = null;
    changes.activation_expires_at = null;
    if (account.activated_at === null) changes.activated_at = at;
    if (account.operator_id === null)
      changes.operator_id = await createOwnerOperator(trx, account, extra.passwordHash ?? null, at);
    data.owner_operator_id = changes.operator_id ?? account.operator_id;
  }
  if (state === 'closed' || state === 'rejected') {
    changes.activation_token_hash = null;
    changes.activation_expires_at = null;
  }
  await trx.updateTable('messaging_account').set(changes).where('id', '=', account.id).execute();
  await trx
    .updateTable('client')
    .set({ account_state: state, updated_at: at })
    .where('id', '=', account.client_id)
    .execute();
  await recordAccountState(trx, account, { state, previousState: account.state, reason, data }, at);
  return activation;
}

/**
 * A new one-time link for the account's owner, valid ACTIVATION_TTL_MS from `at`: the columns that keep only its hash
 * (the previous link stops working), and the link to mail.
 */
function issueActivation(
  account: MessagingAccountRow,
  options: AccountOptions,
  at: string,
): {
  columns: Pick<MessagingAccountRow, 'activation_token_hash' | 'activation_expires_at'>;
  activation: ActivationToSend;
} {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(Date.parse(at) + ACTIVATION_TTL_MS).toISOString();
  return {
    columns: { activation_token_hash: tokenHash(token), activation_expires_at: expiresAt },
    activation: {
      accountId: account.id,
      email: account.owner_email,
      ownerName: account.owner_name,
      locale: account.owner_locale,
      link: activationLink(options.publicUrl, token),
      expiresAt,
    },
  };
}

export function activationLink(publicUrl: string, token: string): string {
  // The token rides in the fragment: browsers do not send it, so it never reaches access logs or proxies.
  return `${publicUrl.replace(/\/+$/, '')}/api/messaging/activation#token=${token}`;
}

/**
 * Creates the account for one of the partner's verified companies: the client (in `pending_verification`, its keys
 * refused until active), a client-scoped API key (returned once), and the account row. Verified at once when the
 * installation auto-verifies.
 */
export async function createAccount(
  db: Kysely<Database>,
  partnerId: number,
  input: AccountInput,
  options: AccountOptions,
): Promise<{ id: number; apiKey: string; activation: ActivationToSend | null }> {
  if (input.company_id === undefined) throw fieldMissing('company_id');
  const owner = readOwner(input.owner);
  const material = await generateKeyMaterial();
  return transact(db, async (trx) => {
    const company = await trx
      .selectFrom('messaging_company')
      .selectAll()
      .where('id', '=', input.company_id)
      .where('partner_id', '=', partnerId)
      .executeTakeFirst();
    if (company === undefined) throw unknownResource('client/company', input.company_id, 'company_id');
    if (company.state !== 'verified')
      throw new ApiError(
        'invalid_transition',
        409,
        `Company ${company.id} is '${company.state}': accounts are created for verified companies only. Current state: '${company.state}'.`,
        'fail',
        { field: 'company_id' },
      );
    const at = nowInstant();
    const name = input.name?.trim() || company.trade_name || company.legal_name;
    const lang = owner.locale.slice(0, 2);
    const client = await trx
      .insertInto('client')
      .values({
        partner_id: partnerId,
        name,
        lang,
        timezone: owner.timezone,
        account_state: 'pending_verification',
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendEvent(trx, {
      type: 'client.created',
      partnerId,
      clientId: client.id,
      subject: { type: 'client', id: client.id },
      payload: { name, lang },
      at,
    });
    const key = await trx
      .insertInto('api_key')
      .values({
        public_id: material.publicId,
        secret_hash: material.secretHash,
        scope: 'client',
        partner_id: null,
        client_id: client.id,
        name: 'Account key',
        created_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendEvent(trx, {
      type: 'api_key.created',
      partnerId: null,
      clientId: client.id,
      subject: { type: 'api_key', id: key.id },
      payload: { scope: 'client', name: 'Account key' },
      at,
    });
    const { id } = await trx
      .insertInto('messaging_account')
      .values({
        partner_id: partnerId,
        company_id: company.id,
        client_id: client.id,
        owner_name: owner.name,
        owner_email: owner.email,
        owner_phone: owner.phone,
        owner_locale: owner.locale,
        owner_timezone: owner.timezone,
        activation_required: input.activation_required === false ? 0 : 1,
        state: 'pending_verification',
        reason: null,
        activation_token_hash: null,
        activation_expires_at: null,
        activated_at: null,
        operator_id: null,
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const account = await loadAccount(trx, partnerId, id);
    await recordAccountState(trx, account, { state: 'pending_verification', previousState: null, reason: null }, at);
    let activation: ActivationToSend | null = null;
    if (options.autoVerify)
      activation = await changeState(
        trx,
        account,
        accountStateAfter('verify', account.activation_required === 1),
        'Verified automatically by this installation.',
        at,
        options,
      );
    return { id, apiKey: material.plaintext, activation };
  });
}

/** A decision on an account (see ACCOUNT_DECISIONS for who may take which); reject says why. */
export async function decideAccount(
  db: Kysely<Database>,
  partnerId: number | null,
  id: number,
  decision: AccountDecision,
  reason: string | undefined,
  options: AccountOptions,
): Promise<ActivationToSend | null> {
  const why = reason?.trim() || null;
  if (why === null && decision === 'reject') throw fieldMissing('reason');
  return transact(db, async (trx) => {
    const account = await loadAccount(trx, partnerId, id);
    return changeState(
      trx,
      account,
      accountStateAfter(decision, account.activation_required === 1),
      why,
      nowInstant(),
      options,
    );
  });
}

/** A new activation link for an account still waiting for its owner (the previous link stops working). */
export async function renewActivation(
  db: Kysely<Database>,
  partnerId: number,
  id: number,
  options: AccountOptions,
): Promise<ActivationToSend> {
  return transact(db, async (trx) => {
    const account = await loadAccount(trx, partnerId, id);
    if (account.state !== 'pending_activation')
      throw new ApiError(
        'invalid_transition',
        409,
        `This account is '${account.state}': only an account in 'pending_activation' gets an activation link. Current state: '${account.state}'.`,
        'fail',
        { field: 'state' },
      );
    const at = nowInstant();
    const { columns, activation } = issueActivation(account, options, at);
    await trx
      .updateTable('messaging_account')
      .set({ ...columns, updated_at: at })
      .where('id', '=', id)
      .execute();
    return activation;
  });
}

/**
 * The owner opened the link and chose a password: the account becomes active, the owner an admin operator who can
 * log in with their email and this password. The link works once, for ACTIVATION_TTL_MS.
 */
export async function activateAccount(
  db: Kysely<Database>,
  token: string,
  password: string,
  options: AccountOptions,
): Promise<{ accountId: number; clientId: number; operatorId: number; email: string }> {
  if (typeof password !== 'string' || password.length < PASSWORD_MIN)
    throw fieldInvalid('password', `Choose a password of at least ${PASSWORD_MIN} characters.`);
  if (password.length > 256) throw fieldInvalid('password', 'At most 256 characters.');
  const hash = tokenHash(token);
  const passwordHash = await hashSecret(password);
  return transact(db, async (trx) => {
    const account = await trx
      .selectFrom('messaging_account')
      .selectAll()
      .where('activation_token_hash', '=', hash)
      .executeTakeFirst();
    if (account === undefined || account.state !== 'pending_activation')
      throw new ApiError(
        'activation_link_invalid',
        404,
        'This activation link is not valid or was already used; ask for a new one.',
        'fail',
        { field: 'token' },
      );
    if (account.activation_expires_at === null || account.activation_expires_at <= nowInstant())
      throw new ApiError(
        'activation_link_expired',
        410,
        'This activation link has expired (links work for 72 hours); ask for a new one.',
        'fail',
        { field: 'token' },
      );
    await changeState(trx, account, 'active', null, nowInstant(), options, { passwordHash });
    const active = await loadAccount(trx, null, account.id);
    return {
      accountId: account.id,
      clientId: account.client_id,
      operatorId: active.operator_id ?? 0,
      email: account.owner_email,
    };
  });
}
