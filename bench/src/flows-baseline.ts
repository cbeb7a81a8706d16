// flows benchmark, its baseline: the outbound calls of a cash-on-delivery run (Graph template send, Shopify tagsAdd)
// made from this process to the same fakes, and the same rows (order, run, one step row per step with its run update,
// charge) written with raw better-sqlite3, one transaction per step, on a file with the node's settings.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { FakeShopify } from '@causerie/test-support/fakes/shopify';
import { FakeWhatsApp } from '@causerie/test-support/fakes/whatsapp';
import SQLite from 'better-sqlite3';
import {
  APP_SECRET,
  FIRST_ORDER_ID,
  GRAPH_TOKEN,
  orderWebhook,
  PHONE_NUMBER_ID,
  phoneOf,
  post,
  SHOP,
  STEPS_PER_RUN,
} from './flows-peers.js';

/** The same outbound calls and rows, made directly: steps per second. */
export async function measureBaseline(runs: number, runsInFlight: number): Promise<number> {
  const shopify = await new FakeShopify([SHOP]).start();
  const whatsapp = await new FakeWhatsApp({
    phoneNumberId: PHONE_NUMBER_ID,
    accessToken: GRAPH_TOKEN,
    appSecret: APP_SECRET,
    ratePerSecond: 1_000_000,
    // The bench is no platform: nobody listens for statuses.
    statuses: [],
  }).start();
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'causerie-bench-flows-'));
  const db = new SQLite(path.join(directory, 'baseline.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(`
    create table commerce_order (id integer primary key, external_id text, user_key text, body text, created_at text);
    create table flow_run (id integer primary key, order_id integer, user_key text, state text, variables text,
      step_index integer, steps_run integer, due_at text, started_at text, updated_at text, ended_at text);
    create table flow_run_step (id integer primary key, run_id integer, ordinal integer, step_id text, type text,
      state text, output text, started_at text, ended_at text);
    create unique index flow_run_step_run_idx on flow_run_step (run_id, ordinal);
    create table commerce_charge (id integer primary key, run_id integer, user_key text, idempotency_key text unique,
      kind text, quantity real, unit_price real, amount real, currency text, at text);
  `);
  const insertOrder = db.prepare(
    'insert into commerce_order (external_id, user_key, body, created_at) values (?, ?, ?, ?)',
  );
  const insertRun = db.prepare(
    "insert into flow_run (order_id, user_key, state, variables, step_index, steps_run, due_at, started_at, updated_at) values (?, ?, 'running', ?, 0, 0, ?, ?, ?)",
  );
  const insertStep = db.prepare(
    "insert into flow_run_step (run_id, ordinal, step_id, type, state, output, started_at, ended_at) values (?, ?, ?, ?, 'done', ?, ?, ?)",
  );
  const updateRun = db.prepare('update flow_run set step_index = ?, steps_run = ?, updated_at = ? where id = ?');
  const insertCharge = db.prepare(
    "insert into commerce_charge (run_id, user_key, idempotency_key, kind, quantity, unit_price, amount, currency, at) values (?, ?, ?, 'cod', 1, 0.1, 0.1, 'EUR', ?)",
  );
  const step = db.transaction((runId: number, ordinal: number, type: string, output: string) => {
    const now = new Date().toISOString();
    insertStep.run(runId, ordinal, `s${ordinal}`, type, output, now, now);
    updateRun.run(ordinal, ordinal, now, runId);
    if (type === 'charge') insertCharge.run(runId, `+${runId}`, `run:${runId}:step:${ordinal}`, now);
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: runsInFlight });
  const graph = new URL(`${whatsapp.url}/v21.0/${PHONE_NUMBER_ID}/messages`);
  const admin = new URL(`${shopify.url}/admin/api/2025-01/graphql.json`);
  const webhooks = Array.from({ length: runs }, (_, index) => orderWebhook(shopify, index).body);
  let next = 0;
  const started = performance.now();
  try {
    await Promise.all(
      Array.from({ length: runsInFlight }, async () => {
        while (next < runs) {
          const index = next;
          next += 1;
          const body = webhooks[index] ?? '{}';
          const now = new Date().toISOString();
          const orderId = Number(
            insertOrder.run(String(FIRST_ORDER_ID + index), phoneOf(index), body, now).lastInsertRowid,
          );
          const runId = Number(insertRun.run(orderId, phoneOf(index), body, now, now, now).lastInsertRowid);
          const sent = await post(
            agent,
            graph,
            JSON.stringify({
              messaging_product: 'whatsapp',
              to: phoneOf(index).slice(1),
              type: 'template',
              template: { name: 'cod_confirm', language: { code: 'it' } },
            }),
            { authorization: `Bearer ${GRAPH_TOKEN}` },
          );
          if (sent !== 200) throw new Error(`Graph answered ${sent}`);
          step(runId, 1, 'send_template', '{"template":"cod_confirm"}');
          step(runId, 2, 'wait_reply', '{"payload":"CONFIRM"}');
          step(runId, 3, 'branch', '{"matched":"tag"}');
          const tagged = await post(
            agent,
            admin,
            JSON.stringify({
              query:
                'mutation tagsAdd($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { userErrors { field message } } }',
              variables: { id: `gid://shopify/Order/${FIRST_ORDER_ID + index}`, tags: ['cod-confirmed'] },
            }),
            { 'x-shopify-access-token': SHOP.accessToken },
          );
          if (tagged !== 200) throw new Error(`Shopify answered ${tagged}`);
          step(runId, 4, 'shopify_update', '{"action":"tag"}');
          step(runId, 5, 'charge', '{"kind":"cod"}');
          step(runId, 6, 'end', '{}');
        }
      }),
    );
    return (runs * STEPS_PER_RUN) / ((performance.now() - started) / 1000);
  } finally {
    agent.destroy();
    db.close();
    fs.rmSync(directory, { recursive: true, force: true });
    await whatsapp.stop();
    await shopify.stop();
  }
}
