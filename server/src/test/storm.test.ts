// kill -9 during a message storm: every message acknowledged to its sender survives and is delivered on resume, once.
import { availableOperator, liveTenant, socketUrl } from '@causerie/test-support/live-sockets';
import { exitWithin, killAll, startNode } from '@causerie/test-support/processes';
import { type Frame, RealtimeClient } from '@causerie/test-support/realtime-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './harness.js';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await killAll();
  await database.drop();
});

const visitorTexts = (frames: Frame[]) =>
  frames
    .filter((frame) => frame.type === 'entry' && frame.kind === 'visitor')
    .map((frame) => String(frame.client_message_id));

describe('a node killed with SIGKILL during a message storm', () => {
  it('keeps every acknowledged message, and resume delivers each exactly once', { timeout: 120_000 }, async () => {
    const node = await startNode({ database });
    const tenant = await liveTenant(node.base, 'Storm Co');
    await availableOperator(node.base, tenant.token);
    const visitor = await RealtimeClient.open(socketUrl(node.base, '/realtime/visitor'));
    visitor.send({ type: 'hello', website_id: tenant.websiteId });
    const welcome = await visitor.next((frame) => frame.type === 'welcome', 10_000);
    visitor.send({ type: 'start', text: 'storm begins', client_message_id: 'storm-0' });
    const started = await visitor.next((frame) => frame.type === 'started', 10_000);
    expect(started.outcome).toBe('assigned');
    const conversationId = Number(started.conversation_id);

    // Send as fast as the socket's rate limit allows, in bursts, and kill the node while acks are flowing.
    const acked = new Set<string>();
    visitor.socket.on('message', (data: Buffer) => {
      const frame = JSON.parse(String(data)) as Frame;
      if (frame.type === 'ack' && typeof frame.client_message_id === 'string') acked.add(frame.client_message_id);
    });
    let sent = 0;
    const sender = setInterval(() => {
      for (let burst = 0; burst < 2 && visitor.socket.readyState === visitor.socket.OPEN; burst += 1) {
        sent += 1;
        visitor.send({ type: 'message', text: `storm ${sent}`, client_message_id: `storm-${sent}` });
      }
    }, 100);
    const deadline = Date.now() + 20_000;
    while (acked.size < 40 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    node.child.kill('SIGKILL');
    await exitWithin(node, 10_000);
    clearInterval(sender);
    visitor.socket.terminate();
    expect(acked.size).toBeGreaterThanOrEqual(40);

    const restarted = await startNode({ database });
    const resumed = await RealtimeClient.open(socketUrl(restarted.base, '/realtime/visitor'));
    resumed.send({
      type: 'hello',
      website_id: tenant.websiteId,
      vuid: welcome.vuid,
      conversation_id: conversationId,
      last_seq: 0,
    });
    await resumed.next((frame) => frame.type === 'welcome', 10_000);
    await resumed.next((frame) => frame.type === 'entry' && frame.client_message_id === [...acked].at(-1), 10_000);
    // Settle: nothing more should arrive for what was already delivered.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const delivered = visitorTexts(resumed.frames);
    for (const id of acked)
      expect(
        delivered.filter((one) => one === id),
        id,
      ).toHaveLength(1);
    expect(new Set(delivered).size).toBe(delivered.length);
    const seqs = resumed.frames.filter((frame) => frame.type === 'entry').map((frame) => Number(frame.seq));
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, index) => index + 1));

    // The operator, reconnecting, gets the same acknowledged messages.
    const login = await fetch(`${restarted.base}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'agent@storm-co.example', password: 'agent-password' }),
    });
    const token = ((await login.json()) as { data: { token: string } }).data.token;
    const operator = await RealtimeClient.open(
      socketUrl(restarted.base, `/realtime/operator?token=${encodeURIComponent(token)}`),
    );
    operator.send({ type: 'resume', conversation_id: conversationId, last_seq: 0 });
    await operator.next((frame) => frame.type === 'entry' && frame.client_message_id === [...acked].at(-1), 10_000);
    const operatorSaw = visitorTexts(operator.frames);
    for (const id of acked) expect(operatorSaw).toContain(id);
    resumed.socket.terminate();
    operator.socket.terminate();
  });
});
