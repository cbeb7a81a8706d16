// The partner half of issue 19 (callbacks, companies, accounts with activation by mail) on SQLite and PostgreSQL: the
// seed's flow end to end with a real SMTP server and a callback receiver that checks the signatures, each transition
// of the company and account state machines, the 403 of an account that is not active, Idempotency-Key, isolation
// between partners, scopes and bad input.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_STATES, ACCOUNT_TRANSITIONS, accountCanBecome } from '../../domain/messaging/account-states.js';
import { COMPANY_STATES, COMPANY_TRANSITIONS, companyCanBecome } from '../../domain/messaging/company-states.js';
import { luhnValid, readLegalIdentifier } from '../../domain/messaging/legal-ids.js';
import { ADMIN_KEY, clientWithKey, partnerWithKey, startTestApp, type TestApp } from '../../test/harness.js';
import {
  type AccountView,
  type CallbackView,
  type CompanyView,
  type DeliveryView,
  type HistoryEntry,
  linkIn,
  Mailbox,
  messagingCaller,
  startCallbackReceiver,
  tokenOf,
  until,
} from '../../test/messaging.js';

const COMPANY = {
  legal_name: 'Google France SARL',
  trade_name: 'Boulangerie Martin',
  legal_identifier: '443 061 841 00047',
  address: '8 rue de Londres, 75009 Paris',
  country: 'FR',
  website: 'https://boulangerie-martin.fr',
  email: 'contact@boulangerie-martin.fr',
  phone: '+33 1 45 67 89 00',
  sector: 'Food retail',
  logo_url: 'https://cdn.example.fr/logo.png',
};

const owner = (email: string) => ({
  name: 'Claire Martin',
  email,
  phone: '+33612345678',
  locale: 'fr-FR',
  timezone: 'Europe/Paris',
});

let t: TestApp;
let mailbox: Mailbox;
let partner: { partnerId: number; key: string };
let other: { partnerId: number; key: string };

const makeCall = (app: TestApp) => messagingCaller(() => app.app);
let call: ReturnType<typeof makeCall>;

/** A verified company of `partnerKey`'s. */
async function verifiedCompany(partnerKey: string, extra: Record<string, unknown> = {}): Promise<number> {
  const created = await call<CompanyView>('POST', '/client/company', partnerKey, { ...COMPANY, ...extra });
  expect(created.status).toBe(201);
  const verified = await call<CompanyView>('POST', `/client/company/${created.body.data.id}/verify`, ADMIN_KEY);
  expect(verified.body.data.state).toBe('verified');
  return created.body.data.id;
}

/** An account of a verified company, verified by the platform: its id and the token of the link mailed to `email`. */
async function awaitingActivation(email: string): Promise<{ id: number; token: string }> {
  const companyId = await verifiedCompany(partner.key);
  const created = await call<AccountView>('POST', '/system/account', partner.key, {
    company_id: companyId,
    owner: owner(email),
  });
  const id = created.body.data.id;
  await call('POST', `/system/account/${id}/verify`, ADMIN_KEY);
  const [mail] = await mailbox.mailsTo(email);
  return { id, token: tokenOf(linkIn(mail?.raw ?? '')) };
}

beforeAll(async () => {
  mailbox = await new Mailbox().start();
  t = await startTestApp({ webhookTimeScale: 0.001, smtpUrl: mailbox.url });
  call = makeCall(t);
  partner = await partnerWithKey(t, 'Bi-way');
  other = await partnerWithKey(t, 'Other partner');
});

afterAll(async () => {
  await t?.close();
  await mailbox?.close();
});

