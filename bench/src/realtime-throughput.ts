// realtime-throughput: messages from visitor sockets to the operator's socket, persisted on the way, beside a raw ws relay.
//
// Causerie: a node on SQLite (WAL, synchronous=FULL), OPERATORS operators connected and available, VISITORS visitors in
// assigned conversations (many visitors, since each visitor socket is rate-limited as a person typing would be). Each visitor keeps WINDOW messages in flight (the next is sent when one is acknowledged,
// and an acknowledgement means committed); the figure is messages per second until the operator's socket has
// received them all. Latency: a fixed total rate, each message stamped when sent and measured when the operator's
// socket receives it. The baseline is a bare node:http + ws relay that parses and forwards, persisting nothing.
import type { WebSocket } from 'ws';
import { createTenant, type Frame, nextFrame, openSocket, wsUrl } from './client.js';
import { type Server, startBaseline, startCauserie } from './processes.js';
import type { BenchOptions } from './run.js';
import { median, percentile, round } from './stats.js';

const OPERATORS = 8;
const SLOTS = 50;
const VISITORS = OPERATORS * SLOTS;
const WINDOW = 4;
const LATENCY_RATE = 1_000;
const TARGET_MESSAGES_PER_SECOND = 5_000;
const TARGET_P99_MS = 50;

interface Rig {
  visitors: WebSocket[];
  /** Operator sockets: every visitor message reaches exactly one of them. */
  operators: WebSocket[];
  /** Frame a visitor sends for message `id`. */
  frame(visitor: number, id: string, text: string): string;
  /** The id and text of a message the operator received, or undefined for anything else. */
  received(frame: Frame): { id: string; text: string } | undefined;
  isAck(frame: Frame): boolean;
}

async function causerieRig(server: Server): Promise<Rig> {
  const tenant = await createTenant(server, OPERATORS, SLOTS);
  const operators: WebSocket[] = [];
  for (const token of tenant.operatorTokens) {
    const operator = await openSocket(wsUrl(server, `/realtime/operator?token=${encodeURIComponent(token)}`));
    const available = nextFrame(operator, (frame) => frame.type === 'availability');
    operator.send(JSON.stringify({ type: 'availability', chat: true }));
    await available;
    operators.push(operator);
  }
  const visitors: WebSocket[] = [];
  const conversations: number[] = [];
  for (let index = 0; index < VISITORS; index += 1) {
    const socket = await openSocket(wsUrl(server, '/realtime/visitor'));
    const welcome = nextFrame(socket, (frame) => frame.type === 'welcome');
    socket.send(JSON.stringify({ type: 'hello', website_id: tenant.websiteId }));
    await welcome;
    const started = nextFrame(socket, (frame) => frame.type === 'started');
    socket.send(JSON.stringify({ type: 'start', text: 'Hello', client_message_id: `start-${index}` }));
    const answer = await started;
    if (answer.outcome !== 'assigned')
      throw new Error(`conversation ${index} was not assigned: ${JSON.stringify(answer)}`);
    conversations.push(Number(answer.conversation_id));
    visitors.push(socket);
  }
  return {
    visitors,
    operators,
    frame: (visitor, id, text) =>
      JSON.stringify({ type: 'message', conversation_id: conversations[visitor], text, client_message_id: id }),
    received: (frame) =>
      frame.type === 'entry' && frame.kind === 'visitor' && typeof frame.client_message_id === 'string'
        ? { id: frame.client_message_id, text: String(frame.text) }
        : undefined,
    isAck: (frame) => frame.type === 'ack',
  };
}

async function relayRig(server: Server): Promise<Rig> {
  const operator = await openSocket(wsUrl(server, '/operator'));
  const visitors: WebSocket[] = [];
  for (let index = 0; index < VISITORS; index += 50)
    visitors.push(...(await Promise.all(Array.from({ length: 50 }, () => openSocket(wsUrl(server, '/visitor'))))));
  return {
    visitors,
    operators: [operator],
    frame: (_visitor, id, text) => JSON.stringify({ text, id }),
    received: (frame) => (frame.type === 'message' ? { id: String(frame.id), text: String(frame.text) } : undefined),
    isAck: (frame) => frame.type === 'ack',
  };
}

/** Sends `total` messages with WINDOW in flight per visitor; messages per second until the operator has them all. */
async function throughput(rig: Rig, total: number, round_: number): Promise<number> {
  const perVisitor = Math.ceil(total / rig.visitors.length);
  const expected = perVisitor * rig.visitors.length;
  let receivedCount = 0;
  const done = new Promise<void>((resolve) => {
    const onMessage = (data: Buffer) => {
      if (rig.received(JSON.parse(String(data)) as Frame)) {
        receivedCount += 1;
        if (receivedCount === expected) {
          for (const operator of rig.operators) operator.off('message', onMessage);
          resolve();
        }
      }
    };
    for (const operator of rig.operators) operator.on('message', onMessage);
  });
  const started = performance.now();
  await Promise.all(
    rig.visitors.map(
      (socket, visitor) =>
        new Promise<void>((resolve) => {
          let sent = 0;
          let acked = 0;
          const sendNext = () => {
            socket.send(rig.frame(visitor, `r${round_}-v${visitor}-m${sent}`, `message ${sent}`));
            sent += 1;
          };
          const onMessage = (data: Buffer) => {
            const frame = JSON.parse(String(data)) as Frame;
            if (frame.type === 'error') throw new Error(`visitor ${visitor}: ${JSON.stringify(frame)}`);
            if (!rig.isAck(frame)) return;
            acked += 1;
            if (sent < perVisitor) sendNext();
            if (acked === perVisitor) {
              socket.off('message', onMessage);
              resolve();
            }
          };
          socket.on('message', onMessage);
          for (let index = 0; index < Math.min(WINDOW, perVisitor); index += 1) sendNext();
        }),
    ),
  );
  await done;
  return expected / ((performance.now() - started) / 1000);
}

