// What the messaging API's tests share (issue 19): typed calls to /api/messaging, a real SMTP mailbox and the
// activation link of its mails, callback receivers that check both signature schemes of every delivery, the fake RBM
// server with its service account, and a retrying wait that answers a value.
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { FakeRbm, type FakeRbmOptions } from '@causerie/test-support/fakes/rbm';
import { quotedPrintableText } from '@causerie/test-support/mailbox';
import { type Received, startReceiver } from '@causerie/test-support/webhook-receiver';
import type { FastifyInstance } from 'fastify';
import { Webhook } from 'standardwebhooks';
import type { Config } from '../config.js';
import type { CallbackBody } from '../webhooks/callbacks.js';

export type { AgentView, TesterView } from '../api/messaging/agents.js';
export type { AccountView, CallbackView, CompanyView, DeliveryView } from '../api/messaging/partner.js';

/** One answer of /api/messaging: the v2 envelope, `data` of the shape the caller names. */
export interface MessagingAnswer<T> {
  status: number;
  body: {
    meta: { status: string; error?: string; message?: string; field?: string };
    data: T;
    pagination: { page: number; limit: number; count: number; pages: number };
  };
}

/** One row of a resource's state history (`GET /client/company/{id}`, `/system/account/{id}`). */
export interface HistoryEntry {
  state: string;
  previous_state: string | null;
  reason: string | null;
  at: string;
}

/** An answer's `data` when the test reads nothing of it. */
export type Unread = Record<string, unknown>;

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * A caller of `/api/messaging{path}` (paths under /api/ or /auth/ as given) on `app()` — a function, so a test that
 * restarts the app keeps its caller. The key goes in `X-API-Key`, or in `Authorization: Bearer` with `bearer`.
 */
