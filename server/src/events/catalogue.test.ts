// The event catalogue is the one source: every event has one payload schema, the payloads commands append (and store,
// and relay to other nodes) match it, and the webhook mapping and docs/WEBHOOKS.md name exactly its events.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, clientWithKey, partnerWithKey, startTestApp, type TestApp } from '../test/harness.js';
import { EVENTS_NOT_SENT, WEBHOOK_EVENT_NAMES } from '../webhooks/payloads.js';
import { appendEvent, type NewEvent } from './append.js';
import { EVENT_TYPES } from './catalogue.js';
import { eventProblems } from './check.js';
import { type CommittedEvent, EventDispatcher, type EventRelay } from './dispatcher.js';
import { transact } from './transact.js';

const sorted = (names: Iterable<string>): string[] => [...names].sort();

/** The event names a part of docs/WEBHOOKS.md spells in backticks (`conversation.started`, `commerce.order.created`). */
function eventNamesIn(text: string): string[] {
  return [...text.matchAll(/`([a-z_]+(?:\.[a-z_]+)+)`/g)].map((match) => match[1] ?? '');
}

describe('the webhook mapping and docs/WEBHOOKS.md', () => {
  const docs = readFileSync(new URL('../../../docs/WEBHOOKS.md', import.meta.url), 'utf8');
  const section = (from: string, to: string): string => {
    const start = docs.indexOf(from);
    const end = docs.indexOf(to, start + from.length);
    expect(start, `docs/WEBHOOKS.md has "${from}"`).toBeGreaterThanOrEqual(0);
    expect(end, `docs/WEBHOOKS.md has "${to}" after "${from}"`).toBeGreaterThan(start);
    return docs.slice(start, end);
  };

  it('name every event of the catalogue once: sent to subscriptions, or not sent with a reason', () => {
    const sent = WEBHOOK_EVENT_NAMES as string[];
    const notSent = Object.keys(EVENTS_NOT_SENT);
    expect(sent.filter((name) => notSent.includes(name))).toEqual([]);
    expect(sorted([...sent, ...notSent])).toEqual(sorted(EVENT_TYPES));
    for (const reason of Object.values(EVENTS_NOT_SENT)) expect(reason).toMatch(/\S/);
  });

  it('document exactly the events sent, in the table of events and payloads (first column)', () => {
    const table = section('## Events and payloads', '\nDomains:')
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .flatMap((line) => eventNamesIn(line.split('|')[1] ?? ''));
    expect(sorted(new Set(table))).toEqual(sorted(WEBHOOK_EVENT_NAMES));
  });

  it('document exactly the events not sent, under "Events not sent"', () => {
    const listed = eventNamesIn(section('### Events not sent', '\n## '));
    expect(sorted(new Set(listed))).toEqual(sorted(Object.keys(EVENTS_NOT_SENT)));
  });
});

