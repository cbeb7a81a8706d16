// Messaging callbacks are ordered per resource, not per account: two messages' reports go to the callback in
// parallel, one message's reports one at a time in the order they happened (a failed one is retried before the next
// is sent), and a resource with a long queue does not hold the others back.
import { type Received, type Receiver, startReceiver } from '@causerie/test-support/webhook-receiver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendEvent } from '../events/append.js';
import { type Tx, transact } from '../events/transact.js';
import { clientWithKey, startTestApp, type TestApp } from '../test/harness.js';
import { messagingCaller, until } from '../test/messaging.js';
import type { CallbackBody } from './callbacks.js';

// Retry delays × 0.001: the 5 s before a second attempt is 5 ms.
const SCALE = 0.001;
let t: TestApp;
let key: string;
let clientId: number;
let hook: Receiver;
/** Decides the answer to each MESSENGER_REPORT (the registration's TEST event is answered 200). */
let answer: (report: CallbackBody, request: Received) => { status: number; delayMs?: number } = () => ({
  status: 200,
});
/** Message ids: each test reports on its own messages. */
let nextMessageId = 1_000;

beforeAll(async () => {
  t = await startTestApp({ webhookTimeScale: SCALE, webhookTimeoutMs: 5_000 });
  ({ clientId, key } = await clientWithKey(t, 'Lanes Co'));
  hook = await startReceiver('/callback');
  hook.respond = (request) => {
    const body = JSON.parse(request.body) as CallbackBody;
    return body.type === 'MESSENGER_REPORT' ? answer(body, request) : { status: 200 };
  };
  const call = messagingCaller(() => t.app);
  const registered = await call('POST', '/system/callback', key, { url: hook.url });
  expect(registered.status).toBe(201);
});
afterAll(async () => {
  await t.close();
  await hook.close();
});

/** A message's state change as the messaging commands append it, in their transaction. */
function appendReport(trx: Tx, messageId: number, state: string, previousState: string | null): Promise<void> {
  return appendEvent(trx, {
    type: 'messaging.messenger_report',
    clientId,
    subject: { type: 'messenger_message', id: messageId },
    payload: {
      owner: { kind: 'client', id: clientId },
      resourceId: messageId,
      state,
      previousState,
      reason: null,
      data: { id: messageId, reference: null, broadcast_id: null, to: '+33612345678' },
    },
    at: new Date().toISOString(),
  });
}

/** A message's states, one transaction each, in order. */
async function report(messageId: number, states: readonly string[]): Promise<void> {
  let previous: string | null = null;
  for (const state of states) {
    const previousState = previous;
    await transact(t.store.db, (trx) => appendReport(trx, messageId, state, previousState));
    previous = state;
  }
}

const reportsOf = (messageId: number) =>
  hook.received
    .map((request) => ({ request, body: JSON.parse(request.body) as CallbackBody }))
    .filter(({ body }) => body.type === 'MESSENGER_REPORT' && body.id === messageId);

const statesOf = (messageId: number) => reportsOf(messageId).map(({ body }) => body.state);

