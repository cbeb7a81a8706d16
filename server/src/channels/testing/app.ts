// A test app listening on a real port whose PUBLIC_URL is that port, so providers' signed webhooks (Twilio signs the
// full URL) reach it as they would in production; outbound calls may reach loopback fakes.
import { type TestApp, clientWithKey, startTestApp } from '../../test/harness.js';
import { freePort } from '../../test/processes.js';
import { channelRuntime } from '../runtime.js';

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
  const website = await t.api('POST', '/website', { key, json: { label: 'Boutique', url: 'https://boutique.example' } });
  if (website.status !== 200) throw new Error(`website: ${JSON.stringify(website.body)}`);
  const websiteId = Number(website.body.data.id);
  const operator = await t.api('POST', '/operator', { key, json: { name: 'Agent Smith', email: `agent-${port}@example.com`, website_list: [websiteId] } });
  if (operator.status !== 200) throw new Error(`operator: ${JSON.stringify(operator.body)}`);
  return { t, publicUrl, key, clientId, websiteId, operatorId: Number(operator.body.data.id) };
}

export { eventually } from '../../test/wait.js';

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
