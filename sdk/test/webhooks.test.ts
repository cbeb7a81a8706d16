// verifyWebhook against signatures made independently: the standardwebhooks package and a plain HMAC.
import { createHmac, randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { verifyWebhook, WebhookVerificationError } from '../src/index.js';

const secret = `whsec_${randomBytes(24).toString('base64')}`;
const other = `whsec_${randomBytes(24).toString('base64')}`;
const body = JSON.stringify({
  eventId: 'd36cd3c4-2d16-4a77-97c2-620bde859b29',
  eventType: 'conversation.closed',
  clientId: 1,
  conversationId: 7,
});
const hex = (key: string, text: string) => `sha256=${createHmac('sha256', key).update(text).digest('hex')}`;

function standardHeaders(key: string, at = new Date()): Record<string, string> {
  const id = 'msg_0123456789abcdef';
  return {
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(key).sign(id, at, body),
  };
}

describe('verifyWebhook', () => {
  it('accepts a Standard Webhooks signature and returns the payload and webhook-id', () => {
    const verified = verifyWebhook(body, standardHeaders(secret), secret);
    expect(verified).toEqual({
      payload: JSON.parse(body),
      webhookId: 'msg_0123456789abcdef',
      scheme: 'standard-webhooks',
    });
    expect(verifyWebhook(Buffer.from(body), new Headers(standardHeaders(secret)), secret).scheme).toBe(
      'standard-webhooks',
    );
  });

  it('accepts either of two signatures during a rotation, and either of two secrets on the receiving side', () => {
    const headers = standardHeaders(secret);
    const old = standardHeaders(other)['webhook-signature'];
    headers['webhook-signature'] = `${headers['webhook-signature']} ${old}`;
    expect(verifyWebhook(body, headers, other).webhookId).toBe('msg_0123456789abcdef');
    expect(verifyWebhook(body, standardHeaders(other), [secret, other]).scheme).toBe('standard-webhooks');
  });

  it('refuses a changed body, another secret, and an old timestamp', () => {
    expect(() => verifyWebhook(`${body} `, standardHeaders(secret), secret)).toThrow(
      new WebhookVerificationError('No webhook-signature matches the secret.'),
    );
    expect(() => verifyWebhook(body, standardHeaders(secret), other)).toThrow(
      'No webhook-signature matches the secret.',
    );
    const stale = standardHeaders(secret, new Date(Date.now() - 600_000));
    expect(() => verifyWebhook(body, stale, secret)).toThrow(
      'The webhook-timestamp is too far from now: a replayed or delayed request.',
    );
    expect(verifyWebhook(body, stale, secret, { toleranceSeconds: 900 }).scheme).toBe('standard-webhooks');
  });

  it('checks X-Causerie-Signature and X-iAdvize-Signature (sha256=hex of the raw body, keyed with the secret as shown)', () => {
    expect(verifyWebhook(body, { 'X-Causerie-Signature': hex(secret, body) }, secret)).toEqual({
      payload: JSON.parse(body),
      webhookId: null,
      scheme: 'sha256',
    });
    expect(
      verifyWebhook(body, { 'x-causerie-signature': `${hex(other, body)}, ${hex(secret, body)}` }, secret).scheme,
    ).toBe('sha256');
    const form = 'name=conversation.end&parameters%5Bconversation_id%5D=7';
    expect(verifyWebhook(form, { 'X-iAdvize-Signature': hex(secret, form) }, secret).payload).toEqual({
      name: 'conversation.end',
      'parameters[conversation_id]': '7',
    });
    expect(() => verifyWebhook(body, { 'x-causerie-signature': hex(other, body) }, secret)).toThrow(
      'No sha256 signature matches the secret.',
    );
    expect(() => verifyWebhook(body, {}, secret)).toThrow('The request carries no Causerie signature header.');
    expect(() => verifyWebhook(body, { 'x-causerie-signature': hex(secret, body) }, '')).toThrow(
      'No secret to verify with.',
    );
  });
});