/** Sends at LATENCY_RATE for `seconds`, spread over the visitors; latency of each message to the operator's socket. */
async function latency(rig: Rig, seconds: number): Promise<{ p50: number; p99: number; count: number }> {
  const sentAt = new Map<string, number>();
  const samples: number[] = [];
  const onMessage = (data: Buffer) => {
    const received = rig.received(JSON.parse(String(data)) as Frame);
    const at = received === undefined ? undefined : sentAt.get(received.id);
    if (received && at !== undefined) samples.push(performance.now() - at);
  };
  for (const operator of rig.operators) operator.on('message', onMessage);
  const tickMs = 5;
  let counter = 0;
  const started = performance.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      // Catch up on ticks a busy event loop delayed, so the rate stays the one asked for.
      const due = Math.floor(((performance.now() - started) / 1000) * LATENCY_RATE);
      while (counter < due && counter < seconds * LATENCY_RATE) {
        const visitor = counter % rig.visitors.length;
        const id = `lat-${counter}`;
        sentAt.set(id, performance.now());
        rig.visitors[visitor]?.send(rig.frame(visitor, id, `latency ${counter}`));
        counter += 1;
      }
      if (counter >= seconds * LATENCY_RATE) {
        clearInterval(timer);
        resolve();
      }
    }, tickMs);
  });
  const deadline = Date.now() + 10_000;
  while (samples.length < counter && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  for (const operator of rig.operators) operator.off('message', onMessage);
  return { p50: percentile(samples, 0.5), p99: percentile(samples, 0.99), count: samples.length };
}

async function measure(server: Server, rig: Rig, options: BenchOptions) {
  const rounds = options.quick ? 1 : 3;
  const total = options.quick ? 4_000 : 20_000;
  await throughput(rig, 1_000, 0);
  const rates: number[] = [];
  for (let index = 1; index <= rounds; index += 1) rates.push(await throughput(rig, total, index));
  const lat = await latency(rig, options.quick ? 3 : 10);
  for (const socket of [...rig.visitors, ...rig.operators]) socket.terminate();
  await server.stop();
  return { messagesPerSecond: median(rates), rates, latency: lat };
}

export async function realtimeThroughput(options: BenchOptions): Promise<Record<string, unknown>> {
  const relayServer = await startBaseline('ws-relay');
  const baseline = await measure(relayServer, await relayRig(relayServer), options);
  const causerieServer = await startCauserie();
  const causerie = await measure(causerieServer, await causerieRig(causerieServer), options);
  console.log(
    `causerie: ${Math.round(causerie.messagesPerSecond)} persisted messages/s (runs: ${causerie.rates.map(Math.round).join(', ')}); at ${LATENCY_RATE}/s p50 ${round(causerie.latency.p50)} ms, p99 ${round(causerie.latency.p99)} ms`,
  );
  console.log(
    `baseline (raw ws relay): ${Math.round(baseline.messagesPerSecond)} messages/s; at ${LATENCY_RATE}/s p50 ${round(baseline.latency.p50)} ms, p99 ${round(baseline.latency.p99)} ms`,
  );
  return {
    visitors: VISITORS,
    operators: OPERATORS,
    window: WINDOW,
    causerie_messages_per_second: Math.round(causerie.messagesPerSecond),
    causerie_runs: causerie.rates.map(Math.round),
    causerie_p50_ms: round(causerie.latency.p50),
    causerie_p99_ms: round(causerie.latency.p99),
    causerie_latency_samples: causerie.latency.count,
    baseline_messages_per_second: Math.round(baseline.messagesPerSecond),
    baseline_p50_ms: round(baseline.latency.p50),
    baseline_p99_ms: round(baseline.latency.p99),
    ratio_throughput: round(causerie.messagesPerSecond / baseline.messagesPerSecond, 3),
    ratio_p99: round(causerie.latency.p99 / baseline.latency.p99, 2),
    latency_rate_per_second: LATENCY_RATE,
    target: { messages_per_second: TARGET_MESSAGES_PER_SECOND, p99_ms: TARGET_P99_MS },
    meets_targets: causerie.messagesPerSecond >= TARGET_MESSAGES_PER_SECOND && causerie.latency.p99 <= TARGET_P99_MS,
  };
}
