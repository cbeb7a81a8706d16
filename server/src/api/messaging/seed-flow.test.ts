// Issue 19's "Done when": seed 000's flowcharts end to end, on SQLite and PostgreSQL (TEST_DATABASE_URL). A partner
// registers its callback → submits a company → the platform verifies it → the partner creates an account → the owner
// activates it from the mailed link (a real SMTP server) → the account registers its own callback → creates a chat
// environment that one carrier launches and another rejects (the fake Google RBM server) → registers a tester who
// accepts. Each step waits for its callbacks: every one received by a real receiver that checks both signature
// schemes, exactly once, in the order of the states (type, id, state, previous_state).
import type { FakeRbm } from '@causerie/test-support/fakes/rbm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, partnerWithKey, startTestApp, type TestApp } from '../../test/harness.js';
import {
  type AccountView,
  type AgentView,
  type CallbackReceiver,
  type CallbackView,
  type CompanyView,
  linkIn,
  Mailbox,
  messagingCaller,
  signaturesOf,
  startCallbackReceiver,
  startFakeRbm,
  type TesterView,
  tokenOf,
  until,
} from '../../test/messaging.js';

const TESTER_PHONE = '+33612345678';
const OWNER_EMAIL = 'claire@boulangerie-martin.fr';
const PASSWORD = 'croissant-du-matin';

/** One callback as the seed's flowcharts name it: which resource, which state, from which. */
type Step = [type: string, id: number, state: string, previousState: string | null];

let t: TestApp;
let mailbox: Mailbox;
let fake: FakeRbm;
let partnerReceiver: CallbackReceiver;
let accountReceiver: CallbackReceiver;
let partnerKey: string;
const call = messagingCaller(() => t.app);

/** What the flow has made so far, step by step. */
const flow = {
  partnerCallbackId: 0,
  partnerSecret: '',
  companyId: 0,
  accountId: 0,
  accountKey: '',
  accountCallbackId: 0,
  accountSecret: '',
  agentId: 0,
  rbmAgent: '',
  testerId: 0,
};

/** The callbacks each owner has had so far, in order: each step adds its own. */
const heard = new Map<CallbackReceiver, Step[]>();

/**
 * Waits until `receiver` has received what it had before and then `next`, exactly and in this order (a missing,
 * extra or out-of-order callback fails).
 */
async function expectNext(receiver: CallbackReceiver, ...next: Step[]): Promise<void> {
  const expected = [...(heard.get(receiver) ?? []), ...next];
  heard.set(receiver, expected);
  await until(() =>
    expect(
      receiver.deliveries().map(({ body }): Step => [body.type, body.id, body.state, body.previous_state]),
    ).toEqual(expected),
  );
}

beforeAll(async () => {
  mailbox = await new Mailbox().start();
  const rbm = await startFakeRbm([TESTER_PHONE]);
  fake = rbm.fake;
  t = await startTestApp({ ...rbm.overrides, smtpUrl: mailbox.url });
  partnerKey = (await partnerWithKey(t, 'Bi-way')).key;
  partnerReceiver = await startCallbackReceiver('/partner/events');
  accountReceiver = await startCallbackReceiver('/account/events');
});

afterAll(async () => {
  await t?.close();
  await partnerReceiver?.close();
  await accountReceiver?.close();
  await mailbox?.close();
  await fake?.stop();
});

