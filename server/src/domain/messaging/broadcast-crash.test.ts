// kill -9 of a real node in the middle of a broadcast (issue 20): after a restart every recipient ends delivered,
// each state is reported once (one event, one webhook-id, however often it is retried), and a text goes twice only
// only when the node died between the provider's acceptance and its record (at-least-once, docs/MESSAGING.md).

import type { FakeAnswer, FakeRequest } from '@causerie/test-support/fakes/http';
import { FakeTwilio } from '@causerie/test-support/fakes/twilio';
import { exitWithin, killAll, sleep, startNode } from '@causerie/test-support/processes';
import { afterAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, createTestDatabase, type TestDatabase } from '../../test/harness.js';
import {
  type CallbackReceiver,
  messengerSender,
  nodeCall,
  reportIdsByState,
  startCallbackReceiver,
} from '../../test/messaging.js';

const ENV = { CAUSERIE_OUTBOUND_ALLOWLIST: '127.0.0.0/8', CAUSERIE_WEBHOOK_TIME_SCALE: '0.001' };
const ACCOUNT = `AC${'c3'.repeat(16)}`;
const TOKEN = 'twilio-auth-token-crash-000001';
const NUMBER = '+33757000222';
const RECIPIENTS = 100;
/** From this send on, the provider holds every request until the node was restarted: the node dies with sends in flight. */
const STALL_FROM = 30;

/** Twilio that stops answering (holds the request) from the STALL_FROM-th send until told the node restarted. */
class StallingTwilio extends FakeTwilio {
  requests = 0;
  /** Requests held when the node died (answered 503 once it restarted, to nobody). */
  held = 0;
  private released = false;
  private release: () => void = () => undefined;
  private readonly whenReleased = new Promise<void>((resolve) => {
    this.release = resolve;
  });
  restarted(): void {
    this.released = true;
    this.release();
  }
  protected override handle(request: FakeRequest): Promise<FakeAnswer> | FakeAnswer {
    this.requests += 1;
    if (this.requests >= STALL_FROM && !this.released) {
      this.held += 1;
      return this.whenReleased.then(() => ({
        status: 503,
        headers: { 'content-type': 'application/json' },
        body: '{"code":20500,"status":503}',
      }));
    }
    return super.handle(request);
  }
}

let database: TestDatabase | undefined;
let fake: StallingTwilio | undefined;
let receiver: CallbackReceiver | undefined;

afterAll(async () => {
  fake?.restarted();
  await killAll();
  await fake?.stop();
  await receiver?.close();
  await database?.drop();
});

describe('a node killed with SIGKILL mid-broadcast', () => {
  it('ends every recipient delivered, reports each state once, and texts each recipient at most twice', {
    timeout: 180_000,
  }, async () => {
    database = await createTestDatabase();
    fake = await new StallingTwilio({
      accountSid: ACCOUNT,
      authToken: TOKEN,
      numbers: [NUMBER],
      ratePerSecond: 1000,
    }).start();
    receiver = await startCallbackReceiver();
    const first = await startNode({ database, env: ENV });
    const { key, agentId } = await messengerSender(first.base, ADMIN_KEY, fake, receiver);
    const recipients = Array.from({ length: RECIPIENTS }, (_, index) => ({
      to: `+336${String(10_000_000 + index).padStart(8, '0')}`,
      variables: { n: String(index) },
    }));
    const broadcast = await nodeCall(first.base, 'POST', '/api/messaging/messenger/broadcast', key, {
      agent_id: agentId,
      name: 'Crash',
      channel: 'sms',
      content: { text: 'Message {{n}}' },
      recipients,
    });
    expect(broadcast.status).toBe(201);
    const broadcastId = Number(broadcast.body.data.id);

    while (fake.requests < STALL_FROM + 5) await sleep(10);
    await fake.settle();
    first.child.kill('SIGKILL');
    expect(await exitWithin(first, 10_000)).toEqual({ code: null, signal: 'SIGKILL' });
    fake.restarted();

    const second = await startNode({ database, env: ENV, port: first.port });
    const deadline = Date.now() + 240_000;
    let progress: Record<string, number> = {};
    while (Date.now() < deadline) {
      const read = await nodeCall(second.base, 'GET', `/api/messaging/messenger/broadcast/${broadcastId}`, key);
      progress = read.body.data.progress as Record<string, number>;
      if (read.body.data.state === 'completed' && progress.delivered === RECIPIENTS) break;
      await sleep(250);
    }
    expect(progress).toMatchObject({ total: RECIPIENTS, delivered: RECIPIENTS, failed: 0, queued: 0 });
    await fake.settle();

    // Each recipient's sent and delivered, reported once each: one webhook-id per (send, state), every one received.
    const deadlineReports = Date.now() + 120_000;
    let byState = reportIdsByState(receiver);
    while (byState.size < RECIPIENTS * 2 && Date.now() < deadlineReports) {
      await sleep(250);
      byState = reportIdsByState(receiver);
    }
    expect(byState.size).toBe(RECIPIENTS * 2);
    expect([...byState.values()].every((ids) => ids.size === 1)).toBe(true);

    // Every recipient texted, at most twice (a send the provider took while the node died before recording it).
    const texts = new Map<string, number>();
    for (const message of fake.accepted) texts.set(message.to, (texts.get(message.to) ?? 0) + 1);
    expect(texts.size).toBe(RECIPIENTS);
    expect([...texts.values()].every((count) => count <= 2)).toBe(true);
    second.child.kill('SIGTERM');
    await exitWithin(second, 15_000);
  });
});
