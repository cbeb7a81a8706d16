// Flows started by a schedule and by any committed event, and deleting a flow: the schedule fires once per due time
// and plans its next firing, an event trigger starts a run with the event in its variables (its own runs' events are
// refused), and a deleted flow leaves the lists, cancels its runs only when asked, and frees its code.
import { eventually } from '@causerie/test-support/wait';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientWithKey, startTestApp, type TestApp } from '../../test/harness.js';

let t: TestApp;
let key: string;
let clientId: number;

async function call(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, json?: unknown) {
  const response = await t.app.inject({
    method,
    url: `/api/commerce/v1${path}`,
    headers: { 'x-api-key': key, ...(json !== undefined && { 'content-type': 'application/json' }) },
    ...(json !== undefined && { payload: JSON.stringify(json) }),
  });
  return {
    status: response.statusCode,
    body: response.json<{ meta: { message?: string; field?: string }; data: Record<string, unknown> }>(),
  };
}

const runsOf = (flowId: number) =>
  t.store.db
    .selectFrom('flow_run')
    .select(['id', 'state', 'user_key', 'variables', 'error'])
    .where('flow_id', '=', flowId)
    .orderBy('id')
    .execute();

beforeAll(async () => {
  t = await startTestApp();
  ({ key, clientId } = await clientWithKey(t, 'Trigger shop'));
});
afterAll(async () => t.close());

describe('a schedule trigger', () => {
  it('plans its next firing, fires once when due with its user_key and data, and plans the next', async () => {
    const created = await call('POST', '/flows', {
      code: 'daily-digest',
      name: 'Daily digest',
      trigger: { type: 'schedule', every_minutes: 60, user_key: 'digest', data: { list: 'vip' } },
      definition: { steps: [{ id: 'note', type: 'set_variable', name: 'sent', value: '{{list}}' }] },
    });
    expect(created.status).toBe(200);
    const flowId = Number(created.body.data.flow_id);
    const planned = Date.parse(String(created.body.data.next_fire_at));
    expect(planned - Date.now()).toBeGreaterThan(59 * 60_000);
    expect(planned - Date.now()).toBeLessThanOrEqual(60 * 60_000);
    expect(await runsOf(flowId)).toEqual([]);
    // Its time comes (the clock is moved by the row, not waited for).
    await t.store.db
      .updateTable('flow')
      .set({ next_fire_at: new Date(Date.now() - 1_000).toISOString() })
      .where('id', '=', flowId)
      .execute();
    const [run, ...more] = await eventually(async () => {
      const runs = await runsOf(flowId);
      return runs.length > 0 && runs.every((one) => one.state === 'done') ? runs : undefined;
    });
    expect(more).toEqual([]);
    expect(run?.user_key).toBe('digest');
    expect(JSON.parse(run?.variables ?? '{}')).toMatchObject({ list: 'vip', sent: 'vip' });
    const after = await call('GET', `/flows/${flowId}`);
    expect(Date.parse(String(after.body.data.next_fire_at)) - Date.now()).toBeGreaterThan(58 * 60_000);
    // Deactivated: no firing planned.
    const off = await call('PATCH', `/flows/${flowId}`, { active: false });
    expect(off.body.data.next_fire_at).toBeNull();
  });

  it("takes a daily Europe/Rome time, and refuses both or neither of 'every_minutes' and 'at'", async () => {
    const daily = await call('POST', '/flows', {
      code: 'morning',
      name: 'Morning',
      trigger: { type: 'schedule', at: '09:30', user_key: 'morning' },
    });
    expect(daily.status).toBe(200);
    expect(String(daily.body.data.next_fire_at)).toMatch(/T09:30:00\+0[12]:00$/);
    const both = await call('POST', '/flows', {
      code: 'both',
      name: 'Both',
      trigger: { type: 'schedule', at: '09:30', every_minutes: 5, user_key: 'x' },
    });
    expect(both.status).toBe(400);
    expect(both.body.meta.message).toMatch(/either 'every_minutes' or 'at'/);
    const badTime = await call('POST', '/flows', {
      code: 'bad-time',
      name: 'Bad',
      trigger: { type: 'schedule', at: '25:00', user_key: 'x' },
    });
    expect(badTime.status).toBe(400);
  });
});

