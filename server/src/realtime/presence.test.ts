// Operator presence follows real sockets: connected on the first, disconnected a grace period after the last closed,
// kept when a socket comes back within it; visitors still waiting when the last operator leaves are told.
import type { AddressInfo } from 'node:net';
import { RealtimeClient } from '@causerie/test-support/realtime-client';
import { assertEventually } from '@causerie/test-support/wait';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientWithKey, eventTypesFor, startTestApp, type TestApp } from '../test/harness.js';
import { gatewayOf } from './plugin.js';

const GRACE_MS = 250;

let t: TestApp;
let base: string;
let key: string;
let websiteId: number;
const sockets: RealtimeClient[] = [];

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const eventually = (assertion: () => Promise<void>, timeoutMs = 3000) => assertEventually(assertion, timeoutMs);

async function newOperator(
  name: string,
  fields: Record<string, unknown> = {},
  site = websiteId,
): Promise<{ id: number; token: string }> {
  const email = `${name.toLowerCase()}@presence.example`;
  const created = await t.api('POST', '/operator', {
    key,
    json: { name, email, password: 'presence-secret', website_list: [site], ...fields },
  });
  const login = await t.app.inject({
    method: 'POST',
    url: '/auth/login',
    payload: { email, password: 'presence-secret' },
  });
  return { id: created.body.data.id, token: login.json<{ data: { token: string } }>().data.token };
}

async function connect(token: string): Promise<RealtimeClient> {
  const socket = await RealtimeClient.open(`${base}/realtime/operator`, { authorization: `Bearer ${token}` });
  sockets.push(socket);
  await socket.next('snapshot');
  return socket;
}

async function live(operatorId: number) {
  return t.store.db
    .selectFrom('operator')
    .select(['connected', 'chat_available'])
    .where('id', '=', operatorId)
    .executeTakeFirstOrThrow();
}

