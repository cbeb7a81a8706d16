// Sustained failure disables a subscription once an event has used every attempt; the SSRF guard applies to deliveries.
import { startReceiver } from '@causerie/test-support/webhook-receiver';
import { afterAll, describe, expect, it } from 'vitest';
import { clientWithKey, eventTypesFor, startTestApp, type TestApp } from '../test/harness.js';
import { RETRY_SCHEDULE_MS } from './worker.js';

const apps: TestApp[] = [];
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
});

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('sustained failure', () => {
  it('uses the whole published schedule, then disables the subscription and announces it', {
    timeout: 20_000,
  }, async () => {
    // The 38-hour schedule × 0.00001 takes about 1.4 s.
    const t = await startTestApp({ webhookTimeScale: 0.00001, webhookTimeoutMs: 500 });
    apps.push(t);
    const { key } = await clientWithKey(t, 'Failing Co');
    const site = (await t.api('POST', '/website', { key, json: { url: 'https://failing.example' } })).body.data.id;
    const hook = await startReceiver();
    hook.respond = () => ({ status: 503, body: 'maintenance' });
    const { id } = (await t.api('POST', '/webhook', { key, json: { url: hook.url, events: ['conversation.started'] } }))
      .body.data;
    await t.api('POST', '/conversation', { key, json: { website_id: site } });
    const shown = await until(
      () => t.api('GET', `/webhook/${id}`, { key }),
      (answer) => answer.body.data.enabled === false,
    );
    await hook.close();
    expect(hook.received).toHaveLength(RETRY_SCHEDULE_MS.length);
    expect(shown.body.data.disabled_reason).toMatch(/^failing: Every delivery failed for \d+ hours\.$/);
    const log = (await t.api('GET', `/webhook/${id}/delivery?full=1&limit=100`, { key })).body.data;
    expect(log.map((row) => row.status)).toEqual([
      'failed',
      ...Array<string>(RETRY_SCHEDULE_MS.length - 1).fill('retrying'),
    ]);
    expect(log.map((row) => row.attempt)).toEqual(
      RETRY_SCHEDULE_MS.map((_, index) => RETRY_SCHEDULE_MS.length - index),
    );
    expect(await eventTypesFor(t, 'webhook', id)).toEqual(['webhook.created', 'webhook.disabled']);
  });
});

describe('the outbound guard', () => {
  it('refuses to deliver to a host name resolving to loopback when loopback is not allow-listed, and logs why', async () => {
    const t = await startTestApp({ outboundAllowlist: '', webhookTimeScale: 0.001 });
    apps.push(t);
    const { key } = await clientWithKey(t, 'Guarded Co');
    const site = (await t.api('POST', '/website', { key, json: { url: 'https://guarded.example' } })).body.data.id;
    const hook = await startReceiver();
    // https (plain http to a host outside the allow-list is refused when registered); the address is refused when
    // the name resolves, before any TLS.
    const url = hook.url.replace('http://127.0.0.1', 'https://localhost');
    const literal = await t.api('POST', '/webhook', { key, json: { url: hook.url, events: ['*'] } });
    expect(literal.body.meta.message).toBe(
      "Value of field 'url' is not valid. The address 127.0.0.1 is private, loopback or reserved (allow it with CAUSERIE_OUTBOUND_ALLOWLIST).",
    );
    const { id } = (await t.api('POST', '/webhook', { key, json: { url, events: ['conversation.started'] } })).body
      .data;
    await t.api('POST', '/conversation', { key, json: { website_id: site } });
    const log = await until(
      async () => (await t.api('GET', `/webhook/${id}/delivery?full=1`, { key })).body.data,
      (rows) => rows.some((row) => row.status === 'retrying'),
    );
    await hook.close();
    expect(hook.received).toHaveLength(0);
    expect(log.find((row) => row.status === 'retrying')?.error).toMatch(
      /^Outbound request refused: localhost resolves to (127\.0\.0\.1|::1), which is private, loopback or reserved/,
    );
  });
});