describe('state machines as data', () => {
  it('allow exactly the listed company transitions', () => {
    for (const from of COMPANY_STATES)
      for (const to of COMPANY_STATES)
        expect(companyCanBecome(from, to), `${from} → ${to}`).toBe(COMPANY_TRANSITIONS[from].includes(to));
    expect(COMPANY_TRANSITIONS.pending_verification).toEqual(['verified', 'rejected']);
    expect(COMPANY_TRANSITIONS.verified).toEqual(['suspended']);
    expect(COMPANY_TRANSITIONS.suspended).toEqual(['verified']);
    expect(COMPANY_TRANSITIONS.rejected).toEqual([]);
  });

  it('allow exactly the listed account transitions', () => {
    for (const from of ACCOUNT_STATES)
      for (const to of ACCOUNT_STATES)
        expect(accountCanBecome(from, to), `${from} → ${to}`).toBe(ACCOUNT_TRANSITIONS[from].includes(to));
    expect(accountCanBecome('pending_activation', 'active')).toBe(true);
    expect(accountCanBecome('active', 'pending_activation')).toBe(false);
    expect(ACCOUNT_TRANSITIONS.closed).toEqual([]);
  });

  it('check SIREN and SIRET keys and EU VAT formats', () => {
    expect(luhnValid('443061841')).toBe(true);
    expect(readLegalIdentifier('443 061 841')).toEqual({ kind: 'siren', value: '443061841' });
    expect(readLegalIdentifier('443061842')).toHaveProperty('problem');
    expect(readLegalIdentifier('44306184100047')).toEqual({ kind: 'siret', value: '44306184100047' });
    expect(readLegalIdentifier('44306184100048')).toHaveProperty('problem');
    const key = (12 + 3 * (443061841 % 97)) % 97;
    expect(readLegalIdentifier(`FR${String(key).padStart(2, '0')}443061841`)).toMatchObject({ kind: 'vat' });
    expect(readLegalIdentifier(`FR${String((key + 1) % 97).padStart(2, '0')}443061841`)).toHaveProperty('problem');
    expect(readLegalIdentifier('DE123456789')).toMatchObject({ kind: 'vat' });
    expect(readLegalIdentifier('DE12345678')).toHaveProperty('problem');
    expect(readLegalIdentifier('NL123456789B01')).toMatchObject({ kind: 'vat' });
    expect(readLegalIdentifier('US123456789')).toHaveProperty('problem');
  });
});