describe('an event trigger', () => {
  it('starts a run on each committed event of its types, the event in its variables', async () => {
    const created = await call('POST', '/flows', {
      code: 'on-skill',
      name: 'On a new skill',
      trigger: { type: 'event', event_types: ['skill.created'] },
      definition: { steps: [{ id: 'name', type: 'set_variable', name: 'skill', value: '{{event.payload.name}}' }] },
    });
    expect(created.status).toBe(200);
    const flowId = Number(created.body.data.flow_id);
    const skill = await t.api('POST', '/skill', { key, json: { name: 'Spedizioni' } });
    expect(skill.status).toBe(200);
    const [run] = await eventually(async () => {
      const runs = await runsOf(flowId);
      return runs.length > 0 && runs.every((one) => one.state === 'done') ? runs : undefined;
    });
    expect(run?.user_key).toBe(`skill:${skill.body.data.id}`);
    expect(JSON.parse(run?.variables ?? '{}')).toMatchObject({
      skill: 'Spedizioni',
      event: { type: 'skill.created', subject: { type: 'skill', id: skill.body.data.id } },
    });
    // Another account's events start none of this account's flows.
    const other = await clientWithKey(t, 'Other shop');
    expect((await t.api('POST', '/skill', { key: other.key, json: { name: 'Altro' } })).status).toBe(200);
    await t.context.flows?.settled();
    expect(await runsOf(flowId)).toHaveLength(1);
    void clientId;
  });

  it('refuses unknown event types and the events of its own runs, naming the entry', async () => {
    const unknown = await call('POST', '/flows', {
      code: 'nope',
      name: 'Nope',
      trigger: { type: 'event', event_types: ['skill.created', 'skill.exploded'] },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.meta.message).toMatch(/trigger\.event_types\.1.*'skill\.exploded' is not an event type/);
    const loop = await call('POST', '/flows', {
      code: 'loop',
      name: 'Loop',
      trigger: { type: 'event', event_types: ['flow.run.ended'] },
    });
    expect(loop.status).toBe(400);
    expect(loop.body.meta.message).toMatch(/their own runs commit it/);
  });
});

describe('deleting a flow', () => {
  it('refuses while runs are under way, cancels them when asked, and frees the code; the history stays', async () => {
    const created = await call('POST', '/flows', {
      code: 'slow',
      name: 'Slow',
      definition: { steps: [{ id: 'sleep', type: 'wait', seconds: 3_600 }] },
    });
    const flowId = Number(created.body.data.flow_id);
    const request = await call('POST', '/createRequest', { flow: 'slow', user_key: 'cliente-9' });
    expect(request.status).toBe(200);
    await eventually(async () => ((await runsOf(flowId))[0]?.state === 'waiting' ? true : undefined));

    const refused = await call('DELETE', `/flows/${flowId}`);
    expect(refused.status).toBe(409);
    expect(refused.body.meta.message).toMatch(/has 1 run\(s\) under way/);
    expect((await call('GET', '/flows')).body.data).toEqual(
      expect.arrayContaining([expect.objectContaining({ flow_id: flowId })]),
    );

    const deleted = await call('DELETE', `/flows/${flowId}?cancel_runs=true`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.data).toEqual({ flow_id: flowId, cancelled_runs: 1 });
    expect((await runsOf(flowId)).map((run) => run.state)).toEqual(['cancelled']);
    const list = (await call('GET', '/flows')).body.data as unknown as Array<{ flow_id: number }>;
    expect(list.some((flow) => flow.flow_id === flowId)).toBe(false);
    expect((await call('GET', `/flows/${flowId}`)).status).toBe(404);
    expect((await call('DELETE', `/flows/${flowId}`)).status).toBe(404);
    const gone = await call('POST', '/createRequest', { flow: 'slow', user_key: 'cliente-9' });
    expect(gone.status).toBe(400);
    expect(gone.body.meta.message).toMatch(/No flow has the code 'slow'/);
    // The code is free again; the deleted flow's run is still in the customer's history.
    expect((await call('POST', '/flows', { code: 'slow', name: 'Slow again' })).status).toBe(200);
    const history = await call('GET', '/getFlowByUserKey?user_key=cliente-9');
    expect(history.body.data).toEqual(expect.arrayContaining([expect.objectContaining({ state: 'cancelled' })]));
  });
});