export function messagingCaller(app: () => FastifyInstance, options: { bearer?: boolean } = {}) {
  return async <T = Unread>(
    method: Method,
    path: string,
    key: string | undefined,
    json?: unknown,
    headers: Record<string, string> = {},
  ): Promise<MessagingAnswer<T>> => {
    const response = await app().inject({
      method,
      url: path.startsWith('/api/') || path.startsWith('/auth/') ? path : `/api/messaging${path}`,
      headers: {
        ...(key !== undefined && (options.bearer ? { authorization: `Bearer ${key}` } : { 'x-api-key': key })),
        ...(json !== undefined && { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(json !== undefined && { payload: JSON.stringify(json) }),
    });
    return { status: response.statusCode, body: response.json<MessagingAnswer<T>['body']>() };
  };
}

/** Retries `check` (assertions that throw until the server got there) and answers its value; its last failure after `timeoutMs`. */
export async function until<T>(check: () => Promise<T> | T, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}

export { Mailbox } from '@causerie/test-support/mailbox';

/** The activation link of a mail (its text may be quoted-printable: soft breaks and =XX escapes undone). */
export function linkIn(raw: string): string {
  const text = quotedPrintableText(raw);
  const link = /https?:\/\/\S+#token=[A-Za-z0-9_-]+/.exec(text)?.[0];
  if (link === undefined) throw new Error(`no activation link in the mail:\n${text}`);
  return link;
}

/** The one-time token of an activation link (it rides in the fragment). */
export const tokenOf = (link: string): string => new URLSearchParams(new URL(link).hash.slice(1)).get('token') ?? '';

/** One callback delivery as received: its raw body, parsed, and whether each signature scheme checked out. */
export interface Delivery {
  headers: Record<string, string>;
  raw: string;
  body: CallbackBody;
  /** Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`) and `X-Causerie-Signature`. */
  signed: { standard: boolean; causerie: boolean } | 'secret not known yet';
}

/** Whether `received` carries both signatures of `secret` over its exact body. */
export function signaturesOf(
  secret: string,
  received: Pick<Received, 'headers' | 'body'>,
): { standard: boolean; causerie: boolean } {
  let standard = true;
  try {
    new Webhook(secret).verify(received.body, {
      'webhook-id': received.headers['webhook-id'] ?? '',
      'webhook-timestamp': received.headers['webhook-timestamp'] ?? '',
      'webhook-signature': received.headers['webhook-signature'] ?? '',
    });
  } catch {
    standard = false;
  }
  const causerie =
    received.headers['x-causerie-signature'] ===
    `sha256=${createHmac('sha256', secret).update(received.body).digest('hex')}`;
  return { standard, causerie };
}

/**
 * A callback receiver on loopback (allow-listed for http in the tests) that checks the signatures of every delivery
 * with the secret its registration answered (`trust`); a delivery that came before (the TEST event races the
 * registration's answer) is checked then. Answers 200, or `answer(n)` for the n-th request.
 */
export async function startCallbackReceiver(path = '/events', answer: (n: number) => number = () => 200) {
  const receiver = await startReceiver(path);
  let secret: string | undefined;
  const signed: Array<Delivery['signed']> = [];
  receiver.respond = (received, n) => {
    signed[n - 1] = secret === undefined ? 'secret not known yet' : signaturesOf(secret, received);
    return { status: answer(n) };
  };
  return {
    url: receiver.url,
    /** The secret the registration answered: deliveries are checked with it from now on, and those before it. */
    trust(registered: string): void {
      secret = registered;
      receiver.received.forEach((received, index) => {
        if (signed[index] === 'secret not known yet') signed[index] = signaturesOf(registered, received);
      });
    },
    deliveries(): Delivery[] {
      return receiver.received.map((received, index) => ({
        headers: received.headers,
        raw: received.body,
        body: JSON.parse(received.body) as CallbackBody,
        signed: signed[index] ?? 'secret not known yet',
      }));
    },
    close: () => receiver.close(),
  };
}
export type CallbackReceiver = Awaited<ReturnType<typeof startCallbackReceiver>>;

/**
 * The fake Google RBM server, its service account registered, and the config that points the app at it. `sender`:
 * the agent an RCS channel of the account sends as (its credentials), when the test sends RCS messages too.
 */
export async function startFakeRbm(
  rcsEnabled: string[],
  sender: Partial<Pick<FakeRbmOptions, 'agentId' | 'accessToken' | 'clientToken' | 'silent'>> = {},
): Promise<{ fake: FakeRbm; overrides: Partial<Config> }> {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const fake = await new FakeRbm({ agentId: 'unused-agent', clientToken: 'unused', ...sender, rcsEnabled }).start();
  fake.registerServiceAccount('rbm-partner@causerie.iam.gserviceaccount.com', 'key-1', publicKey);
  const overrides = {
    rbmManagementUrl: fake.url,
    rbmServiceAccount: JSON.stringify({
      type: 'service_account',
      client_email: 'rbm-partner@causerie.iam.gserviceaccount.com',
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      private_key_id: 'key-1',
      token_uri: fake.tokenUrl,
    }),
    webhookTimeScale: 0.001,
  };
  return { fake, overrides };
}

/** A call to a running node's API with a key (JSON in and out). */
export async function nodeCall(base: string, method: string, path: string, key: string, body?: unknown) {
  const answer = await fetch(`${base}${path}`, {
    method,
    headers: { 'x-api-key': key, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  return { status: answer.status, body: (await answer.json()) as { data: Record<string, unknown> } };
}

/**
 * A client on a running node (`base`, platform key `adminKey`) set up to send as issue 20 describes: a website, an SMS
 * channel on the fake Twilio (whose webhooks then reach the channel), its callback on `receiver` (trusted), and an
 * active chat environment on that channel. Answers the client's key and the environment's id.
 */
export async function messengerSender(
  base: string,
  adminKey: string,
  twilio: { url: string; webhookUrl: string; options: { accountSid: string; authToken: string; numbers: string[] } },
  receiver: CallbackReceiver,
): Promise<{ key: string; agentId: number }> {
  const client = await nodeCall(base, 'POST', '/api/2/client', adminKey, { name: 'Messenger sender', lang: 'fr' });
  const clientId = Number(client.body.data.id);
  const minted = await nodeCall(base, 'POST', `/api/2/client/${clientId}/key`, adminKey, { name: 'messenger' });
  const key = String(minted.body.data.key);
  const website = await nodeCall(base, 'POST', '/api/2/website', key, {
    label: 'Boutique',
    url: 'https://boutique.example',
  });
  const channel = await nodeCall(base, 'POST', '/api/2/channel', key, {
    type: 'sms',
    website_id: Number(website.body.data.id),
    base_url: twilio.url,
    send_rate: 1000,
    credentials: {
      account_sid: twilio.options.accountSid,
      auth_token: twilio.options.authToken,
      from: twilio.options.numbers[0],
    },
  });
  if (channel.status !== 200) throw new Error(`channel: ${JSON.stringify(channel.body)}`);
  twilio.webhookUrl = String(channel.body.data.webhook_url);
  const registered = await nodeCall(base, 'POST', '/api/messaging/system/callback', key, { url: receiver.url });
  if (registered.status !== 201) throw new Error(`callback: ${JSON.stringify(registered.body)}`);
  receiver.trust(String(registered.body.data.secret));
  const agent = await nodeCall(base, 'POST', '/api/messaging/chatbot/agent', key, {
    name: 'Envois',
    description: 'Envois de messages',
    logo_url: 'https://cdn.example.fr/logo.png',
    banner_url: 'https://cdn.example.fr/banner.png',
    brand_color: '#0b78d0',
    privacy_url: 'https://example.fr/privacy',
    terms_url: 'https://example.fr/terms',
    channels: ['sms'],
    sms_channel_id: Number(channel.body.data.id),
  });
  if (agent.status !== 201) throw new Error(`environment: ${JSON.stringify(agent.body)}`);
  return { key, agentId: Number(agent.body.data.id) };
}

/** A chat environment sending by SMS on `smsChannelId`, once it is active (as `/chatbot/agent` makes one); its id. */
export async function smsEnvironment(
  call: ReturnType<typeof messagingCaller>,
  key: string,
  smsChannelId: number,
): Promise<number> {
  const agent = await call<{ id: number }>('POST', '/chatbot/agent', key, {
    name: 'Boulangerie Martin',
    description: 'Commandes et retraits en boutique',
    logo_url: 'https://cdn.example.fr/logo.png',
    banner_url: 'https://cdn.example.fr/banner.png',
    brand_color: '#0b78d0',
    privacy_url: 'https://example.fr/privacy',
    terms_url: 'https://example.fr/terms',
    channels: ['sms'],
    sms_channel_id: smsChannelId,
  });
  if (agent.status !== 201) throw new Error(`environment: ${JSON.stringify(agent.body)}`);
  const agentId = agent.body.data.id;
  await until(async () => {
    const read = await call<{ state: string }>('GET', `/chatbot/agent/${agentId}`, key);
    if (read.body.data.state !== 'active') throw new Error(`environment ${agentId} is ${read.body.data.state}`);
  });
  return agentId;
}

/** The MESSENGER_REPORT deliveries a receiver got, as the webhook-ids seen for each `send:state`. */
export function reportIdsByState(receiver: CallbackReceiver): Map<string, Set<string>> {
  const byState = new Map<string, Set<string>>();
  for (const delivery of receiver.deliveries()) {
    const body = delivery.body as unknown as { type: string; id: number; state: string };
    if (body.type !== 'MESSENGER_REPORT') continue;
    const ids = byState.get(`${body.id}:${body.state}`) ?? new Set<string>();
    ids.add(String(delivery.headers['webhook-id']));
    byState.set(`${body.id}:${body.state}`, ids);
  }
  return byState;
}
