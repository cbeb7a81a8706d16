// The widget's survey over the visitor socket: the `satisfaction` frame records the answer of the visitor's own conversation.
import type { AddressInfo } from 'node:net';
import { RealtimeClient } from '@causerie/test-support/realtime-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientWithKey, eventTypesFor, startTestApp, type TestApp } from '../test/harness.js';
import { gatewayOf } from './plugin.js';

let t: TestApp;
let base: string;
let key: string;
let websiteId: number;
const sockets: RealtimeClient[] = [];

async function helloedVisitor(fields: Record<string, unknown> = {}): Promise<{ socket: RealtimeClient; vuid: string }> {
  const socket = await RealtimeClient.open(`${base}/realtime/visitor`);
  sockets.push(socket);
  const welcome = await socket.request({ type: 'hello', website_id: websiteId, ...fields }, 'welcome');
  return { socket, vuid: String(welcome.vuid) };
}

beforeAll(async () => {
  t = await startTestApp();
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `ws://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  ({ key } = await clientWithKey(t, 'Survey Co'));
  websiteId = (await t.api('POST', '/website', { key, json: { url: 'https://survey.example' } })).body.data.id;
});

afterAll(async () => {
  await Promise.all(sockets.map((socket) => socket.close()));
  await t.close();
});

describe('the satisfaction frame', () => {
  let conversationId: number;
  let visitor: { socket: RealtimeClient; vuid: string };

  beforeAll(async () => {
    visitor = await helloedVisitor();
    // Nobody is available: the conversation ends at once (missed_offline), and may still be rated.
    const started = await visitor.socket.request(
      { type: 'start', text: 'Anyone there?', client_message_id: 's-1' },
      'started',
    );
    expect(started.outcome).toBe('offline');
    conversationId = Number(started.conversation_id);
  });

  it('refuses a note outside 1–3 and a missing note, naming the field', async () => {
    const outOfRange = await visitor.socket.request(
      { type: 'satisfaction', conversation_id: conversationId, note_welcome: 4, note_delay: 2, note_resolution: 3 },
      'error',
    );
    expect(outOfRange).toMatchObject({ code: 'field_invalid', field: 'note_welcome' });
    expect(String(outOfRange.message)).toBe(
      "Value of field 'note_welcome' is not valid. Expected a whole number from 1 to 3 (3 is the most satisfied).",
    );
    const missing = await visitor.socket.request(
      { type: 'satisfaction', conversation_id: conversationId, note_welcome: 3, note_resolution: 3 },
      'error',
    );
    expect(missing).toMatchObject({
      code: 'field_missing',
      field: 'note_delay',
      message: "Field 'note_delay' is missing.",
    });
  });

  it("records the visitor's answer, visible in GET /api/2/satisfaction, with its event", async () => {
    const recorded = await visitor.socket.request(
      {
        type: 'satisfaction',
        conversation_id: conversationId,
        note_welcome: 3,
        note_delay: 2,
        note_resolution: 1,
        comment: '<b>Quick</b> & kind',
        ref: 'q1',
      },
      'satisfaction_recorded',
    );
    expect(recorded).toEqual({
      type: 'satisfaction_recorded',
      conversation_id: conversationId,
      satisfaction_id: expect.any(Number),
      ref: 'q1',
    });
    const listed = await t.api('GET', `/satisfaction?full=1&filters%5Bconversation_id%5D=${conversationId}`, { key });
    expect(listed.body.data).toEqual([
      expect.objectContaining({
        id: recorded.satisfaction_id,
        conversation_id: conversationId,
        website_id: websiteId,
        note_welcome: 1,
        note_delay: 0.67,
        note_resolution: 0.33,
        comment: '<b>Quick</b> & kind',
      }),
    ]);
    expect(await eventTypesFor(t, 'satisfaction', Number(recorded.satisfaction_id))).toEqual(['satisfaction.filled']);
  });

  it('answers a second answer for the same conversation with conflict', async () => {
    const again = await visitor.socket.request(
      { type: 'satisfaction', conversation_id: conversationId, note_welcome: 1, note_delay: 1, note_resolution: 1 },
      'error',
    );
    expect(again).toMatchObject({
      code: 'conflict',
      message: `Conversation ${conversationId} already has a satisfaction answer.`,
    });
  });

  it('answers hostile values with field errors, never an internal error', async () => {
    const hostile = await helloedVisitor();
    for (const connection of [...(gatewayOf(t.context)?.connections.values() ?? [])].slice(-1))
      connection.rate = { perSecond: 1e6, burst: 1e6 };
    const values: unknown[] = [null, true, -1, 0, 1.5, 4, 2 ** 31, '', ' ', '3', 'x'.repeat(2001), 'a\u0000b', [], {}];
    for (const field of ['note_welcome', 'note_delay', 'note_resolution', 'comment', 'conversation_id']) {
      for (const value of values)
        hostile.socket.send({
          type: 'satisfaction',
          note_welcome: 3,
          note_delay: 3,
          note_resolution: 3,
          [field]: value,
        });
    }
    expect(await hostile.socket.request({ type: 'ping' }, 'pong', 20_000)).toEqual({ type: 'pong' });
    const errors = hostile.socket.received('error');
    expect(errors.length).toBe(5 * values.length);
    expect(
      errors.filter(
        (frame) => !['field_missing', 'field_invalid', 'not_found', 'no_conversation'].includes(String(frame.code)),
      ),
    ).toEqual([]);
  });

  it("refuses another visitor's conversation as not found, and needs a hello first", async () => {
    const stranger = await helloedVisitor();
    const refused = await stranger.socket.request(
      { type: 'satisfaction', conversation_id: conversationId, note_welcome: 3, note_delay: 3, note_resolution: 3 },
      'error',
    );
    expect(refused).toMatchObject({ code: 'not_found', field: 'conversation_id' });
    const fresh = await RealtimeClient.open(`${base}/realtime/visitor`);
    sockets.push(fresh);
    expect(
      await fresh.request({ type: 'satisfaction', note_welcome: 3, note_delay: 3, note_resolution: 3 }, 'error'),
    ).toMatchObject({ code: 'hello_required' });
  });
});