describe('the seed flow', () => {
  it('callback → company → verified → account → mail → password → active, every callback signed and in order', async () => {
    const receiver = await startCallbackReceiver('/events');
    const accountReceiver = await startCallbackReceiver('/account-events');
    try {
      const registered = await call<CallbackView & { secret: string }>('POST', '/system/callback', partner.key, {
        url: receiver.url,
      });
      expect(registered.status).toBe(201);
      const secret = registered.body.data.secret;
      expect(secret).toMatch(/^whsec_/);
      receiver.trust(secret);
      expect((await call<CallbackView>('GET', '/system/callback', partner.key)).body.data.url).toBe(receiver.url);
      await until(() => expect(receiver.deliveries().map((r) => r.body.type)).toEqual(['TEST']));

      const company = await call<CompanyView>('POST', '/client/company', partner.key, COMPANY);
      expect(company.status).toBe(201);
      expect(company.body.data).toMatchObject({
        state: 'pending_verification',
        identifier_kind: 'siret',
        legal_identifier: '44306184100047',
        phone: '+33145678900',
      });
      const companyId = company.body.data.id;
      // The partner may not verify its own company.
      expect((await call('POST', `/client/company/${companyId}/verify`, partner.key)).status).toBe(403);
      const verified = await call<CompanyView>('POST', `/client/company/${companyId}/verify`, ADMIN_KEY);
      expect(verified.body.data.state).toBe('verified');

      const email = 'claire@boulangerie-martin.fr';
      const account = await call<AccountView & { api_key: string }>('POST', '/system/account', partner.key, {
        company_id: companyId,
        owner: owner(email),
        activation_required: true,
      });
      expect(account.status).toBe(201);
      expect(account.body.data.state).toBe('pending_verification');
      const accountId = account.body.data.id;
      const accountKey = account.body.data.api_key;

      // Not active: the account's key is refused with a message saying so.
      const early = await call('GET', '/api/2/website', accountKey);
      expect(early.status).toBe(403);
      expect(early.body.meta.error).toBe('account_not_active');
      expect(early.body.meta.message).toMatch(/not active/);
      expect((await call('POST', '/system/callback', accountKey, { url: accountReceiver.url })).status).toBe(403);

      const decided = await call<AccountView>('POST', `/system/account/${accountId}/verify`, ADMIN_KEY);
      expect(decided.body.data.state).toBe('pending_activation');
      expect((await call('GET', '/api/2/website', accountKey)).status).toBe(403);

      const [mail] = await mailbox.mailsTo(email);
      expect(mail?.raw).toMatch(/Subject: Activez votre compte/);
      const link = new URL(linkIn(mail?.raw ?? ''));
      const token = tokenOf(link.href);
      const pageAnswer = await t.app.inject({ method: 'GET', url: link.pathname });
      expect(pageAnswer.statusCode).toBe(200);
      expect(pageAnswer.body).toContain('<form id="activation">');
      // The page's one script is the one its Content-Security-Policy lets run.
      const script = /<script>([\s\S]*)<\/script>/.exec(pageAnswer.body)?.[1] ?? '';
      expect(pageAnswer.headers['content-security-policy']).toContain(
        `'sha256-${createHash('sha256').update(script).digest('base64')}'`,
      );

      const tooShort = await call('POST', link.pathname, undefined, { token, password: 'short' });
      expect(tooShort.status).toBe(400);
      expect(tooShort.body.meta.field).toBe('password');
      const activated = await call<{ state: string; operator_id: number }>('POST', link.pathname, undefined, {
        token,
        password: 'croissant-du-matin',
      });
      expect(activated.status).toBe(200);
      expect(activated.body.data.state).toBe('active');
      // Single use.
      const again = await call('POST', link.pathname, undefined, { token, password: 'croissant-du-matin' });
      expect(again.status).toBe(404);

      const login = await call<{ token: string }>('POST', '/auth/login', undefined, {
        email,
        password: 'croissant-du-matin',
      });
      expect(login.status).toBe(200);
      const me = await call<{ email: string; role: string }>(
        'GET',
        `/api/2/operator/${activated.body.data.operator_id}`,
        undefined,
        undefined,
        {
          authorization: `Bearer ${login.body.data.token}`,
        },
      );
      expect(me.status).toBe(200);
      // The owner is an admin operator of the new account.
      expect(me.body.data).toMatchObject({ email, role: 'admin' });
      expect((await call('GET', '/api/2/website', accountKey)).status).toBe(200);
      const state = await call<AccountView & { history: HistoryEntry[] }>(
        'GET',
        `/system/account/${accountId}`,
        partner.key,
      );
      expect(state.body.data.owner.operator_id).toBe(activated.body.data.operator_id);
      expect(state.body.data.history.map((h) => h.state)).toEqual([
        'pending_verification',
        'pending_activation',
        'active',
      ]);

      const expected = [
        ['TEST', 'registered'],
        ['COMPANY_STATUS', 'pending_verification'],
        ['COMPANY_STATUS', 'verified'],
        ['ACCOUNT_STATUS', 'pending_verification'],
        ['ACCOUNT_STATUS', 'pending_activation'],
        ['ACCOUNT_STATUS', 'active'],
      ];
      await until(() => expect(receiver.deliveries().map((r) => [r.body.type, r.body.state])).toEqual(expected));
      for (const delivery of receiver.deliveries()) expect(delivery.signed).toEqual({ standard: true, causerie: true });
      const bodies = receiver.deliveries().map((r) => r.body);
      expect(bodies[2]).toMatchObject({ id: companyId, previous_state: 'pending_verification', reason: null });
      expect(bodies[4]).toMatchObject({
        id: accountId,
        previous_state: 'pending_verification',
        data: { client_id: account.body.data.client_id, activation: { mailed_to: email } },
      });
      // Mailed: the link is not in the callback.
      expect(JSON.stringify(bodies[4])).not.toContain('#token=');
      // (The body's fields, on every delivery, are seed-flow.test.ts's.)

      // The log shows every attempt; one replays with the same webhook-id.
      // The receiver has the last body before the worker records its 2xx: wait for the log to say delivered.
      const log = await until(async () => {
        const answer = await call<DeliveryView[]>('GET', '/system/callback/deliveries?status=delivered', partner.key);
        expect(answer.body.pagination.count).toBe(6);
        return answer;
      });
      const first = log.body.data.at(-1);
      const replay = await call('POST', `/system/callback/deliveries/${first?.id}/replay`, partner.key);
      expect(replay.status).toBe(202);
      await until(() => expect(receiver.deliveries()).toHaveLength(7));
      const [original, , , , , , replayed] = receiver.deliveries();
      expect(replayed?.headers['webhook-id']).toBe(original?.headers['webhook-id']);

      // The account's own callback (a client key, now active) is separate from the partner's.
      const own = await call<CallbackView>('POST', '/system/callback', accountKey, { url: accountReceiver.url });
      expect(own.status).toBe(201);
      expect(own.body.data.owner).toEqual({ kind: 'client', id: account.body.data.client_id });
      expect((await call<CallbackView>('GET', '/system/callback', partner.key)).body.data.url).toBe(receiver.url);
      // The account's own events (a chat environment) go to the account's callback, not to the partner's.
      const agent = await call<{ id: number }>('POST', '/chatbot/agent', accountKey, {
        name: 'Boulangerie Martin',
        description: 'Commandes et retraits en boutique',
        logo_url: 'https://cdn.example.fr/logo.png',
        banner_url: 'https://cdn.example.fr/banner.png',
        brand_color: '#0b78d0',
        phone: '+33145678900',
        privacy_url: 'https://example.fr/privacy',
        terms_url: 'https://example.fr/terms',
        channels: ['rcs'],
        carriers: ['orange-fr'],
      });
      expect(agent.status).toBe(201);
      const forAccount = await until(() => {
        const found = accountReceiver.deliveries();
        // Two resources, two lanes: either may arrive first.
        expect(found.map((r) => `${r.body.type}:${r.body.state}`).sort()).toEqual([
          'AGENT_STATUS:pending_verification',
          'TEST:registered',
        ]);
        return found;
      });
      expect(forAccount.find((r) => r.body.type === 'AGENT_STATUS')?.body.id).toBe(agent.body.data.id);
      expect(receiver.deliveries().filter((r) => r.body.type === 'AGENT_STATUS')).toHaveLength(0);
    } finally {
      await receiver.close();
      await accountReceiver.close();
    }
  });
});

