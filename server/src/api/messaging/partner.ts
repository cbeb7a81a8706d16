// Issue 19's partner services under /api/messaging: the owner's callback (`/system/callback`), companies
// (`/client/company`, verified by a platform key or automatically) and accounts (`/system/account`, activated by their
// owner through a mailed one-time link served at `/activation`). Partner-scoped keys; a platform key decides on
// companies and accounts; a client key registers its own callback. Wrong scope 403, another tenant's ids 404, a
// transition the state machine refuses 409 with the current state.
import { createHash } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { type Static, Type } from 'typebox';
import { secretsKey } from '../../channels/secrets.js';
import type { AppContext } from '../../context.js';
import type {
  MessagingAccountRow,
  MessagingCallbackRow,
  MessagingCompanyRow,
  WebhookDeliveryRow,
} from '../../db/schema.js';
import { ACCOUNT_DECISIONS, ACCOUNT_STATES, type AccountDecision } from '../../domain/messaging/account-states.js';
import {
  type AccountOptions,
  type ActivationToSend,
  activateAccount,
  createAccount,
  decideAccount,
  listAccounts,
  loadAccount,
  PASSWORD_MIN,
  renewActivation,
} from '../../domain/messaging/accounts.js';
import { activationMailer } from '../../domain/messaging/activation-mail.js';
import {
  type CallbackOwner,
  findCallback,
  listCallbackDeliveries,
  registerCallback,
  removeCallback,
  replayCallbackDelivery,
} from '../../domain/messaging/callback-registry.js';
import {
  createCompany,
  decideCompany,
  listCompanies,
  loadCompany,
  updateCompany,
} from '../../domain/messaging/companies.js';
import { COMPANY_DECISIONS, COMPANY_STATES, type CompanyDecision } from '../../domain/messaging/company-states.js';
import { partnerHistory } from '../../domain/messaging/state-history.js';
import type { Principal } from '../../domain/tenancy/policy.js';
import { fieldMissing, notPermitted, unknownResource } from '../../errors.js';
import { IdSchema } from '../../http/ids.js';
import type { CallbackBody } from '../../webhooks/callbacks.js';
import {
  Answer,
  authenticateMessaging,
  MessagingErrors as Errors,
  guarded,
  Listing,
  ok,
  page,
  pageAt,
  requireScope,
  MESSAGING_SECURITY as security,
  MESSAGING_TAGS as tags,
  withIdempotency,
} from './common.js';

const Text = (description: string, maxLength = 200) => Type.String({ maxLength, description });
const Nullable = <T extends ReturnType<typeof Type.String>>(schema: T) => Type.Union([schema, Type.Null()]);

