// Reconnect pacing, and the HTTP fallback: every frame the widget sends maps to its route, and the poll's fields become
// the frames the socket would have pushed (typing, read), so the state machine does not know which transport it is on.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ServerFrame } from './state';
import { backoffMs, Transport } from './transport';

describe('backoffMs', () => {
  it('doubles from half a second up to 15 s, within ±25 % jitter', () => {
    expect([0, 1, 2, 3, 10].map((attempt) => backoffMs(attempt, () => 0.5))).toEqual([500, 1000, 2000, 4000, 15000]);
    expect(backoffMs(0, () => 0)).toBe(375);
    expect(backoffMs(20, () => 0.999)).toBeLessThanOrEqual(18_750);
  });
});

interface Call {
  method: string;
  url: string;
  body: Record<string, unknown> | null;
}

/** A transport on the HTTP fallback against a fake server answering by path. */
function fallback(answers: Record<string, { status?: number; json: unknown }>) {
  const calls: Call[] = [];
  const frames: ServerFrame[] = [];
  vi.stubGlobal('fetch', async (url: string, init: { method: string; body?: string }) => {
    calls.push({
      method: init.method,
      url,
      body: init.body === undefined ? null : (JSON.parse(init.body) as Record<string, unknown>),
    });
    const path = new URL(url).pathname;
    const answer = answers[`${init.method} ${path}`] ?? {
      status: 404,
      json: { meta: { status: 'fail', message: 'Not found.' } },
    };
    const status = answer.status ?? 200;
    return { ok: status < 400, status, json: async () => answer.json };
  });
  const transport = new Transport(
    'https://chat.example',
    {
      frame: (frame) => frames.push(frame),
      status: () => undefined,
      hello: () => ({ website_id: 12, vuid: 'v-1', conversation_id: 41, last_seq: 3 }),
      helloRefused: () => false,
    },
    true,
  );
  return { transport, calls, frames };
}

const success = (data: unknown) => ({ json: { meta: { status: 'success' }, data } });

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('the HTTP fallback', () => {
  it('sends typing and read to their routes for the named conversation, quietly when refused', async () => {
    const { transport, calls, frames } = fallback({
      'POST /realtime/visitor/typing': {
        status: 409,
        json: { meta: { status: 'fail', message: 'Conversation 41 is closed.' } },
      },
      'POST /realtime/visitor/read': success({ conversation_id: 41, visitor_read_seq: 5 }),
    });
    expect(transport.mode).toBe('http');
    transport.send({ type: 'typing', on: true, conversation_id: 41 });
    transport.send({ type: 'read', seq: 5, conversation_id: 41 });
    await vi.waitFor(() => expect(calls).toHaveLength(2));
    expect(calls).toEqual([
      {
        method: 'POST',
        url: 'https://chat.example/realtime/visitor/typing',
        body: { website_id: 12, vuid: 'v-1', conversation_id: 41, on: true },
      },
      {
        method: 'POST',
        url: 'https://chat.example/realtime/visitor/read',
        body: { website_id: 12, vuid: 'v-1', conversation_id: 41, seq: 5 },
      },
    ]);
    // A typing or read refusal is no news for the visitor (and a `conflict` would end a survey).
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(frames.filter((frame) => frame.type === 'error')).toEqual([]);
  });

  it('sends the survey and turns the answer into satisfaction_recorded; a second answer is a conflict', async () => {
    const { transport, calls, frames } = fallback({
      'POST /realtime/visitor/satisfaction': success({ conversation_id: 41, satisfaction_id: 9 }),
    });
    transport.send({
      type: 'satisfaction',
      conversation_id: 41,
      note_welcome: 3,
      note_delay: 2,
      note_resolution: 1,
      comment: 'Quick',
    });
    await vi.waitFor(() =>
      expect(frames).toEqual([{ type: 'satisfaction_recorded', conversation_id: 41, satisfaction_id: 9 }]),
    );
    expect(calls[0]?.body).toEqual({
      website_id: 12,
      vuid: 'v-1',
      conversation_id: 41,
      note_welcome: 3,
      note_delay: 2,
      note_resolution: 1,
      comment: 'Quick',
    });

    const again = fallback({
      'POST /realtime/visitor/satisfaction': {
        status: 409,
        json: { meta: { status: 'fail', message: 'Conversation 41 already has a satisfaction answer.' } },
      },
    });
    again.transport.send({
      type: 'satisfaction',
      conversation_id: 41,
      note_welcome: 3,
      note_delay: 3,
      note_resolution: 3,
    });
    await vi.waitFor(() =>
      expect(again.frames).toEqual([
        { type: 'error', code: 'conflict', message: 'Conversation 41 already has a satisfaction answer.' },
      ]),
    );
  });

  it("sends the offline form's email with its start, and reads the poll's operator typing and read position as frames", async () => {
    const conversation = {
      id: 41,
      status: 'open',
      operator: { id: 7, name: 'Ada' },
      outcome: 'answered',
      last_seq: 6,
      operator_read_seq: 5,
    };
    const { transport, calls, frames } = fallback({
      'POST /realtime/visitor/messages': success({
        vuid: 'v-1',
        conversation_id: 41,
        seq: 5,
        client_message_id: 'o-1',
        duplicate: false,
        outcome: 'offline',
      }),
      'GET /realtime/visitor/messages': success({ conversation, entries: [], queue: null, operator_typing: true }),
    });
    transport.send({
      type: 'start',
      text: 'Call me\n\nEmail: julie@shop.example',
      client_message_id: 'o-1',
      page_type: 'offline_form',
      email: 'julie@shop.example',
    });
    await vi.waitFor(() => expect(calls).toHaveLength(2));
    expect(calls[0]?.body).toEqual({
      website_id: 12,
      vuid: 'v-1',
      text: 'Call me\n\nEmail: julie@shop.example',
      client_message_id: 'o-1',
      page_type: 'offline_form',
      email: 'julie@shop.example',
    });
    await vi.waitFor(() => expect(frames.map((frame) => frame.type)).toContain('read'));
    expect(frames).toContainEqual({ type: 'typing', conversation_id: 41, on: true });
    expect(frames).toContainEqual({ type: 'read', conversation_id: 41, by: 'operator', seq: 5 });
  });
});
