// A test app listening on a real port whose PUBLIC_URL is that port, so providers' signed webhooks (Twilio signs the
// full URL) reach it as they would in production; outbound calls may reach loopback fakes.
import type { FakeProvider } from '@causerie/test-support/fakes/http';
import { freePort } from '@causerie/test-support/processes';
import { channelRuntime } from '../channels/runtime.js';
import { clientWithKey, startTestApp, type TestApp } from './harness.js';

export interface ChannelTestSetup {
  t: TestApp;
  publicUrl: string;
  key: string;
  clientId: number;
  websiteId: number;
  operatorId: number;
}

/** App + client + website + operator (linked to the website), listening on 127.0.0.1. */
export async function startChannelApp(): Promise<ChannelTestSetup> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const t = await startTestApp({ publicUrl, outboundAllowlist: '127.0.0.0/8,::1' });
  await t.app.listen({ port, host: '127.0.0.1' });
  const { clientId, key } = await clientWithKey(t, 'Channels SARL');
  const website = await t.api('POST', '/website', {
    key,
    json: { label: 'Boutique', url: 'https://boutique.example' },
  });
  if (website.status !== 200) throw new Error(`website: ${JSON.stringify(website.body)}`);
  const websiteId = Number(website.body.data.id);
  const operator = await t.api('POST', '/operator', {
    key,
    json: { name: 'Agent Smith', email: `agent-${port}@example.com`, website_list: [websiteId] },
  });
  if (operator.status !== 200) throw new Error(`operator: ${JSON.stringify(operator.body)}`);
  return { t, publicUrl, key, clientId, websiteId, operatorId: Number(operator.body.data.id) };
}

export { eventually } from '@causerie/test-support/wait';

/**
 * Connects a channel of the setup's website to a fake provider (its base URL), and points the fake's webhooks at the
 * channel's `webhook_url`; answers the channel's id.
 */
export async function connectFake(
  s: ChannelTestSetup,
  fake: FakeProvider,
  json: { type: 'whatsapp' | 'sms' | 'rcs'; credentials: Record<string, string>; send_rate?: number },
): Promise<number> {
  const created = await s.t.api('POST', '/channel', {
    key: s.key,
    json: { ...json, website_id: s.websiteId, base_url: fake.url },
  });
  if (created.status !== 200) throw new Error(`channel: ${JSON.stringify(created.body)}`);
  fake.webhookUrl = String(created.body.data.webhook_url);
  return Number(created.body.data.id);
}

/** Ends a channel test: the fakes' webhooks delivered and processed, then the fakes and the app stopped. */
export async function closeChannelTest(s: ChannelTestSetup, ...fakes: FakeProvider[]): Promise<void> {
  for (const fake of fakes) await fake.settle();
  await channelsSettled(s.t);
  for (const fake of fakes) await fake.stop();
  await s.t.close();
}

/**
 * Waits until the channel loops of the app are idle and no stored payload waits (a payload stored between two passes
 * is otherwise taken by the next poll, a quarter of a second later).
 */
export async function channelsSettled(t: TestApp): Promise<void> {
  const deadline = Date.now() + 5000;
  for (;;) {
    await channelRuntime(t.context).settled();
    const now = new Date().toISOString();
    const waiting = await t.store.db
      .selectFrom('channel_inbound')
      .select('id')
      .where('processed_at', 'is', null)
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
      .executeTakeFirst();
    if (waiting === undefined || Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