describe('delivery', () => {
  it('retries a callback the receiver refused, with the same webhook-id, and logs each attempt', async () => {
    const receiver = await startCallbackReceiver('/events', (n) => (n <= 2 ? 503 : 200));
    try {
      const { key } = await partnerWithKey(t, 'Flaky receiver partner');
      expect((await call('POST', '/system/callback', key, { url: receiver.url })).status).toBe(201);
      await until(() => expect(receiver.deliveries()).toHaveLength(3));
      const ids = new Set(receiver.deliveries().map((r) => r.headers['webhook-id']));
      expect(ids.size).toBe(1);
      const log = await until(async () => {
        const answer = await call<DeliveryView[]>('GET', '/system/callback/deliveries', key);
        expect(answer.body.data.map((d) => d.status)).toEqual(['delivered', 'retrying', 'retrying']);
        return answer.body.data;
      });
      expect(log.map((d) => d.attempt)).toEqual([3, 2, 1]);
      expect(log[2]).toMatchObject({ http_status: 503, body: { type: 'TEST' } });
    } finally {
      await receiver.close();
    }
  });
});

describe('transitions through the API', () => {
  it('company: reject with a reason; verify → suspend → reinstate; refused moves answer 409 with the state', async () => {
    const rejected = await call('POST', '/client/company', partner.key, COMPANY);
    const rejectedId = rejected.body.data.id;
    const noReason = await call('POST', `/client/company/${rejectedId}/reject`, ADMIN_KEY, {});
    expect(noReason.status).toBe(400);
    expect(noReason.body.meta.field).toBe('reason');
    const refused = await call('POST', `/client/company/${rejectedId}/reject`, ADMIN_KEY, { reason: 'Unknown SIRET' });
    expect(refused.body.data).toMatchObject({ state: 'rejected', reason: 'Unknown SIRET' });
    const late = await call('POST', `/client/company/${rejectedId}/verify`, ADMIN_KEY);
    expect(late.status).toBe(409);
    expect(late.body.meta.error).toBe('invalid_transition');
    expect(late.body.meta.message).toContain("Current state: 'rejected'");

    const id = await verifiedCompany(partner.key);
    expect((await call('POST', `/client/company/${id}/reinstate`, ADMIN_KEY)).status).toBe(409);
    const suspended = await call('POST', `/client/company/${id}/suspend`, ADMIN_KEY, { reason: 'Complaints' });
    expect(suspended.body.data.state).toBe('suspended');
    // A suspended company gets no new account.
    const blocked = await call('POST', '/system/account', partner.key, { company_id: id, owner: owner('a@b.fr') });
    expect(blocked.status).toBe(409);
    expect(blocked.body.meta.message).toContain("Current state: 'suspended'");
    const back = await call('POST', `/client/company/${id}/reinstate`, ADMIN_KEY);
    expect(back.body.data.state).toBe('verified');
    // The legal identity is frozen once verified; contact details are not.
    const legal = await call('PUT', `/client/company/${id}`, partner.key, { legal_name: 'Autre SARL' });
    expect(legal.status).toBe(409);
    const contact = await call('PUT', `/client/company/${id}`, partner.key, { phone: '+33 6 12 34 56 78' });
    expect(contact.body.data.phone).toBe('+33612345678');
    const history = await call<CompanyView & { history: HistoryEntry[] }>('GET', `/client/company/${id}`, partner.key);
    expect(history.body.data.history.map((h) => h.state)).toEqual([
      'pending_verification',
      'verified',
      'suspended',
      'verified',
    ]);
  });

  it('account: without activation verify → active; suspend (keys and logins 403) → reinstate → close; reject', async () => {
    const companyId = await verifiedCompany(partner.key);
    const created = await call<AccountView & { api_key: string }>('POST', '/system/account', partner.key, {
      company_id: companyId,
      owner: owner('direct@boulangerie-martin.fr'),
      activation_required: false,
    });
    const id = created.body.data.id;
    const key = created.body.data.api_key;
    // Only the platform verifies.
    expect((await call('POST', `/system/account/${id}/verify`, partner.key)).status).toBe(403);
    const active = await call<AccountView>('POST', `/system/account/${id}/verify`, ADMIN_KEY);
    expect(active.body.data.state).toBe('active');
    expect(active.body.data.owner.operator_id).toEqual(expect.any(Number));
    expect((await call('GET', '/api/2/website', key)).status).toBe(200);
    expect((await call('POST', `/system/account/${id}/reinstate`, partner.key)).status).toBe(409);

    const suspended = await call('POST', `/system/account/${id}/suspend`, partner.key, { reason: 'Unpaid' });
    expect(suspended.body.data.state).toBe('suspended');
    // The key verified a moment ago is refused at once (its cached principal was forgotten).
    const refused = await call('GET', '/api/2/website', key);
    expect(refused.status).toBe(403);
    expect(refused.body.meta.message).toContain("'suspended'");

    const back = await call('POST', `/system/account/${id}/reinstate`, partner.key);
    expect(back.body.data.state).toBe('active');
    expect((await call('GET', '/api/2/website', key)).status).toBe(200);
    const closed = await call('DELETE', `/system/account/${id}`, partner.key);
    expect(closed.body.data.state).toBe('closed');
    expect((await call('GET', '/api/2/website', key)).status).toBe(403);
    const final = await call('POST', `/system/account/${id}/reinstate`, partner.key);
    expect(final.status).toBe(409);
    expect(final.body.meta.message).toContain("Current state: 'closed'");

    const other = await call('POST', '/system/account', partner.key, {
      company_id: companyId,
      owner: owner('rejected@boulangerie-martin.fr'),
    });
    const rejected = await call('POST', `/system/account/${other.body.data.id}/reject`, ADMIN_KEY, {
      reason: 'Owner unknown to the company',
    });
    expect(rejected.body.data).toMatchObject({ state: 'rejected', reason: 'Owner unknown to the company' });
    expect((await call('POST', `/system/account/${other.body.data.id}/verify`, ADMIN_KEY)).status).toBe(409);
  });

  it('account: closes from every state but closed, each change announced as messaging.account_status', async () => {
    const companyId = await verifiedCompany(partner.key);
    const paths: Record<string, Array<[string, string]>> = {
      pending_verification: [],
      pending_activation: [['verify', 'pending_activation']],
      rejected: [['reject', 'rejected']],
      // Without activation, verify makes it active at once.
      suspended: [
        ['verify', 'active'],
        ['suspend', 'suspended'],
      ],
    };
    for (const [from, steps] of Object.entries(paths)) {
      const created = await call<AccountView>('POST', '/system/account', partner.key, {
        company_id: companyId,
        owner: owner(`close-${from}@boulangerie-martin.fr`),
        activation_required: from !== 'suspended',
      });
      const id = created.body.data.id;
      for (const [decision, expected] of steps) {
        const answer = await call('POST', `/system/account/${id}/${decision}`, ADMIN_KEY, { reason: 'test' });
        expect(answer.body.data.state).toBe(expected);
      }
      const before = (await call('GET', `/system/account/${id}`, partner.key)).body.data.state;
      expect(before).toBe(from);
      const closed = await call('POST', `/system/account/${id}/close`, partner.key);
      expect(closed.body.data.state, from).toBe('closed');
      const events = await t.store.db
        .selectFrom('event')
        .select('payload')
        .where('type', '=', 'messaging.account_status')
        .where('subject_id', '=', id)
        .orderBy('id')
        .execute();
      const last = JSON.parse(events.at(-1)?.payload ?? '{}');
      expect(last).toMatchObject({ state: 'closed', previousState: from, owner: { kind: 'partner' } });
    }
  });

  it('a suspended account refuses its owner’s login and session with 403', async () => {
    const email = 'login@boulangerie-martin.fr';
    const { id, token } = await awaitingActivation(email);
    expect((await call('POST', '/activation', undefined, { token, password: 'pain-au-chocolat' })).status).toBe(200);
    const session = await call<{ token: string }>('POST', '/auth/login', undefined, {
      email,
      password: 'pain-au-chocolat',
    });
    expect(session.status).toBe(200);
    await call('POST', `/system/account/${id}/suspend`, ADMIN_KEY, { reason: 'Review' });
    const login = await call('POST', '/auth/login', undefined, { email, password: 'pain-au-chocolat' });
    expect(login.status).toBe(403);
    expect(login.body.meta.error).toBe('account_not_active');
    const reused = await call('GET', '/api/2/operator', undefined, undefined, {
      authorization: `Bearer ${session.body.data.token}`,
    });
    expect(reused.status).toBe(403);
  });

  it('an expired or renewed link no longer opens the account', async () => {
    const email = 'renew@boulangerie-martin.fr';
    const { id, token: firstToken } = await awaitingActivation(email);
    expect((await call('POST', `/system/account/${id}/activation`, partner.key)).status).toBe(200);
    const [, secondMail] = await mailbox.mailsTo(email, 2);
    const secondToken = tokenOf(linkIn(secondMail?.raw ?? ''));
    expect(secondToken).not.toBe(firstToken);
    expect(
      (await call('POST', '/activation', undefined, { token: firstToken, password: 'baguette-tradition' })).status,
    ).toBe(404);
    // Past its 72 hours.
    await t.store.db
      .updateTable('messaging_account')
      .set({ activation_expires_at: new Date(Date.now() - 1000).toISOString() })
      .where('id', '=', id)
      .execute();
    const expired = await call('POST', '/activation', undefined, {
      token: secondToken,
      password: 'baguette-tradition',
    });
    expect(expired.status).toBe(410);
    expect(expired.body.meta.error).toBe('activation_link_expired');
    expect((await call('GET', `/system/account/${id}`, partner.key)).body.data.state).toBe('pending_activation');
  });
});

