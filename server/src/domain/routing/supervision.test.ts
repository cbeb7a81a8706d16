// The supervisor view on a real database: an admin sees the waiting conversation with its queue place and the open one
// with its operator, each operator's load; assigns the waiting one over the operator's chat limit and takes one over;
// an operator's session is refused (403 in the envelope), bad filters and targets answer 400/404/409 naming why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transact } from '../../events/transact.js';
import { type ApiAnswer, clientWithKey, eventTypesFor, startTestApp, type TestApp } from '../../test/harness.js';
import { nowInstant } from '../../time.js';
import { changeOperatorLive } from '../people/presence.js';
import { findOrCreateVisitor } from '../visitors/identity.js';
import { startLiveConversation } from './commands.js';

let t: TestApp;
let key: string;
let otherKey: string;
let clientId: number;
let site: number;
let bob: number;
let carol: number;
let admin: number;
let adminToken: string;
let agentToken: string;
let managerToken: string;
let answeredId: number;
let waitingId: number;
const run = Math.random().toString(36).slice(2, 8);
const emailOf = (name: string) => `${name.toLowerCase()}.${run}@supervision.example`;

async function created(path: string, json: Record<string, unknown>): Promise<number> {
  const answer = await t.api('POST', path, { key, json });
  if (answer.status !== 200) throw new Error(`POST ${path} failed: ${JSON.stringify(answer.body)}`);
  return answer.body.data.id;
}

async function login(name: string): Promise<string> {
  const answer = await t.app.inject({
    method: 'POST',
    url: '/auth/login',
    payload: { email: emailOf(name), password: 'secret-pass' },
  });
  if (answer.statusCode !== 200) throw new Error(`login failed: ${answer.body}`);
  return String(answer.json<{ data: { token: string } }>().data.token);
}

const operator = (name: string, roles: string[], extra: Record<string, unknown> = {}) =>
  created('/operator', {
    name,
    email: emailOf(name),
    password: 'secret-pass',
    roles,
    website_list: [site],
    ...extra,
  });

function asSession(token: string, method: 'GET' | 'POST', path: string, json?: unknown): Promise<ApiAnswer> {
  return t.api(method, path, { headers: { authorization: `Bearer ${token}` }, ...(json !== undefined && { json }) });
}

async function startChat(text: string) {
  const visitor = await transact(t.store.db, (trx) =>
    findOrCreateVisitor(trx, { clientId, websiteId: site, at: nowInstant() }),
  );
  return startLiveConversation(t.store.db, { websiteId: site, visitor, text });
}

interface Row {
  id: number;
  status: string;
  operator_id: number | null;
  operator_name: string | null;
  queue_position: number | null;
  waiting_since: string | null;
  website: string;
  last_message: { from: string; text: string } | null;
}
interface OperatorRow {
  id: number;
  name: string;
  connected: boolean;
  chat: { slot_number: number; slot_max_number: number; busy: boolean; available: boolean };
  website_list: number[];
}

async function supervision(query = ''): Promise<{ conversations: Row[]; operators: OperatorRow[] }> {
  const answer = await asSession(adminToken, 'GET', `/supervision${query}`);
  if (answer.status !== 200) throw new Error(`GET /supervision failed: ${JSON.stringify(answer.body)}`);
  return answer.body.data as unknown as { conversations: Row[]; operators: OperatorRow[] };
}

beforeAll(async () => {
  t = await startTestApp();
  ({ key, clientId } = await clientWithKey(t, `Supervision Co ${run}`));
  ({ key: otherKey } = await clientWithKey(t, `Other Supervision Co ${run}`));
  site = await created('/website', { url: `https://supervision-${run}.example`, label: 'Shop' });
  bob = await operator('Bob', ['operator'], { chat_max_number: 1 });
  carol = await operator('Carol', ['operator']);
  admin = await operator('Ada', ['admin']);
  await operator('Max', ['manager']);
  agentToken = await login('Bob');
  adminToken = await login('Ada');
  managerToken = await login('Max');
  await changeOperatorLive(t.store.db, clientId, bob, { chat: true });
  const answered = await startChat('Where is my order?');
  if (answered.kind !== 'assigned') throw new Error(`expected an assignment, got ${answered.kind}`);
  answeredId = answered.conversationId;
  const waiting = await startChat('Hello, anyone there?');
  if (waiting.kind !== 'queued') throw new Error(`expected a queued start, got ${waiting.kind}`);
  waitingId = waiting.conversationId;
});
afterAll(async () => t.close());