beforeAll(async () => {
  t = await startTestApp({ presenceGraceMs: GRACE_MS });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `ws://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  ({ key } = await clientWithKey(t, 'Presence Co'));
  websiteId = (await t.api('POST', '/website', { key, json: { url: 'https://presence.example' } })).body.data.id;
});

afterAll(async () => {
  await Promise.all(sockets.map((socket) => socket.close()));
  await t.close();
});

describe('operator presence', () => {
  it('connects on the first socket and disconnects only after the grace period once the last one closed', async () => {
    const { id, token } = await newOperator('Hana');
    const socket = await connect(token);
    expect(socket.frames[0]).toMatchObject({
      type: 'snapshot',
      operator: { id, connected: true, chat: false },
      conversations: [],
      queues: [{ website_id: websiteId, waiting: 0 }],
    });
    expect(await live(id)).toEqual({ connected: 1, chat_available: 0 });
    await socket.request({ type: 'availability', chat: true }, 'availability');
    await socket.close();
    await pause(GRACE_MS / 3);
    expect(await live(id)).toEqual({ connected: 1, chat_available: 1 });
    await eventually(async () => expect(await live(id)).toEqual({ connected: 0, chat_available: 0 }));
    expect(await eventTypesFor(t, 'operator', id)).toEqual(
      expect.arrayContaining(['user.connected', 'user.availability_changed', 'user.disconnected']),
    );
    const session = await t.store.db
      .selectFrom('presence_session')
      .select('ended_at')
      .where('operator_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(session.ended_at).not.toBeNull();
  });

  it('stays connected, with its availability, when a socket comes back within the grace period', async () => {
    const { id, token } = await newOperator('Ines');
    const first = await connect(token);
    await first.request({ type: 'availability', chat: true }, 'availability');
    await first.close();
    await pause(GRACE_MS / 3);
    const again = await connect(token);
    expect(again.frames[0]).toMatchObject({ type: 'snapshot', operator: { connected: true, chat: true } });
    await pause(GRACE_MS * 2);
    expect(await live(id)).toEqual({ connected: 1, chat_available: 1 });
    const types = await eventTypesFor(t, 'operator', id);
    expect(types.filter((type) => type === 'user.connected')).toHaveLength(1);
    expect(types).not.toContain('user.disconnected');
  });

  it('counts every socket of the operator: closing one of two keeps them connected', async () => {
    const { id, token } = await newOperator('Jade');
    const console1 = await connect(token);
    const console2 = await connect(token);
    await console1.close();
    await pause(GRACE_MS * 2);
    expect((await live(id)).connected).toBe(1);
    await console2.close();
    await eventually(async () => expect((await live(id)).connected).toBe(0));
  });

  it('balances a socket that closes before its snapshot: disconnected after the grace, no room left behind', async () => {
    const { id, token } = await newOperator('Lou');
    const gateway = gatewayOf(t.context);
    if (gateway === undefined) throw new Error('no gateway');
    const rooms = gateway.roomCount;
    const socket = await RealtimeClient.open(`${base}/realtime/operator?token=${token}`);
    socket.socket.terminate();
    await eventually(async () => expect((await live(id)).connected).toBe(0));
    await eventually(async () => expect(gateway.roomCount).toBe(rooms));
  });

  it('ends the waits of visitors nobody can serve any more when the last operator is gone', async () => {
    const site = (await t.api('POST', '/website', { key, json: { url: 'https://alone.example' } })).body.data.id;
    const { id, token } = await newOperator('Kim', { chat_max_number: 1 }, site);
    const operator = await connect(token);
    await operator.request({ type: 'availability', chat: true }, 'availability');
    const busy = await RealtimeClient.open(`${base}/realtime/visitor`);
    const waiting = await RealtimeClient.open(`${base}/realtime/visitor`);
    sockets.push(busy, waiting);
    await busy.request({ type: 'hello', website_id: site }, 'welcome');
    await waiting.request({ type: 'hello', website_id: site }, 'welcome');
    await busy.request({ type: 'start', text: 'first' }, 'started');
    const queued = await waiting.request({ type: 'start', text: 'second' }, 'started');
    expect(queued.outcome).toBe('queued');
    await operator.close();
    const ended = await waiting.next(
      (frame) => frame.type === 'conversation' && (frame.conversation as { status: string }).status === 'closed',
      3000,
    );
    expect(ended.conversation).toMatchObject({ id: queued.conversation_id, outcome: 'missed_offline' });
    expect((await live(id)).connected).toBe(0);
  });
});

describe('an operator who leaves for good', () => {
  it('hands their open conversations to an operator still here once the grace period is over; the visitor is told', async () => {
    const site = (await t.api('POST', '/website', { key, json: { url: 'https://handover.example' } })).body.data.id;
    const leaving = await newOperator('Noa', { chat_max_number: 1, chat_priority: 10 }, site);
    const staying = await newOperator('Oli', { chat_max_number: 1 }, site);
    const leavingSocket = await connect(leaving.token);
    const stayingSocket = await connect(staying.token);
    await leavingSocket.request({ type: 'availability', chat: true }, 'availability');
    await stayingSocket.request({ type: 'availability', chat: true }, 'availability');
    const visitor = await RealtimeClient.open(`${base}/realtime/visitor`);
    sockets.push(visitor);
    await visitor.request({ type: 'hello', website_id: site }, 'welcome');
    const started = await visitor.request({ type: 'start', text: 'Where is my parcel?' }, 'started');
    await leavingSocket.next('assigned');
    await leavingSocket.close();
    const assigned = await stayingSocket.next('assigned', 3000);
    expect(assigned.conversation).toMatchObject({ id: started.conversation_id });
    // The new operator gets the whole history, the visitor's first message included.
    expect((assigned.history as Array<{ text: string }>).map((entry) => entry.text)).toContain('Where is my parcel?');
    const notice = await visitor.next(
      (frame) => frame.type === 'entry' && (frame.data as { event?: string } | undefined)?.event === 'transferred',
      3000,
    );
    expect(notice.data).toEqual({ event: 'transferred' });
    const row = await t.store.db
      .selectFrom('conversation')
      .select(['operator_id', 'status'])
      .where('id', '=', Number(started.conversation_id))
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ operator_id: staying.id, status: 'open' });
    // The visitor and the new operator carry on.
    await visitor.request({ type: 'message', text: 'Still there?' }, 'ack');
    expect(
      await stayingSocket.next((frame) => frame.type === 'entry' && frame.text === 'Still there?', 3000),
    ).toMatchObject({ conversation_id: started.conversation_id });
  });
});

describe('shutdown', () => {
  it('closes sockets with 1001 so clients reconnect elsewhere', async () => {
    const other = await startTestApp({ presenceGraceMs: GRACE_MS });
    await other.app.listen({ port: 0, host: '127.0.0.1' });
    const socket = await RealtimeClient.open(
      `ws://127.0.0.1:${(other.app.server.address() as AddressInfo).port}/realtime/visitor`,
    );
    const closing = new Promise<number>((resolve) => socket.socket.once('close', (code) => resolve(code)));
    await other.close();
    expect(await closing).toBe(1001);
  });
});
