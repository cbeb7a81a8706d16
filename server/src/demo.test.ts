// The quick start's demo data: created once, usable through the API with the printed key, and a fresh key each run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_LOGIN, type DemoData, ensureDemoData } from './demo.js';
import { startTestApp, type TestApp } from './test/harness.js';

let t: TestApp;
let first: DemoData;
let second: DemoData;

beforeAll(async () => {
  t = await startTestApp();
  first = await ensureDemoData(t.store.db);
  second = await ensureDemoData(t.store.db);
});
afterAll(async () => t.close());

describe('demo data', () => {
  it('is created once, with a conversation history, a survey answer and an attributed sale', async () => {
    expect(second.clientId).toBe(first.clientId);
    const key = second.key.plaintext;
    const operators = await t.api('GET', '/operator?full=1', { key });
    expect(operators.body.data.map((operator) => operator.email)).toContain(DEMO_LOGIN.email);
    expect(operators.body.pagination.count).toBe(3);
    // Today's two conversations come first (latest first); the month of history behind them is all closed
    // (demo-history.test.ts looks at it).
    const conversations = await t.api('GET', '/conversation?full=1', { key });
    expect(conversations.body.pagination.count).toBeGreaterThan(2);
    const [open, closed] = conversations.body.data;
    expect(open).toMatchObject({ visitor_uid: 'demo-visitor-tom', status: 'open' });
    expect(closed).toMatchObject({ visitor_uid: 'demo-visitor-lea', operator_answer: true, operator_closed: true });
    const sales = await t.api('GET', `/transaction?full=1&filters[conversation_id]=${closed?.id}`, { key });
    expect(sales.body.data).toEqual([
      expect.objectContaining({ external_id: 'DEMO-1001', conversation_id: closed?.id }),
    ]);
    expect(
      (await t.api('GET', `/satisfaction?filters[conversation_id]=${closed?.id}`, { key })).body.pagination.count,
    ).toBe(1);
  });

  it('mints a new key each run and revokes the previous one', async () => {
    expect((await t.api('GET', '/operator', { key: first.key.plaintext })).status).toBe(403);
    expect((await t.api('GET', '/operator', { key: second.key.plaintext })).status).toBe(200);
  });
});