describe('GET /supervision', () => {
  it('lists the waiting conversation first with its queue place, then the open one with its operator, and the loads', async () => {
    const view = await supervision();
    const ids = view.conversations.map((row) => row.id);
    expect(ids).toEqual([waitingId, answeredId]);
    const [waiting, open] = view.conversations;
    expect(waiting).toMatchObject({ status: 'waiting', operator_id: null, queue_position: 1, website: 'Shop' });
    expect(waiting?.waiting_since).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(waiting?.last_message).toEqual(expect.objectContaining({ from: 'visitor', text: 'Hello, anyone there?' }));
    expect(open).toMatchObject({ status: 'open', operator_id: bob, operator_name: 'Bob', queue_position: null });
    const bobRow = view.operators.find((row) => row.id === bob);
    expect(bobRow).toMatchObject({ name: 'Bob', connected: true, website_list: [site] });
    expect(bobRow?.chat).toMatchObject({ slot_number: 1, slot_max_number: 1, busy: true, available: true });
    expect(view.operators.find((row) => row.id === carol)).toMatchObject({ connected: false });
  });

  it('filters by status and website, naming a bad filter', async () => {
    expect((await supervision('?status=waiting')).conversations.map((row) => row.id)).toEqual([waitingId]);
    expect((await supervision(`?website_id=${site}&status=open`)).conversations.map((row) => row.id)).toEqual([
      answeredId,
    ]);
    const bad = await asSession(adminToken, 'GET', '/supervision?status=closed');
    expect(bad.status).toBe(400);
    expect(bad.body.meta.field).toBe('status');
    const foreign = await t.api('POST', '/website', { key: otherKey, json: { url: `https://x-${run}.example` } });
    const unknown = await asSession(adminToken, 'GET', `/supervision?website_id=${foreign.body.data.id}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.meta.field).toBe('website_id');
  });

  it("refuses an operator's session with 403 in the envelope, and lets a manager supervise", async () => {
    const refused = await asSession(agentToken, 'GET', '/supervision');
    expect(refused.status).toBe(403);
    expect(refused.body.meta).toMatchObject({ status: 'error' });
    expect(String(refused.body.meta.message)).toContain('manager or admin');
    expect((await asSession(managerToken, 'GET', '/supervision')).status).toBe(200);
    // Another client's key sees none of it.
    const other = await t.api('GET', '/supervision', { key: otherKey });
    expect(other.body.data.conversations).toEqual([]);
  });
});

describe('POST /conversation/{id}/transfer', () => {
  it('refuses an operator, a missing or double target, and an operator who is not connected', async () => {
    const byAgent = await asSession(agentToken, 'POST', `/conversation/${waitingId}/transfer`, { operator_id: bob });
    expect(byAgent.status).toBe(403);
    const none = await asSession(adminToken, 'POST', `/conversation/${waitingId}/transfer`, {});
    expect(none.status).toBe(400);
    expect(none.body.meta.field).toBe('operator_id');
    const two = await asSession(adminToken, 'POST', `/conversation/${waitingId}/transfer`, {
      operator_id: bob,
      group_id: 1,
    });
    expect(two.status).toBe(400);
    const absent = await asSession(adminToken, 'POST', `/conversation/${waitingId}/transfer`, { operator_id: carol });
    expect(absent.status).toBe(409);
    expect(String(absent.body.meta.message)).toContain('not connected');
    // The cause is a stable reason beside the message, which the console says in the supervisor's language.
    expect(absent.body.meta).toMatchObject({ error: 'conflict', reason: 'operator_not_connected' });
    const foreign = await t.api('POST', `/conversation/${waitingId}/transfer`, {
      key: otherKey,
      json: { operator_id: bob },
    });
    expect(foreign.status).toBe(404);
  });

  it('assigns the waiting conversation to a busy operator: it opens with them, over their chat limit', async () => {
    const assigned = await asSession(adminToken, 'POST', `/conversation/${waitingId}/transfer`, { operator_id: bob });
    expect(assigned.status).toBe(200);
    expect(assigned.body.data).toEqual({ conversation_id: waitingId, operator_id: bob, queue_position: null });
    expect(await eventTypesFor(t, 'conversation', waitingId)).toContain('conversation.transferred');
    const view = await supervision();
    expect(view.conversations.find((row) => row.id === waitingId)).toMatchObject({
      status: 'open',
      operator_id: bob,
      queue_position: null,
      waiting_since: null,
    });
    expect(view.operators.find((row) => row.id === bob)?.chat).toMatchObject({ slot_number: 2, busy: true });
  });

  it('lets the supervisor take a conversation over, even while not connected themselves', async () => {
    const taken = await asSession(adminToken, 'POST', `/conversation/${answeredId}/transfer`, { operator_id: admin });
    expect(taken.status).toBe(200);
    expect(taken.body.data.operator_id).toBe(admin);
    const again = await asSession(adminToken, 'POST', `/conversation/${answeredId}/transfer`, { operator_id: admin });
    expect(again.status).toBe(409);
    expect(again.body.meta).toMatchObject({ error: 'conflict', reason: 'operator_has_conversation' });
    const row = (await supervision()).conversations.find((conversation) => conversation.id === answeredId);
    expect(row).toMatchObject({ operator_id: admin, operator_name: 'Ada' });
  });
});