describe('Idempotency-Key, isolation, scopes and bad input', () => {
  it('a repeated POST with the same key answers the first result and creates nothing', async () => {
    const headers = { 'idempotency-key': 'company-42' };
    const first = await call<CompanyView>('POST', '/client/company', partner.key, COMPANY, headers);
    const second = await call('POST', '/client/company', partner.key, COMPANY, headers);
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body.data.id).toBe(first.body.data.id);
    const count = await t.store.db
      .selectFrom('messaging_company')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('created_at', '=', first.body.data.created_at)
      .executeTakeFirstOrThrow();
    expect(Number(count.count)).toBe(1);
    const reused = await call('POST', '/client/company', partner.key, { ...COMPANY, trade_name: 'Autre' }, headers);
    expect(reused.status).toBe(409);
    // An answer that showed a secret once repeats without it: the API key is not kept in clear for repeats.
    const companyId = await verifiedCompany(partner.key);
    const accountBody = { company_id: companyId, owner: owner('repeat@boulangerie-martin.fr') };
    const once = await call<AccountView & { api_key: string }>('POST', '/system/account', partner.key, accountBody, {
      'idempotency-key': 'account-1',
    });
    const twice = await call('POST', '/system/account', partner.key, accountBody, { 'idempotency-key': 'account-1' });
    expect(once.body.data.api_key).toMatch(/\S{20,}/);
    expect(twice.status).toBe(201);
    expect(twice.body.data).toMatchObject({
      id: once.body.data.id,
      client_id: once.body.data.client_id,
      api_key: null,
    });
    const kept = await t.store.db.selectFrom('messaging_idempotency').select('answer').execute();
    expect(kept.some((row) => row.answer?.includes(once.body.data.api_key))).toBe(false);
    const accounts = await call('GET', `/system/account?company_id=${companyId}`, partner.key);
    expect(accounts.body.pagination.count).toBe(1);
    // Another partner's key space is its own.
    const theirs = await call('POST', '/client/company', other.key, COMPANY, headers);
    expect(theirs.status).toBe(201);
    expect(theirs.body.data.id).not.toBe(first.body.data.id);
  });

  it("a partner cannot see or touch another partner's companies and accounts (404)", async () => {
    const companyId = await verifiedCompany(partner.key);
    const account = await call('POST', '/system/account', partner.key, {
      company_id: companyId,
      owner: owner('isolated@boulangerie-martin.fr'),
    });
    expect((await call('GET', `/client/company/${companyId}`, other.key)).status).toBe(404);
    expect((await call('PUT', `/client/company/${companyId}`, other.key, { sector: 'x' })).status).toBe(404);
    expect((await call('GET', `/system/account/${account.body.data.id}`, other.key)).status).toBe(404);
    expect((await call('DELETE', `/system/account/${account.body.data.id}`, other.key)).status).toBe(404);
    const borrowed = await call('POST', '/system/account', other.key, {
      company_id: companyId,
      owner: owner('x@y.fr'),
    });
    expect(borrowed.status).toBe(404);
    expect(borrowed.body.meta.field).toBe('company_id');
    const theirs = await call<CompanyView[]>('GET', '/client/company?limit=100', other.key);
    expect(theirs.body.data.map((c) => c.id)).not.toContain(companyId);
    // The platform's verification queue sees every partner's.
    const queue = await call<CompanyView[]>('GET', '/client/company?state=verified&limit=100', ADMIN_KEY);
    expect(queue.body.data.map((c) => c.id)).toContain(companyId);
    expect(queue.body.data.every((c) => c.state === 'verified')).toBe(true);
  });

  it('answers 403 to the wrong scope', async () => {
    const client = await clientWithKey(t, 'Standard account');
    expect((await call('POST', '/client/company', client.key, COMPANY)).status).toBe(403);
    expect((await call('GET', '/system/account', client.key)).status).toBe(403);
    expect((await call('POST', '/system/callback', ADMIN_KEY, { url: 'https://example.com/x' })).status).toBe(403);
    expect((await call('GET', '/client/company', 'not-a-key')).status).toBe(403);
    expect((await call('GET', '/client/company', undefined)).status).toBe(403);
  });

  it('answers 400 naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...COMPANY, legal_identifier: '443 061 842' }, 'legal_identifier'],
      [{ ...COMPANY, legal_identifier: 'DE12345678', country: 'DE' }, 'legal_identifier'],
      [{ ...COMPANY, country: 'DE' }, 'legal_identifier'],
      [{ ...COMPANY, legal_identifier: 'DE123456789' }, 'legal_identifier'],
      [{ ...COMPANY, phone: '0145678900' }, 'phone'],
      [{ ...COMPANY, phone: '+33 1 23' }, 'phone'],
      [{ ...COMPANY, email: 'contact@' }, 'email'],
      [{ ...COMPANY, website: 'http://boulangerie-martin.fr' }, 'website'],
      [{ ...COMPANY, country: 'France' }, 'country'],
      [{ ...COMPANY, legal_name: '  ' }, 'legal_name'],
    ];
    for (const [body, field] of cases) {
      const answer = await call('POST', '/client/company', partner.key, body);
      expect(answer.status, field).toBe(400);
      expect(answer.body.meta.field, JSON.stringify(answer.body)).toBe(field);
    }
    const { legal_name: _, ...incomplete } = COMPANY;
    const missing = await call('POST', '/client/company', partner.key, incomplete);
    expect(missing.status).toBe(400);
    expect(missing.body.meta.message).toContain('legal_name');

    const greek = await call('POST', '/client/company', partner.key, {
      ...COMPANY,
      legal_identifier: 'EL123456789',
      country: 'GR',
    });
    expect(greek.body.data).toMatchObject({ identifier_kind: 'vat', legal_identifier: 'EL123456789' });

    const companyId = await verifiedCompany(partner.key);
    const badOwner = await call('POST', '/system/account', partner.key, {
      company_id: companyId,
      owner: { ...owner('ok@example.fr'), phone: '12' },
    });
    expect(badOwner.body.meta.field).toBe('owner.phone');
    const badZone = await call('POST', '/system/account', partner.key, {
      company_id: companyId,
      owner: { ...owner('ok@example.fr'), timezone: 'Mars/Olympus' },
    });
    expect(badZone.body.meta.field).toBe('owner.timezone');

    const plain = await call('POST', '/system/callback', partner.key, { url: 'http://partner.example.com/hook' });
    expect(plain.status).toBe(400);
    expect(plain.body.meta.field).toBe('url');
    expect(plain.body.meta.message).toContain('https');
    const privateUrl = await call('POST', '/system/callback', other.key, { url: 'https://10.0.0.8/hook' });
    expect(privateUrl.body.meta.field).toBe('url');
  });
});