describe('messaging callback lanes', () => {
  it("sends two messages' reports to one callback at once: the second comes while the first is unanswered", async () => {
    const slow = nextMessageId++;
    const quick = nextMessageId++;
    const holdMs = 2_000;
    answer = (body) => ({ status: 200, delayMs: body.id === slow ? holdMs : 0 });
    await report(slow, ['queued']);
    await report(quick, ['queued']);
    await until(() => {
      if (reportsOf(slow).length === 0 || reportsOf(quick).length === 0) throw new Error('both reports not yet in');
    });
    const [slowReport] = reportsOf(slow);
    const [quickReport] = reportsOf(quick);
    // One line per account would have sent the quick report only after the slow one's answer, 2 s later.
    expect(quickReport?.request.at).toBeLessThan((slowReport?.request.at ?? 0) + holdMs);
  });

  it("keeps one message's reports in order when an earlier one is retried after a 500", async () => {
    const messageId = nextMessageId++;
    let sentAttempts = 0;
    answer = (body) => {
      if (body.id !== messageId) return { status: 200 };
      if (body.state === 'queued') return { status: 200, delayMs: 100 };
      if (body.state === 'sent') {
        sentAttempts += 1;
        return sentAttempts === 1 ? { status: 500 } : { status: 200 };
      }
      return { status: 200 };
    };
    // All four are queued for the callback before the first is answered: the later ones are due while `sent` waits
    // for its second attempt.
    await report(messageId, ['queued', 'sent', 'delivered', 'read']);
    const states = await until(() => {
      const seen = statesOf(messageId);
      if (seen.length < 5) throw new Error(`reports so far: ${seen.join(', ')}`);
      return seen;
    });
    expect(states).toEqual(['queued', 'sent', 'sent', 'delivered', 'read']);
    const log = await t.store.db
      .selectFrom('webhook_delivery')
      .select(['attempt', 'status', 'http_status', 'lane_key'])
      .where('lane_key', '=', `MESSENGER_REPORT:${messageId}`)
      .where('request_body', 'like', '%"state":"sent"%')
      .orderBy('id')
      .execute();
    expect(log).toEqual([
      { attempt: 1, status: 'retrying', http_status: 500, lane_key: `MESSENGER_REPORT:${messageId}` },
      { attempt: 2, status: 'delivered', http_status: 200, lane_key: `MESSENGER_REPORT:${messageId}` },
    ]);
  });

  it('never sends more than 32 reports at once to one callback, as to a subscription', async () => {
    const first = nextMessageId;
    nextMessageId += 70;
    let open = 0;
    let most = 0;
    answer = (body) => {
      if (body.id < first || body.id >= first + 70) return { status: 200 };
      open += 1;
      most = Math.max(most, open);
      setTimeout(() => (open -= 1), 60);
      return { status: 200, delayMs: 60 };
    };
    await transact(t.store.db, async (trx) => {
      for (let messageId = first; messageId < first + 70; messageId++)
        await appendReport(trx, messageId, 'queued', null);
    });
    await until(() => {
      const done = hook.received.filter((request) => {
        const body = JSON.parse(request.body) as CallbackBody;
        return body.type === 'MESSENGER_REPORT' && body.id >= first && body.id < first + 70;
      }).length;
      if (done < 70) throw new Error(`${done} of 70`);
    });
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(32);
  });

  it("claims another message's report behind thousands due in one busy message's lane", async () => {
    const busy = nextMessageId++;
    const other = nextMessageId++;
    // More due rows in one lane than a claim reads at once (512 in flight × 4), all held behind the first.
    const backlog = 2_200;
    const holdMs = 3_000;
    answer = (body) => ({ status: 200, delayMs: body.id === busy && body.state === 'state 0' ? holdMs : 0 });
    await transact(t.store.db, async (trx) => {
      for (let i = 0; i < backlog; i++) await appendReport(trx, busy, `state ${i}`, null);
    });
    await until(() => {
      if (reportsOf(busy).length === 0) throw new Error('the busy lane has not started');
    });
    await report(other, ['queued']);
    await until(() => {
      if (reportsOf(other).length === 0) throw new Error('the other message is not reported yet');
    });
    const [first] = reportsOf(busy);
    const [otherReport] = reportsOf(other);
    // It came while the busy lane's first report was still unanswered, and nothing of that lane overtook it.
    expect(otherReport?.request.at).toBeLessThan((first?.request.at ?? 0) + holdMs);
    expect(reportsOf(busy)).toHaveLength(1);
    // The busy lane then goes on, in order (its first few hundred are enough to see it).
    const states = await until(() => {
      const seen = statesOf(busy);
      if (seen.length < 300) throw new Error(`${seen.length} of 300`);
      return seen;
    }, 30_000);
    expect(states).toEqual(Array.from({ length: states.length }, (_, i) => `state ${i}`));
  }, 60_000);
});
