// flows benchmark: the peers' identities and what both the node's runs and the direct baseline send them (the
// Shopify order webhook of a run, a POST over a keep-alive agent).
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { type FakeShopify, shopifyWebhookHmac } from '@causerie/test-support/fakes/shopify';
import { postOver } from './client.js';

export const APP_SECRET = 'bench-meta-app-secret';
export const PHONE_NUMBER_ID = '106540352242922';
export const GRAPH_TOKEN = 'EAAG-bench-token-0123456789';
export const SHOP = {
  name: 'negozio-bench',
  accessToken: 'shpat_bench_0123456789abcdef',
  webhookSecret: 'bench-shop-secret',
};
export const FIRST_ORDER_ID = 820_000_000;
/** Steps of one run: ask, wait, route, tag|cancel, bill, done. */
export const STEPS_PER_RUN = 6;

/** The customer of run `index`: a phone of its own, so each reply finds its run's conversation. */
export const phoneOf = (index: number) => `+39333${String(index).padStart(7, '0')}`;

/** One JSON POST over a keep-alive agent; the status code. */
export const post = (agent: http.Agent, url: URL, body: string, headers: Record<string, string>): Promise<number> =>
  postOver(agent, url, body, { 'content-type': 'application/json', ...headers });

/** The orders/create webhook of run `index`, as Shopify sends it (the order is added to the fake shop). */
export function orderWebhook(shopify: FakeShopify, index: number): { body: string; headers: Record<string, string> } {
  const phone = phoneOf(index);
  const body = JSON.stringify(
    shopify.orderPayload(SHOP.name, FIRST_ORDER_ID + index, {
      phone,
      customer: {
        id: 700_000_000 + index,
        email: `cliente${index}@example.com`,
        first_name: 'Cliente',
        last_name: String(index),
        phone,
        currency: 'EUR',
      },
    }),
  );
  return {
    body,
    headers: {
      'x-shopify-topic': 'orders/create',
      'x-shopify-hmac-sha256': shopifyWebhookHmac(SHOP.webhookSecret, body),
      'x-shopify-shop-domain': `${SHOP.name}.myshopify.com`,
      'x-shopify-api-version': '2025-01',
      'x-shopify-webhook-id': randomUUID(),
      'x-shopify-triggered-at': new Date().toISOString(),
    },
  };
}