describe('without SMTP, with auto-verification', () => {
  it('verifies at once and puts the activation link in the ACCOUNT_STATUS callback', async () => {
    const auto = await startTestApp({ webhookTimeScale: 0.001, messagingAutoVerify: true });
    const receiver = await startCallbackReceiver('/events');
    try {
      const autoCall = makeCall(auto);
      const { key } = await partnerWithKey(auto, 'Auto partner');
      expect((await autoCall('POST', '/system/callback', key, { url: receiver.url })).status).toBe(201);
      const company = await autoCall<CompanyView>('POST', '/client/company', key, COMPANY);
      expect(company.body.data.state).toBe('verified');
      const account = await autoCall<AccountView & { api_key: string }>('POST', '/system/account', key, {
        company_id: company.body.data.id,
        owner: owner('auto@boulangerie-martin.fr'),
      });
      expect(account.body.data.state).toBe('pending_activation');
      const pending = await until(() => {
        const found = receiver
          .deliveries()
          .find((r) => r.body.type === 'ACCOUNT_STATUS' && r.body.state === 'pending_activation');
        if (found === undefined) throw new Error('not yet');
        return found;
      });
      const { activation } = pending.body.data as { activation: { link: string } };
      const link = new URL(activation.link);
      const token = tokenOf(link.href);
      const done = await autoCall('POST', link.pathname, undefined, { token, password: 'chausson-aux-pommes' });
      expect(done.body.data.state).toBe('active');
      expect((await autoCall('GET', '/api/2/website', account.body.data.api_key)).status).toBe(200);
      // Callbacks keep their order per resource (a lane each); the company's and the account's may interleave.
      const statesOf = (type: string) =>
        receiver
          .deliveries()
          .filter((r) => r.body.type === type)
          .map((r) => r.body.state);
      await until(() => {
        expect(statesOf('TEST')).toEqual(['registered']);
        expect(statesOf('COMPANY_STATUS')).toEqual(['pending_verification', 'verified']);
        expect(statesOf('ACCOUNT_STATUS')).toEqual(['pending_verification', 'pending_activation', 'active']);
        expect(receiver.deliveries()).toHaveLength(6);
      });
      // Removing the callback stops deliveries.
      expect((await autoCall('DELETE', '/system/callback', key)).status).toBe(200);
      expect((await autoCall('GET', '/system/callback', key)).status).toBe(404);
    } finally {
      await receiver.close();
      await auto.close();
    }
  });
});