describe('seed 000, end to end', () => {
  it('1. the partner registers its callback URL and receives the TEST event', async () => {
    const registered = await call<CallbackView & { secret: string }>('POST', '/system/callback', partnerKey, {
      url: partnerReceiver.url,
    });
    expect(registered.status).toBe(201);
    expect(registered.body.data.owner.kind).toBe('partner');
    flow.partnerSecret = registered.body.data.secret;
    partnerReceiver.trust(flow.partnerSecret);
    flow.partnerCallbackId = registered.body.data.id;
    await expectNext(partnerReceiver, ['TEST', flow.partnerCallbackId, 'registered', null]);
  });

  it('2. the partner submits a company: pending_verification', async () => {
    const company = await call<CompanyView>('POST', '/client/company', partnerKey, {
      legal_name: 'Boulangerie Martin SARL',
      trade_name: 'Boulangerie Martin',
      legal_identifier: '443 061 841 00047',
      address: '12 rue de la Paix, 75002 Paris',
      country: 'FR',
      website: 'https://boulangerie-martin.fr',
      email: 'contact@boulangerie-martin.fr',
      phone: '+33 1 45 67 89 00',
    });
    expect(company.status).toBe(201);
    expect(company.body.data).toMatchObject({ state: 'pending_verification', identifier_kind: 'siret' });
    flow.companyId = company.body.data.id;
    await expectNext(partnerReceiver, ['COMPANY_STATUS', flow.companyId, 'pending_verification', null]);
  });

  it('3. a platform administrator verifies it: verified', async () => {
    // The partner may not verify its own company.
    expect((await call('POST', `/client/company/${flow.companyId}/verify`, partnerKey)).status).toBe(403);
    const verified = await call<CompanyView>('POST', `/client/company/${flow.companyId}/verify`, ADMIN_KEY);
    expect(verified.body.data.state).toBe('verified');
    await expectNext(partnerReceiver, ['COMPANY_STATUS', flow.companyId, 'verified', 'pending_verification']);
  });

  it('4. the partner creates an account for the company: pending_verification, its key refused until active', async () => {
    const account = await call<AccountView & { api_key: string }>('POST', '/system/account', partnerKey, {
      company_id: flow.companyId,
      owner: { name: 'Claire Martin', email: OWNER_EMAIL, phone: '+33612345678', locale: 'fr-FR' },
      activation_required: true,
    });
    expect(account.status).toBe(201);
    expect(account.body.data.state).toBe('pending_verification');
    flow.accountId = account.body.data.id;
    flow.accountKey = account.body.data.api_key;
    const refused = await call('POST', '/system/callback', flow.accountKey, { url: accountReceiver.url });
    expect(refused.status).toBe(403);
    expect(refused.body.meta.error).toBe('account_not_active');
    await expectNext(partnerReceiver, ['ACCOUNT_STATUS', flow.accountId, 'pending_verification', null]);
  });

  it('5. the platform verifies the account and its owner activates it from the mailed link', async () => {
    const verified = await call<AccountView>('POST', `/system/account/${flow.accountId}/verify`, ADMIN_KEY);
    expect(verified.body.data.state).toBe('pending_activation');
    const [mail] = await mailbox.mailsTo(OWNER_EMAIL);
    const link = linkIn(mail?.raw ?? '');
    const page = await t.app.inject({ method: 'GET', url: new URL(link).pathname });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<form id="activation">');
    const activated = await call<{ state: string; operator_id: number }>('POST', new URL(link).pathname, undefined, {
      token: tokenOf(link),
      password: PASSWORD,
    });
    expect(activated.status).toBe(200);
    expect(activated.body.data.state).toBe('active');
    const login = await call<{ token: string }>('POST', '/auth/login', undefined, {
      email: OWNER_EMAIL,
      password: PASSWORD,
    });
    expect(login.status).toBe(200);
    await expectNext(
      partnerReceiver,
      ['ACCOUNT_STATUS', flow.accountId, 'pending_activation', 'pending_verification'],
      ['ACCOUNT_STATUS', flow.accountId, 'active', 'pending_activation'],
    );
    // The link was mailed, so the callback says where, not what.
    const pending = partnerReceiver.deliveries()[4];
    expect(pending?.body.data).toMatchObject({ activation: { mailed_to: OWNER_EMAIL } });
    expect(pending?.raw).not.toContain('#token=');
    expect(partnerReceiver.deliveries()[5]?.body.data).toMatchObject({
      owner_operator_id: activated.body.data.operator_id,
    });
  });

  it('6. the account (its client key, now active) registers its own callback', async () => {
    const registered = await call<CallbackView & { secret: string }>('POST', '/system/callback', flow.accountKey, {
      url: accountReceiver.url,
    });
    expect(registered.status).toBe(201);
    expect(registered.body.data.owner.kind).toBe('client');
    flow.accountSecret = registered.body.data.secret;
    expect(flow.accountSecret).not.toBe(flow.partnerSecret);
    accountReceiver.trust(flow.accountSecret);
    flow.accountCallbackId = registered.body.data.id;
    // The partner's callback is unchanged.
    expect((await call<CallbackView>('GET', '/system/callback', partnerKey)).body.data.url).toBe(partnerReceiver.url);
    await expectNext(accountReceiver, ['TEST', flow.accountCallbackId, 'registered', null]);
  });

  it('7. the account creates a chat environment: one carrier launches it, another rejects it', async () => {
    const created = await call<AgentView>('POST', '/chatbot/agent', flow.accountKey, {
      name: 'Boulangerie Martin',
      description: 'Commandes et retraits en boutique',
      logo_url: 'https://cdn.example.fr/logo.png',
      banner_url: 'https://cdn.example.fr/banner.png',
      brand_color: '#0b78d0',
      phone: '+33145678900',
      privacy_url: 'https://boulangerie-martin.fr/confidentialite',
      terms_url: 'https://boulangerie-martin.fr/cgu',
      channels: ['rcs'],
      carriers: ['orange-fr', 'sfr-fr'],
    });
    expect(created.status).toBe(201);
    expect(created.body.data.state).toBe('pending_verification');
    flow.agentId = created.body.data.id;
    // Submitted to the carriers through Google: brand, agent, then the launch request on both.
    flow.rbmAgent = await until(async () => {
      const read = await call<AgentView>('GET', `/chatbot/agent/${flow.agentId}`, flow.accountKey);
      expect(read.body.data.registration.launch_requested).toBe(true);
      return read.body.data.registration.agent ?? '';
    });
    expect(Object.keys(fake.management.launches.get(flow.rbmAgent)?.launchDetails ?? {})).toEqual([
      '/v1/regions/orange-fr',
      '/v1/regions/sfr-fr',
    ]);

    fake.management.setLaunchState(flow.rbmAgent, 'orange-fr', 'LAUNCH_STATE_LAUNCHED');
    await expectNext(
      accountReceiver,
      ['AGENT_STATUS', flow.agentId, 'pending_verification', null],
      ['AGENT_STATUS', flow.agentId, 'active', 'pending_verification'],
    );
    fake.management.setLaunchState(flow.rbmAgent, 'sfr-fr', 'LAUNCH_STATE_REJECTED', 'Use case refused');
    await expectNext(accountReceiver, ['AGENT_STATUS', flow.agentId, 'active', 'active']);
    const [, , launched, rejected] = accountReceiver.deliveries();
    expect(launched?.body.data).toMatchObject({ carrier: 'orange-fr', carrierState: 'launched' });
    expect(rejected?.body).toMatchObject({
      reason: 'Use case refused',
      data: {
        carrier: 'sfr-fr',
        carrierState: 'rejected',
        carriers: { 'orange-fr': 'launched', 'sfr-fr': 'rejected' },
      },
    });
    const read = await call<AgentView>('GET', `/chatbot/agent/${flow.agentId}`, flow.accountKey);
    expect(read.body.data.state).toBe('active');
    expect(read.body.data.carriers.map((row) => [row.carrier, row.state])).toEqual([
      ['orange-fr', 'launched'],
      ['sfr-fr', 'rejected'],
    ]);
  });

  it('8. the account registers an RCS tester, who accepts the invitation', async () => {
    const tester = await call<TesterView>('POST', '/messenger/rcs-tester', flow.accountKey, {
      agent_id: flow.agentId,
      phone: TESTER_PHONE,
    });
    expect(tester.status).toBe(201);
    expect(tester.body.data.state).toBe('invite_pending');
    flow.testerId = tester.body.data.id;
    // Google sends the invitation to the device; the tester answers it there.
    await until(async () => {
      const read = await call<TesterView>('GET', `/messenger/rcs-tester/${flow.testerId}`, flow.accountKey);
      expect(read.body.data.invited_at).not.toBeNull();
    });
    fake.management.answerInvitation(flow.rbmAgent.split('/').pop() ?? '', TESTER_PHONE, 'ACCEPTED');
    await expectNext(
      accountReceiver,
      ['TESTER_STATUS', flow.testerId, 'invite_pending', null],
      ['TESTER_STATUS', flow.testerId, 'accepted', 'invite_pending'],
    );
    expect(accountReceiver.deliveries().at(-1)?.body.data).toMatchObject({
      agentId: flow.agentId,
      phone: TESTER_PHONE,
    });
    const read = await call<TesterView>('GET', `/messenger/rcs-tester/${flow.testerId}`, flow.accountKey);
    expect(read.body.data.state).toBe('accepted');
  });

  it('every callback was received once, signed both ways with its owner’s secret, nothing crossed owners', async () => {
    for (const receiver of [partnerReceiver, accountReceiver]) {
      const deliveries = receiver.deliveries();
      for (const delivery of deliveries) {
        expect(delivery.signed, `${delivery.body.type} ${delivery.body.state}`).toEqual({
          standard: true,
          causerie: true,
        });
        expect(Object.keys(delivery.body).sort()).toEqual([
          'at',
          'data',
          'id',
          'previous_state',
          'reason',
          'state',
          'type',
        ]);
      }
      // Each delivered once: no retry, no replay.
      expect(new Set(deliveries.map((delivery) => delivery.headers['webhook-id'])).size).toBe(deliveries.length);
    }
    expect(partnerReceiver.deliveries()).toHaveLength(6);
    expect(accountReceiver.deliveries()).toHaveLength(6);
    // The partner's delivery log shows the same six, delivered (once the worker has recorded the last 2xx, which can
    // come a moment after the receiver has the body).
    await until(async () => {
      const log = await call<unknown[]>('GET', '/system/callback/deliveries?status=delivered', partnerKey);
      expect(log.body.pagination.count).toBe(6);
    });
    // Signed with the owner's own secret: the other owner's does not verify them (the check above can fail).
    for (const delivery of partnerReceiver.deliveries())
      expect(signaturesOf(flow.accountSecret, { headers: delivery.headers, body: delivery.raw })).toEqual({
        standard: false,
        causerie: false,
      });
  });
});