const COMPANY_EXAMPLE = {
  legal_name: 'Boulangerie Martin SARL',
  trade_name: 'Boulangerie Martin',
  legal_identifier: '443 061 841 00047',
  address: '12 rue de la Paix, 75002 Paris',
  country: 'FR',
  website: 'https://boulangerie-martin.fr',
  email: 'contact@boulangerie-martin.fr',
  phone: '+33145678900',
  sector: 'Food retail',
  logo_url: 'https://cdn.example.fr/logo.png',
};
const CompanyFields = {
  legal_name: Text('Registered name (raison sociale).'),
  trade_name: Nullable(Text('Trade name (nom commercial).')),
  legal_identifier: Text(
    'SIREN (9 digits) or SIRET (14 digits), checked with their Luhn key, or an EU VAT number.',
    40,
  ),
  address: Text('Postal address.', 500),
  country: Text('ISO 3166 country code (FR).', 2),
  website: Nullable(Text('https:// website.', 2048)),
  email: Text('Contact email.', 254),
  phone: Text('Contact phone, E.164 (+33145678900).', 32),
  sector: Nullable(Text('Business sector.')),
  logo_url: Nullable(Text('https:// URL of the logo.', 2048)),
};
const CompanyBody = Type.Object(
  {
    legal_name: CompanyFields.legal_name,
    trade_name: Type.Optional(CompanyFields.trade_name),
    legal_identifier: CompanyFields.legal_identifier,
    address: CompanyFields.address,
    country: CompanyFields.country,
    website: Type.Optional(CompanyFields.website),
    email: CompanyFields.email,
    phone: CompanyFields.phone,
    sector: Type.Optional(CompanyFields.sector),
    logo_url: Type.Optional(CompanyFields.logo_url),
  },
  { additionalProperties: false, examples: [COMPANY_EXAMPLE] },
);
const CompanyPatch = Type.Partial(Type.Object(CompanyFields), {
  additionalProperties: false,
  minProperties: 1,
  examples: [{ trade_name: 'Martin & Fils', phone: '+33145678901' }],
});
const ACCOUNT_EXAMPLE = {
  company_id: 4,
  owner: {
    name: 'Claire Martin',
    email: 'claire@boulangerie-martin.fr',
    phone: '+33612345678',
    locale: 'fr-FR',
    timezone: 'Europe/Paris',
  },
  activation_required: true,
};
const AccountBody = Type.Object(
  {
    company_id: IdSchema('One of your verified companies.'),
    name: Type.Optional(Text("The account's name; the company's trade name by default.")),
    owner: Type.Object(
      {
        name: Text("Owner's full name."),
        email: Text("Owner's email: the activation link goes there, and it is their login.", 254),
        phone: Type.Optional(Nullable(Text('E.164.', 32))),
        locale: Type.Optional(Text("Language of the account and of the mail ('fr', 'fr-FR').", 5)),
        timezone: Type.Optional(Text("IANA time zone ('Europe/Paris').", 64)),
      },
      { additionalProperties: false },
    ),
    activation_required: Type.Optional(
      Type.Boolean({ description: 'The owner activates the account from a mailed link (default true).' }),
    ),
  },
  { additionalProperties: false, examples: [ACCOUNT_EXAMPLE] },
);
const Decision = Type.Object(
  { reason: Type.Optional(Text('Why (required to reject or suspend a company, and to reject an account).', 1000)) },
  { additionalProperties: false, examples: [{ reason: 'SIREN does not match the legal name.' }] },
);
const IdParams = Type.Object({ id: IdSchema('The resource id.') });

