// whatsapp-inbound: signed WhatsApp Cloud API webhooks per second, verified, stored, processed into conversations and
// routed, beside a bare node:http server that only reads the bodies.
//
// Causerie: a node on SQLite (WAL, synchronous=FULL) with one WhatsApp channel. CUSTOMERS customers each send
// messages (one message per webhook, as Meta mostly does), IN_FLIGHT posts at a time over keep-alive connections; each
// body is signed with the app secret (X-Hub-Signature-256). The figure is messages per second from the first post until
// every message is a history entry of its customer's conversation (read from the database file: no payload left
// unprocessed, one visitor entry per message); the first message of each customer opens and routes a conversation.
// The baseline answers the same posts from a bare node:http server that reads the body and answers 200.
import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { ADMIN_KEY, type Server, startBaseline, startCauserie } from './processes.js';
import type { BenchOptions } from './run.js';
import { median, round } from './stats.js';

const CUSTOMERS = 200;
const IN_FLIGHT = 64;
const APP_SECRET = 'bench-app-secret';
const TARGET_MESSAGES_PER_SECOND = 2_000;

async function api<T>(server: Server, method: string, urlPath: string, body?: unknown): Promise<T> {
  const answer = await fetch(`${server.base}/api/2${urlPath}`, {
    method,
    headers: { 'x-api-key': ADMIN_KEY, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const json = (await answer.json()) as { meta: { status: string; message?: string }; data: T };
  if (!answer.ok) throw new Error(`${method} ${urlPath}: ${answer.status} ${json.meta.message ?? ''}`);
  return json.data;
}

/** One webhook body per message, as Meta sends them, with its signature. */
function payloads(count: number, round_: number): Array<{ body: string; signature: string }> {
  return Array.from({ length: count }, (_, index) => {
    const waId = String(33600000000 + (index % CUSTOMERS));
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '102290129340398',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
                contacts: [{ profile: { name: `Client ${index % CUSTOMERS}` }, wa_id: waId }],
                messages: [
                  {
                    from: waId,
                    id: `wamid.r${round_}.${index}.${randomBytes(6).toString('hex')}`,
                    timestamp: String(Math.floor(Date.now() / 1000)),
                    type: 'text',
                    text: { body: `Message ${index} du client` },
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    return { body, signature: `sha256=${createHmac('sha256', APP_SECRET).update(body).digest('hex')}` };
  });
}

/** One POST over a keep-alive agent; resolves with the status code. */
function post(agent: http.Agent, url: URL, item: { body: string; signature: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(item.body),
          'x-hub-signature-256': item.signature,
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', reject);
    request.end(item.body);
  });
}

/** Posts every payload with IN_FLIGHT in flight (node:http keep-alive agent, as a provider's sender); throws on a non-200. */
async function postAll(target: string, items: Array<{ body: string; signature: string }>): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const url = new URL(target);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next];
      next += 1;
      if (item === undefined) return;
      const status = await post(agent, url, item);
      if (status !== 200) throw new Error(`webhook answered ${status}`);
    }
  };
  try {
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  } finally {
    agent.destroy();
  }
}

async function waitProcessed(database: SQLite.Database, expectedEntries: number): Promise<void> {
  const pending = database.prepare('select count(*) as n from channel_inbound where processed_at is null');
  const entries = database.prepare('select count(*) as n from conversation_message where kind = 2');
  const deadline = Date.now() + 120_000;
  for (;;) {
    const left = (pending.get() as { n: number }).n;
    const done = (entries.get() as { n: number }).n;
    if (left === 0 && done >= expectedEntries) return;
    if (Date.now() > deadline)
      throw new Error(`not processed in time: ${left} payloads pending, ${done}/${expectedEntries} entries`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Runs the benchmark. */
export async function whatsappInbound(options: BenchOptions): Promise<Record<string, unknown>> {
  const messages = options.quick ? 3_000 : 20_000;
  const rounds = options.quick ? 3 : 5;
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'causerie-bench-wa-'));
  const file = path.join(directory, 'bench.db');
  const causerie = await startCauserie({ DATABASE_URL: `sqlite:${file}` });
  const subject: number[] = [];
  const ingestion: number[] = [];
  let opened = 0;
  try {
    const client = await api<{ id: number }>(causerie, 'POST', '/client', { name: 'Bench', lang: 'fr' });
    const website = await api<{ id: number }>(causerie, 'POST', '/website', {
      url: 'https://bench.example',
      client_id: client.id,
    });
    const channel = await api<{ id: number; webhook_url: string }>(causerie, 'POST', '/channel', {
      type: 'whatsapp',
      website_id: website.id,
      client_id: client.id,
      credentials: {
        phone_number_id: '106540352242922',
        access_token: 'unused-in-this-benchmark',
        app_secret: APP_SECRET,
        verify_token: 'bench',
      },
    });
    const url = `${causerie.base}/channels/whatsapp/${channel.id}/webhook`;
    // A forged signature must be refused, or the figure would not be of verified messages.
    const forged = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` },
      body: '{}',
    });
    if (forged.status !== 403) throw new Error(`a forged signature was answered ${forged.status}`);
    const database = new SQLite(file, { readonly: true, fileMustExist: true });
    try {
      let expected = 0;
      for (let round_ = 0; round_ < rounds; round_ += 1) {
        const items = payloads(messages, round_);
        expected += messages;
        const started = performance.now();
        await postAll(url, items);
        const acknowledged = performance.now();
        await waitProcessed(database, expected);
        const finished = performance.now();
        subject.push(messages / ((finished - started) / 1000));
        ingestion.push(messages / ((acknowledged - started) / 1000));
      }
      opened = (
        database.prepare("select count(*) as n from conversation where source = 'whatsapp'").get() as { n: number }
      ).n;
    } finally {
      database.close();
    }
  } finally {
    await causerie.stop();
    fs.rmSync(directory, { recursive: true, force: true });
  }

  const baseline = await startBaseline('http-ingest');
  const raw: number[] = [];
  try {
    for (let round_ = 0; round_ < rounds; round_ += 1) {
      const items = payloads(messages, round_);
      const started = performance.now();
      await postAll(`${baseline.base}/webhook`, items);
      raw.push(messages / ((performance.now() - started) / 1000));
    }
  } finally {
    await baseline.stop();
  }

  const persisted = median(subject);
  const rawMedian = median(raw);
  for (const [name, figure] of [
    ['verified+persisted+routed', subject],
    ['acknowledged (stored raw)', ingestion],
    ['baseline node:http', raw],
  ] as const) {
    console.log(
      `${name}: ${figure.map((value) => round(value, 0)).join(', ')} msg/s (median ${round(median(figure), 0)})`,
    );
  }
  return {
    messages_per_round: messages,
    rounds,
    customers: CUSTOMERS,
    conversations_opened: opened,
    in_flight: IN_FLIGHT,
    messages_per_second: round(persisted, 0),
    acknowledged_per_second: round(median(ingestion), 0),
    baseline_messages_per_second: round(rawMedian, 0),
    ratio: round(persisted / rawMedian, 3),
    target_messages_per_second: TARGET_MESSAGES_PER_SECOND,
    meets_target: persisted >= TARGET_MESSAGES_PER_SECOND,
  };
}