describe('payloads', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  /** Calls the API and fails the test on anything but 200, so every command below really ran. */
  async function ok(
    method: Parameters<TestApp['api']>[0],
    path: string,
    key: string,
    json: Record<string, unknown> = {},
  ) {
    const answer = await t.api(method, path, { key, json });
    expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.body)}`).toBe(200);
    return answer.body.data as Record<string, unknown> & { id: number };
  }

  it('as the commands stored them, every one matches its schema', async () => {
    const { key: partnerKey } = await partnerWithKey(t, 'Catalogue Partner');
    const { clientId, key } = await clientWithKey(t, 'Catalogue Co', partnerKey);
    await ok('PUT', `/client/${clientId}`, ADMIN_KEY, { name: 'Catalogue Company' });
    const site = (await ok('POST', '/website', key, { url: 'https://catalogue.example' })).id;
    await ok('PUT', `/website/${site}`, key, { label: 'Catalogue shop' });
    const operator = (
      await ok('POST', '/operator', key, { name: 'Cat Agent', email: 'agent@catalogue.example', website_list: [site] })
    ).id;
    await ok('PUT', `/operator/${operator}`, key, { name: 'Catalogue Agent', chat_max_number: 5 });
    await ok('PUT', `/operator/${operator}/live`, key, { chat: { available: 1 } });
    const group = (await ok('POST', '/group', key, { name: 'Catalogue group' })).id;
    await ok('PUT', `/group/${group}`, key, { name: 'Catalogue team' });
    await ok('DELETE', `/group/${group}`, key);
    const skill = (await ok('POST', '/skill', key, { name: 'Catalogue skill' })).id;
    await ok('PUT', `/skill/${skill}`, key, { name: 'Cataloguing' });
    await ok('DELETE', `/skill/${skill}`, key);
    const tag = (await ok('POST', '/tag', key, { name: 'Catalogue tag' })).id;
    await ok('PUT', `/tag/${tag}`, key, { name: 'Catalogued' });
    const visitor = (await ok('POST', '/visitor', key, { unique_id: 'catalogue-visitor', website_id: [site] })).id;
    await ok('PUT', `/visitor/${visitor}`, key, { firstname: 'Cat' });
    const conversation = (
      await ok('POST', '/conversation', key, {
        website_id: site,
        visitor_uid: 'catalogue-visitor',
        operator_id: operator,
      })
    ).id;
    await ok('POST', `/conversation/${conversation}/message`, key, { type: 'visitor', text: 'Hello' });
    await ok('PUT', `/conversation/${conversation}`, key, { tag_list: [tag] });
    await ok('POST', `/conversation/${conversation}/close`, key);
    await ok('POST', '/satisfaction', key, {
      conversation_id: conversation,
      note_welcome: 3,
      note_delay: 2,
      note_resolution: 3,
    });
    await ok('POST', '/transaction', key, { website_id: site, external_id: 'CAT-1', amount: 12.5, currency: 'EUR' });
    const meeting = (
      await ok('POST', '/callmeeting', key, {
        website_id: site,
        phone_number: '0600000000',
        start_at: '2030-01-01 10:00:00',
      })
    ).id;
    await ok('PUT', `/callmeeting/${meeting}`, key, { status: 'done' });
    const webhook = (await ok('POST', '/webhook', key, { url: 'https://hooks.example.com/catalogue', events: ['*'] }))
      .id;
    await ok('PUT', `/webhook/${webhook}`, key, { name: 'Catalogue hook' });
    await ok('POST', `/webhook/${webhook}/rotate`, key, { overlap_hours: 1 });
    await ok('DELETE', `/webhook/${webhook}`, key);
    const minted = (await ok('POST', `/client/${clientId}/key`, ADMIN_KEY, { name: 'short-lived' })).id;
    await ok('DELETE', `/key/${minted}`, ADMIN_KEY);
    await ok('PUT', `/operator/${operator}/live`, key, { connected: 0 });
    await ok('DELETE', `/visitor/${visitor}`, key);
    await ok('DELETE', `/operator/${operator}`, key);
    await t.context.reactions.settled();

    const rows = await t.store.db.selectFrom('event').select(['id', 'type', 'payload']).orderBy('id').execute();
    const wrong = rows
      .map((row) => ({ id: row.id, type: row.type, problems: eventProblems(row.type, JSON.parse(row.payload)) }))
      .filter((row) => row.problems.length > 0);
    expect(wrong).toEqual([]);
    // The commands above reached these events (a check of nothing would pass too).
    expect(new Set(rows.map((row) => row.type))).toEqual(
      new Set([
        'partner.created',
        'client.created',
        'client.updated',
        'api_key.created',
        'api_key.revoked',
        'website.created',
        'website.updated',
        'user.created',
        'user.updated',
        'user.connected',
        'user.availability_changed',
        'user.disconnected',
        'user.deleted',
        'group.created',
        'group.updated',
        'group.deleted',
        'skill.created',
        'skill.updated',
        'skill.deleted',
        'tag.created',
        'tag.updated',
        'visitor.created',
        'visitor.updated',
        'visitor.deleted',
        'conversation.started',
        'conversation.updated',
        'conversation.closed',
        'message.created',
        'satisfaction.filled',
        'transaction.created',
        'call_meeting.created',
        'call_meeting.updated',
        'webhook.created',
        'webhook.updated',
        'webhook.secret_rotated',
        'webhook.deleted',
      ]),
    );
  });

  it('that do not match their schema are refused while the tests run, and nothing is written', async () => {
    const { clientId } = await clientWithKey(t, 'Catalogue Refusal Co');
    // A cast gets past the typecheck; the check at append does not let it through.
    const wrong = {
      type: 'user.created',
      clientId,
      subject: { type: 'operator', id: 424242 },
      payload: { userId: '424242', name: 'extra' },
      at: new Date().toISOString(),
    } as unknown as NewEvent;
    const refused = transact(t.store.db, (trx) => appendEvent(trx, wrong));
    await expect(refused).rejects.toThrow(/'user\.created' does not match its schema/);
    await expect(refused).rejects.toThrow(/\/userId: must be integer/);
    await expect(refused).rejects.toThrow(/additional properties \(name\)/);
    const stored = await t.store.db.selectFrom('event').select('id').where('subject_id', '=', 424242).execute();
    expect(stored).toEqual([]);
  });

  it('relayed from another node are handed to reactions only when they match their schema', async () => {
    const reported: string[] = [];
    const node = new EventDispatcher((error, reaction) => reported.push(`${reaction}: ${String(error)}`));
    let deliver: (events: readonly CommittedEvent[]) => void = () => undefined;
    const relay: EventRelay = {
      publish: () => undefined,
      subscribe: (handler) => {
        deliver = handler;
        return () => undefined;
      },
    };
    node.connect(relay);
    const seen: unknown[] = [];
    node.on(['api_key.revoked', 'user.created'], (events) => void seen.push(...events.map((e) => e.payload)), {
      name: 'cache',
      where: 'every_node',
    });
    const event = { partnerId: null, clientId: 1, subject: { type: 'operator', id: 5 }, at: new Date().toISOString() };
    // As JSON from a node of another version: a payload of another shape, an event this version does not know.
    deliver(
      JSON.parse(
        JSON.stringify([
          { ...event, type: 'user.created', payload: { userId: 'five' } },
          { ...event, type: 'user.renamed', payload: {} },
          { ...event, type: 'user.created', payload: { userId: 5 } },
        ]),
      ),
    );
    await node.settled();
    expect(seen).toEqual([{ userId: 5 }]);
    expect(reported).toEqual([
      expect.stringMatching(/^relay: .*'user\.created' refused: \/userId/),
      expect.stringMatching(/^relay: .*'user\.renamed' refused: .*not an event of the catalogue/),
    ]);
  });
});