function presentCallback(row: MessagingCallbackRow, secret?: string) {
  return {
    id: row.id,
    url: row.url,
    owner: { kind: row.owner_kind, id: row.owner_id },
    ...(secret !== undefined && { secret }),
    previous_secret_expires_at: row.previous_secret_expires_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** One attempt of the delivery log; `body` is what was sent. */
function presentDelivery(row: WebhookDeliveryRow) {
  return {
    id: row.id,
    event_id: row.event_id,
    event_type: row.event_type,
    attempt: row.attempt,
    status: row.status,
    webhook_id: `msg_${row.correlation_id.replace(/-/g, '')}`,
    body: JSON.parse(row.request_body) as CallbackBody,
    http_status: row.http_status,
    latency_ms: row.latency_ms,
    error: row.error,
    response_body: row.response_body,
    created_at: row.created_at,
    next_attempt_at: row.next_attempt_at,
    completed_at: row.completed_at,
  };
}

function presentCompany(row: MessagingCompanyRow) {
  return {
    id: row.id,
    legal_name: row.legal_name,
    trade_name: row.trade_name,
    identifier_kind: row.identifier_kind,
    legal_identifier: row.legal_identifier,
    address: row.address,
    country: row.country,
    website: row.website,
    email: row.email,
    phone: row.phone,
    sector: row.sector,
    logo_url: row.logo_url,
    state: row.state,
    reason: row.reason,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

function presentAccount(row: MessagingAccountRow) {
  return {
    id: row.id,
    company_id: row.company_id,
    client_id: row.client_id,
    owner: {
      name: row.owner_name,
      email: row.owner_email,
      phone: row.owner_phone,
      locale: row.owner_locale,
      timezone: row.owner_timezone,
      operator_id: row.operator_id,
    },
    activation_required: row.activation_required === 1,
    state: row.state,
    reason: row.reason,
    activation_expires_at: row.activation_expires_at,
    activated_at: row.activated_at,
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** The answers' shapes (what tests and clients read). */
export type CallbackView = ReturnType<typeof presentCallback>;
export type DeliveryView = ReturnType<typeof presentDelivery>;
export type CompanyView = ReturnType<typeof presentCompany>;
export type AccountView = ReturnType<typeof presentAccount>;

/** The activation page's script: reads the token from the fragment and posts it with the chosen password. */
const ACTIVATION_SCRIPT = `const token = new URLSearchParams(location.hash.slice(1)).get('token') || '';
const result = document.getElementById('result');
document.getElementById('activation').addEventListener('submit', async (event) => {
  event.preventDefault();
  const password = document.getElementById('password').value;
  if (password !== document.getElementById('confirm').value) { result.textContent = 'Les mots de passe diffèrent / Passwords differ.'; return; }
  const answer = await fetch(location.pathname, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, password }) });
  const body = await answer.json();
  result.textContent = answer.ok ? 'Compte activé : connectez-vous avec votre email. / Account active: log in with your email.' : body.meta.message;
});
`;
/** The page may run only that script, and talk only to its own origin. */
const ACTIVATION_CSP = [
  "default-src 'none'",
  `script-src 'sha256-${createHash('sha256').update(ACTIVATION_SCRIPT).digest('base64')}'`,
  "style-src 'unsafe-inline'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The small page the activation link opens (French and English). */
function activationPage(): string {
  return `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Activation du compte / Account activation</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}label,input,button{display:block;width:100%;margin:.4rem 0}input,button{padding:.5rem;font-size:1rem}</style>
</head><body>
<h1>Activez votre compte <small>/ Activate your account</small></h1>
<form id="activation">
<label for="password">Mot de passe / Password (${PASSWORD_MIN}+)</label>
<input id="password" name="password" type="password" minlength="${PASSWORD_MIN}" autocomplete="new-password" required>
<label for="confirm">Confirmation</label>
<input id="confirm" type="password" minlength="${PASSWORD_MIN}" autocomplete="new-password" required>
<button type="submit">Activer / Activate</button>
</form>
<p id="result" role="status"></p>
<script>${ACTIVATION_SCRIPT}</script>
</body></html>`;
}

/**
 * What an Idempotency-Key repeat answers instead of a secret shown once: the field set to null (the secret is never
 * stored in clear; register the callback again, or mint another key, to get a new one).
 */
const withoutSecret = (field: 'secret' | 'api_key') => (body: unknown) => {
  const { data } = body as { data: Record<string, unknown> };
  return { ...(body as object), data: { ...data, [field]: null } };
};

export const messagingPartnerApi: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  const { db, config } = context;
  const mailer = activationMailer(
    { smtpUrl: config.smtpUrl, from: config.smtpFrom, publicUrl: config.publicUrl },
    { info: (fields, message) => app.log.info(fields, message) },
  );
  app.addHook('onClose', async () => mailer.close());
  const accountOptions: AccountOptions = {
    autoVerify: config.messagingAutoVerify === true,
    publicUrl: config.publicUrl,
    mailing: mailer.mailing,
  };
  /** Mails (or logs) an activation link once its state change committed; a failure is logged, the link renewable. */
  const sendActivation = async (activation: ActivationToSend | null) => {
    if (activation === null) return;
    try {
      await mailer.send(activation);
    } catch (err) {
      app.log.error({ err, accountId: activation.accountId }, 'mailing the activation link failed');
    }
  };

  const principals = new WeakMap<FastifyRequest, Principal>();
  // Authentication precedes validation: an unknown key learns nothing about the schema. The activation page is the
  // owner's, opened from the mail without a key.
  app.addHook('onRequest', async (request) => {
    if (!/^\/api\/messaging\/(system|client)\//.test(request.url)) return;
    principals.set(request, await authenticateMessaging(context, request));
  });
  const principalOf = (request: FastifyRequest): Principal => {
    const principal = principals.get(request);
    if (principal === undefined) throw notPermitted('This service takes an API key.');
    return principal;
  };
  const partnerOf = (request: FastifyRequest) =>
    requireScope(principalOf(request), ['partner'], 'This service').partnerId;
  /** A partner sees its own resources; a platform key every partner's (null). */
  const readerOf = (request: FastifyRequest): number | null => {
    const principal = requireScope(principalOf(request), ['partner', 'platform'], 'This service');
    return principal.scope === 'partner' ? principal.partnerId : null;
  };
  const callbackOwner = (request: FastifyRequest): CallbackOwner => {
    const principal = requireScope(principalOf(request), ['partner', 'client'], 'The callback service');
    return principal.scope === 'partner'
      ? { kind: 'partner', id: principal.partnerId }
      : { kind: 'client', id: principal.clientId };
  };

  // ---- /system/callback ----

  app.post(
    '/system/callback',
    {
      schema: {
        tags,
        summary: 'Register your callback URL',
        description:
          "One URL per owner: a partner key registers the partner's (COMPANY_STATUS, ACCOUNT_STATUS), a client key its account's (AGENT_STATUS, TESTER_STATUS). A new registration replaces the URL and the secret (the previous secret keeps signing for 24 hours). https only (http for hosts in CAUSERIE_OUTBOUND_ALLOWLIST). A `TEST` event is sent at once. Deliveries are signed (`X-Causerie-Signature`, Standard Webhooks `webhook-signature`), retried and logged. The `secret` is shown only in this answer. Accepts `Idempotency-Key`.",
        security,
        body: Type.Object(
          { url: Text('https:// URL receiving the events.', 2048) },
          { additionalProperties: false, examples: [{ url: 'https://partner.example.com/causerie/events' }] },
        ),
        response: {
          201: Answer('The callback, with its signing secret.', {
            id: 1,
            url: 'https://partner.example.com/causerie/events',
            owner: { kind: 'partner', id: 3 },
            secret: 'whsec_…',
          }),
          ...Errors,
        },
      },
    },
    async (request, reply) => {
      const owner = callbackOwner(request);
      await withIdempotency(
        db,
        request,
        reply,
        owner,
        async () => {
          const { callback, secret } = await registerCallback(
            db,
            context.outbound,
            secretsKey(config),
            owner,
            request.body.url,
          );
          context.webhooks?.poke();
          return { status: 201, body: ok(presentCallback(callback, secret)) };
        },
        withoutSecret('secret'),
      );
    },
  );

  app.get(
    '/system/callback',
    {
      schema: {
        tags,
        summary: 'Your callback URL',
        security,
        response: {
          200: Answer('The callback (404 when none is registered).', { id: 1, url: 'https://…' }),
          ...Errors,
        },
      },
    },
    async (request) => {
      const callback = await findCallback(db, callbackOwner(request));
      if (callback === undefined) throw unknownResource('system/callback', 'current');
      return ok(presentCallback(callback));
    },
  );

  app.delete(
    '/system/callback',
    {
      schema: {
        tags,
        summary: 'Remove your callback URL',
        description: 'Events are no longer sent; deliveries still due are logged as failed.',
        security,
        response: { 200: Answer('The removed callback.', { id: 1, url: 'https://…' }), ...Errors },
      },
    },
    async (request) => ok(presentCallback(await removeCallback(db, callbackOwner(request)))),
  );

  app.get(
    '/system/callback/deliveries',
    {
      schema: {
        tags,
        summary: 'Delivery log of your callback',
        description: 'Each attempt: the body sent, the answer (status, latency, first 4 KB), the next attempt.',
        security,
        querystring: Type.Object(
          {
            ...Listing,
            status: Type.Optional(Type.Enum(['pending', 'delivering', 'delivered', 'retrying', 'failed'])),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Answer('Attempts, newest first.', [
            { id: 9, event_type: 'messaging.company_status', status: 'delivered' },
          ]),
          ...Errors,
        },
      },
    },
    async (request) => {
      const callback = await findCallback(db, callbackOwner(request));
      if (callback === undefined) throw unknownResource('system/callback', 'current');
      const at = pageAt(request.query);
      const { items, count } = await listCallbackDeliveries(db, callback.id, { ...at, status: request.query.status });
      return page(items.map(presentDelivery), count, at);
    },
  );

  app.post(
    '/system/callback/deliveries/:id/replay',
    {
      schema: {
        tags,
        summary: 'Send a logged delivery again',
        description: 'A new attempt with the same `webhook-id`, so the receiver can tell it already had it.',
        security,
        params: IdParams,
        response: { 202: Answer('The new attempt.', { delivery_id: 10 }), ...Errors },
      },
    },
    async (request, reply) => {
      const callback = await findCallback(db, callbackOwner(request));
      if (callback === undefined) throw unknownResource('system/callback', 'current');
      const id = await replayCallbackDelivery(db, callback.id, request.params.id);
      context.webhooks?.poke();
      return reply.code(202).send(ok({ delivery_id: id }));
    },
  );

  // ---- /client/company ----

  app.post(
    '/client/company',
    {
      schema: {
        tags,
        summary: 'Submit a company',
        description:
          "Complete and accepted → `pending_verification` (`verified` at once when the installation auto-verifies); a platform key decides with `/verify` or `/reject`. Each state change is sent to the partner's callback as COMPANY_STATUS. Accepts `Idempotency-Key`.",
        security,
        body: CompanyBody,
        response: {
          201: Answer('The company.', { id: 4, ...COMPANY_EXAMPLE, state: 'pending_verification' }),
          ...Errors,
        },
      },
    },
    async (request, reply) => {
      const partnerId = partnerOf(request);
      await withIdempotency(db, request, reply, { kind: 'partner', id: partnerId }, async () => {
        const id = await createCompany(db, partnerId, request.body, { autoVerify: accountOptions.autoVerify });
        return { status: 201, body: ok(presentCompany(await loadCompany(db, partnerId, id))) };
      });
    },
  );

  app.get(
    '/client/company',
    {
      schema: {
        tags,
        summary: 'List companies',
        description:
          "A partner's own; a platform key sees every partner's (the verification queue: `state=pending_verification`).",
        security,
        querystring: Type.Object(
          { ...Listing, state: Type.Optional(Type.Enum([...COMPANY_STATES])) },
          { additionalProperties: false },
        ),
        response: { 200: Answer('Companies, newest first.', [{ id: 4, state: 'verified' }]), ...Errors },
      },
    },
    async (request) => {
      const at = pageAt(request.query);
      const { items, count } = await listCompanies(db, readerOf(request), { ...at, state: request.query.state });
      return page(items.map(presentCompany), count, at);
    },
  );

  app.get(
    '/client/company/:id',
    {
      schema: {
        tags,
        summary: 'A company with its state history',
        security,
        params: IdParams,
        response: {
          200: Answer('The company.', {
            id: 4,
            state: 'verified',
            history: [{ state: 'verified', previous_state: 'pending_verification', reason: null }],
          }),
          ...Errors,
        },
      },
    },
    async (request) => {
      const company = await loadCompany(db, readerOf(request), request.params.id);
      return ok({ ...presentCompany(company), history: await partnerHistory(db, 'company', company.id) });
    },
  );

  app.put(
    '/client/company/:id',
    {
      schema: {
        tags,
        summary: 'Change a company',
        description:
          'Contact details at any time; the legal identity (legal_name, legal_identifier, country) only while verification is pending (409 after).',
        security,
        params: IdParams,
        body: CompanyPatch,
        response: { 200: Answer('The company.', { id: 4, state: 'pending_verification' }), ...Errors },
      },
    },
    async (request) => {
      const partnerId = partnerOf(request);
      await updateCompany(db, partnerId, request.params.id, request.body);
      return ok(presentCompany(await loadCompany(db, partnerId, request.params.id)));
    },
  );

  app.post(
    '/client/company/:id/:decision',
    {
      schema: {
        tags,
        summary: "A platform administrator's decision on a company",
        description:
          '`verify` (pending_verification → verified), `reject` (→ rejected, with a reason), `suspend` (verified → suspended, with a reason), `reinstate` (suspended → verified). Platform key only; 409 with the current state when the transition is not allowed.',
        security,
        params: Type.Object({
          id: IdSchema('The company.'),
          decision: Type.Enum(Object.keys(COMPANY_DECISIONS) as CompanyDecision[]),
        }),
        body: Type.Optional(Decision),
        response: { 200: Answer('The company.', { id: 4, state: 'verified' }), ...Errors },
      },
    },
    async (request) => {
      requireScope(principalOf(request), ['platform'], 'Deciding on a company');
      await guarded(() =>
        decideCompany(db, request.params.id, request.params.decision, request.body?.reason ?? undefined),
      );
      return ok(presentCompany(await loadCompany(db, null, request.params.id)));
    },
  );

  // ---- /system/account ----

  app.post(
    '/system/account',
    {
      schema: {
        tags,
        summary: 'Create an account for a verified company',
        description:
          "A Causerie client with its owner. `pending_verification`, then (a platform key's `/verify`, or at once when the installation auto-verifies) `pending_activation` when `activation_required` (the owner gets a one-time link, valid 72 hours, to choose a password) or `active`. Until `active`, the account's keys and logins answer 403 `account_not_active`. The answer carries the account's API key, shown once. Each change is sent to the partner's callback as ACCOUNT_STATUS. Accepts `Idempotency-Key`.",
        security,
        body: AccountBody,
        response: {
          201: Answer('The account and its API key.', {
            id: 8,
            company_id: 4,
            client_id: 21,
            state: 'pending_verification',
            api_key: 'ck_…',
          }),
          ...Errors,
        },
      },
    },
    async (request, reply) => {
      const partnerId = partnerOf(request);
      let activation: ActivationToSend | null = null;
      await withIdempotency(
        db,
        request,
        reply,
        { kind: 'partner', id: partnerId },
        async () => {
          const created = await guarded(() => createAccount(db, partnerId, request.body, accountOptions));
          activation = created.activation;
          const account = await loadAccount(db, partnerId, created.id);
          return { status: 201, body: ok({ ...presentAccount(account), api_key: created.apiKey }) };
        },
        withoutSecret('api_key'),
      );
      await sendActivation(activation);
    },
  );

  app.get(
    '/system/account',
    {
      schema: {
        tags,
        summary: 'List accounts',
        security,
        querystring: Type.Object(
          {
            ...Listing,
            state: Type.Optional(Type.Enum([...ACCOUNT_STATES])),
            company_id: Type.Optional(IdSchema('Only the accounts of this company.')),
          },
          { additionalProperties: false },
        ),
        response: { 200: Answer('Accounts, newest first.', [{ id: 8, state: 'active' }]), ...Errors },
      },
    },
    async (request) => {
      const at = pageAt(request.query);
      const { items, count } = await listAccounts(db, readerOf(request), {
        ...at,
        state: request.query.state,
        company_id: request.query.company_id,
      });
      return page(items.map(presentAccount), count, at);
    },
  );

  app.get(
    '/system/account/:id',
    {
      schema: {
        tags,
        summary: 'An account with its state history',
        security,
        params: IdParams,
        response: { 200: Answer('The account.', { id: 8, state: 'active', history: [] }), ...Errors },
      },
    },
    async (request) => {
      const account = await loadAccount(db, readerOf(request), request.params.id);
      return ok({ ...presentAccount(account), history: await partnerHistory(db, 'account', account.id) });
    },
  );

  app.post(
    '/system/account/:id/:decision',
    {
      schema: {
        tags,
        summary: 'A decision on an account',
        description:
          '`verify` (→ pending_activation, or active without activation) and `reject` (with a reason): platform key. `suspend` (active → suspended), `reinstate` (suspended → active), `close` (→ closed, final): platform key or the partner. 409 with the current state when the transition is not allowed.',
        security,
        params: Type.Object({
          id: IdSchema('The account.'),
          decision: Type.Enum(Object.keys(ACCOUNT_DECISIONS) as AccountDecision[]),
        }),
        body: Type.Optional(Decision),
        response: { 200: Answer('The account.', { id: 8, state: 'pending_activation' }), ...Errors },
      },
    },
    async (request) => {
      const { decision } = request.params;
      const principal = requireScope(principalOf(request), ACCOUNT_DECISIONS[decision].scopes, `'${decision}'`);
      const partnerId = principal.scope === 'partner' ? principal.partnerId : null;
      const activation = await guarded(() =>
        decideAccount(db, partnerId, request.params.id, decision, request.body?.reason ?? undefined, accountOptions),
      );
      await sendActivation(activation);
      return ok(presentAccount(await loadAccount(db, partnerId, request.params.id)));
    },
  );

  app.delete(
    '/system/account/:id',
    {
      schema: {
        tags,
        summary: 'Close an account',
        description: 'The same as `/close`: final; its keys and logins stop working.',
        security,
        params: IdParams,
        response: { 200: Answer('The closed account.', { id: 8, state: 'closed' }), ...Errors },
      },
    },
    async (request) => {
      const reader = readerOf(request);
      await guarded(() => decideAccount(db, reader, request.params.id, 'close', undefined, accountOptions));
      return ok(presentAccount(await loadAccount(db, reader, request.params.id)));
    },
  );

  app.post(
    '/system/account/:id/activation',
    {
      schema: {
        tags,
        summary: 'Send a new activation link',
        description: 'For an account in `pending_activation`: the previous link stops working.',
        security,
        params: IdParams,
        response: { 200: Answer('The account.', { id: 8, state: 'pending_activation' }), ...Errors },
      },
    },
    async (request) => {
      const partnerId = partnerOf(request);
      const activation = await renewActivation(db, partnerId, request.params.id, accountOptions);
      await sendActivation(activation);
      const account = await loadAccount(db, partnerId, request.params.id);
      return ok({
        ...presentAccount(account),
        ...(!mailer.mailing && { activation_link: activation.link }),
      });
    },
  );

  // ---- the owner's activation page ----

  app.get(
    '/activation',
    { schema: { tags, summary: 'The activation page (opened from the mailed link)', hide: true } },
    async (_request, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('referrer-policy', 'no-referrer')
        .header('content-security-policy', ACTIVATION_CSP)
        .send(activationPage()),
  );

  app.post(
    '/activation',
    {
      schema: {
        tags,
        summary: 'Activate an account',
        description:
          "The owner's token (from the link's `#token=`) and the password they chose: the account becomes `active` and its owner an admin operator who logs in with their email and this password. The link works once, for 72 hours.",
        body: Type.Object(
          {
            token: Type.String({ minLength: 1, maxLength: 200 }),
            password: Type.String({ maxLength: 256, description: `At least ${PASSWORD_MIN} characters.` }),
          },
          { additionalProperties: false, examples: [{ token: 'Qm9u…', password: 'a long passphrase' }] },
        ),
        response: { 200: Answer('The activated account.', { account_id: 8, state: 'active' }), ...Errors },
      },
    },
    async (request) => {
      if (request.body.token.trim() === '') throw fieldMissing('token');
      const activated = await activateAccount(db, request.body.token, request.body.password, accountOptions);
      return ok({
        account_id: activated.accountId,
        client_id: activated.clientId,
        operator_id: activated.operatorId,
        email: activated.email,
        state: 'active',
      });
    },
  );
};

export type CompanyBodyInput = Static<typeof CompanyBody>;
