// Full-text search end to end through the API, on the dialect the run uses: ranking, snippets (escaped, <mark>
// only), filters, tenant isolation, notes kept for readers who may see them, and an index that follows writes.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as searchMigration from '../../db/migrations/20261205T1930-search.js';
import * as vectorMigration from '../../db/migrations/20261206T0000-message-search-vector.js';
import { clientWithKey, startTestApp, type TestApp } from '../../test/harness.js';
import { searchConversations } from './query.js';
import { snippetHtml } from './snippet.js';
import { searchWords } from './terms.js';

let t: TestApp;
let key: string;
let clientId: number;
let otherKey: string;
let site: number;
let otherSite: number;
let operator: number;
let otherOperator: number;
/** A word no other test writes, so each test counts only its own conversations. */
const unique = (stem: string) => `${stem}${Math.random().toString(36).slice(2, 8)}`;

async function post(path: string, json: Record<string, unknown>, as = key) {
  const answer = await t.api('POST', path, { key: as, json });
  if (answer.status !== 200) throw new Error(`POST ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.data;
}
async function conversation(texts: string[], extra: Record<string, unknown> = {}, as = key, website = site) {
  const history = texts.map((text, index) => [index % 2 === 0 ? 2 : 1, '2026-11-20 10:00:00', text]);
  const operator_id = as === key ? operator : otherOperator;
  return Number((await post('/conversation', { website_id: website, operator_id, history, ...extra }, as)).id);
}
async function search(query: string, as = key) {
  return t.api('GET', `/conversation/search?${query}`, { key: as });
}

beforeAll(async () => {
  t = await startTestApp();
  ({ key, clientId } = await clientWithKey(t, 'Search Co'));
  ({ key: otherKey } = await clientWithKey(t, 'Other Search Co'));
  site = Number((await post('/website', { url: `https://search${unique('')}.example` })).id);
  otherSite = Number((await post('/website', { url: `https://other${unique('')}.example` }, otherKey)).id);
  const email = (who: string) => `${unique(who)}@search.example`;
  operator = Number((await post('/operator', { name: 'Olga', email: email('olga') })).id);
  otherOperator = Number((await post('/operator', { name: 'Otto', email: email('otto') }, otherKey)).id);
});
afterAll(async () => t.close());

describe('full-text search', () => {
  it('ranks a conversation that says the word three times above one that says it once, most relevant first', async () => {
    const word = unique('parcel');
    const once = await conversation([`Hello, about my ${word}`, 'Sure, let me look', 'Thanks']);
    const thrice = await conversation([`My ${word} is late`, `Which ${word}?`, `The ${word} I ordered monday`]);
    const answer = await search(`q=${word}`);
    expect(answer.status).toBe(200);
    expect(answer.body.data.map((row) => row.id)).toEqual([thrice, once]);
    expect(answer.body.pagination).toMatchObject({ count: 2, page: 1 });
    const listed = await t.api('GET', `/conversation?filters[q]=${word}`, { key });
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((row) => row.id)).toEqual([thrice, once]);
  });

  it('finds words by their start, answering the matching snippet', async () => {
    const word = unique('order');
    const id = await conversation([`Where is my ${word}s number 4512? It should have arrived`, 'Checking']);
    const answer = await search(`q=${word}`);
    expect(answer.body.data).toHaveLength(1);
    expect(answer.body.data[0]).toMatchObject({ id, matched_in: 'message', seq: 1, status: 'open' });
    expect(answer.body.data[0]?.snippet).toContain(`<mark>${word}s</mark>`);
  });

  it('escapes the stored text in snippets: only its own <mark> is markup', async () => {
    const word = unique('boom');
    await conversation([`<img src=x onerror="alert(1)"> ${word} & co`]);
    const snippet = String((await search(`q=${word}`)).body.data[0]?.snippet);
    expect(snippet).not.toContain('<img');
    expect(snippet).toContain(' &amp; co');
    // PostgreSQL's headline leaves markup tokens out; SQLite keeps the text, escaped.
    if (t.store.dialect === 'sqlite') expect(snippet).toContain('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;');
    expect(snippet.replaceAll('<mark>', '').replaceAll('</mark>', '')).not.toMatch(/[<>]/);
    expect(snippetHtml('a \uE000<b>\uE001 \uE000c')).toBe('a <mark>&lt;b&gt;</mark> <mark>c</mark>');
  });

  it("finds conversations by the visitor's name and email, and by tag", async () => {
    const surname = unique('Dupont');
    const visitor = await post('/visitor', {
      unique_id: unique('v'),
      firstname: 'Amélie',
      lastname: surname,
      email: `${surname.toLowerCase()}@example.com`,
      website_id: [site],
    });
    const byVisitor = await conversation(['Bonjour'], { visitor_uid: visitor.unique_id });
    const tagName = unique('Refund');
    const tag = await post('/tag', { name: tagName });
    const byTag = await conversation(['Hi'], { tag_list: [tag.id] });
    const named = await search(`q=${surname}`);
    expect(named.body.data.map((row) => row.id)).toEqual([byVisitor]);
    expect(named.body.data[0]).toMatchObject({ matched_in: 'visitor', visitor_name: `Amélie ${surname}` });
    expect(named.body.data[0]?.snippet).toContain('<mark>');
    const mailed = await search(`q=${encodeURIComponent(`${surname.toLowerCase()}@example.com`)}`);
    expect(mailed.body.data.map((row) => row.id)).toEqual([byVisitor]);
    const tagged = await search(`q=${tagName}`);
    expect(tagged.body.data.map((row) => row.id)).toEqual([byTag]);
    expect(tagged.body.data[0]).toMatchObject({ matched_in: 'tag', tag_list: [tag.id] });
  });

  it('filters by status, website, channel, operator, tag and dates', async () => {
    const word = unique('invoice');
    const secondSite = Number((await post('/website', { url: `https://second${unique('')}.example` })).id);
    const tag = await post('/tag', { name: unique('billing') });
    const open = await conversation([`${word} please`]);
    const closed = await conversation([`${word} again`], { tag_list: [tag.id] });
    await post(`/conversation/${closed}/close`, {});
    const elsewhere = await conversation([`${word} there`], { channel: 'call' }, key, secondSite);
    const old = await conversation([`${word} long ago`], { created_at: '2025-01-10 09:00:00' });
    const ids = async (filters: string) => (await search(`q=${word}&${filters}`)).body.data.map((row) => row.id);
    expect(await ids('filters[status]=closed')).toEqual([closed]);
    expect((await ids('filters[status]=open')).sort()).toEqual([open, elsewhere, old].sort());
    expect(await ids(`filters[website_id]=${secondSite}`)).toEqual([elsewhere]);
    expect(await ids('filters[channel]=call')).toEqual([elsewhere]);
    expect(await ids(`filters[tag_id]=${tag.id}`)).toEqual([closed]);
    expect(await ids('filters[operator_id]=null')).toEqual([]);
    expect((await ids(`filters[operator_id]=${operator}`)).length).toBe(4);
    expect(await ids('filters[from]=2025-01-01&filters[to]=2025-01-31')).toEqual([old]);
    expect((await ids('filters[from]=2026-01-01')).sort()).toEqual([open, closed, elsewhere].sort());
  });

  it('never returns another client’s conversations', async () => {
    const word = unique('secret');
    const mine = await conversation([`${word} of ours`]);
    const theirs = await conversation([`${word} of theirs`, `${word} ${word}`], {}, otherKey, otherSite);
    expect((await search(`q=${word}`)).body.data.map((row) => row.id)).toEqual([mine]);
    expect((await search(`q=${word}`, otherKey)).body.data.map((row) => row.id)).toEqual([theirs]);
    const listed = await t.api('GET', `/conversation?filters[q]=${word}`, { key: otherKey });
    expect(listed.body.data.map((row) => row.id)).toEqual([theirs]);
  });

  it("ranks the newest matches of the caller's own conversations: another client's volume does not push them out", async () => {
    const word = unique('invoice');
    const principal = { scope: 'client' as const, clientId, partnerId: null, keyId: 1 };
    const mine: number[] = [];
    for (let index = 0; index < 4; index++) mine.push(await conversation([`${word} number ${index}`]));
    // Newer, and more of them, elsewhere: a window over every client would hold only these.
    for (let index = 0; index < 5; index++) await conversation([`${word} ${word}`], {}, otherKey, otherSite);
    const ranked = await searchConversations(
      t.store.db,
      principal,
      { words: searchWords(word, 'q'), includeNotes: true, rankWindow: 3 },
      1,
      20,
    );
    // The three newest of the caller's four, each with its snippet; the oldest is beyond the window.
    expect(ranked.hits.map((hit) => hit.id).sort((a, b) => a - b)).toEqual(mine.slice(1));
    expect(ranked.count).toBe(3);
    for (const hit of ranked.hits) expect(hit.snippet).toContain(`<mark>${word}</mark>`);
    // With the whole window (the API's), all four.
    expect((await search(`q=${word}`)).body.pagination).toMatchObject({ count: 4 });
  });

  it('searches private and closing notes for console readers, never for a visitor-side search', async () => {
    const word = unique('fraud');
    const id = await conversation(['Hello']);
    await post(`/conversation/${id}/message`, { type: 'note', text: `Suspected ${word}, check the card` });
    const answer = await search(`q=${word}`);
    expect(answer.body.data[0]).toMatchObject({ id, matched_in: 'note' });
    const principal = { scope: 'client' as const, clientId, partnerId: null, keyId: 1 };
    const visitorSide = await searchConversations(
      t.store.db,
      principal,
      { words: searchWords(word, 'q'), includeNotes: false },
      1,
      20,
    );
    expect(visitorSide.hits).toEqual([]);
    const readerSide = await searchConversations(
      t.store.db,
      principal,
      { words: searchWords(word, 'q'), includeNotes: true },
      1,
      20,
    );
    expect(readerSide.hits.map((hit) => hit.id)).toEqual([id]);
  });

  it('follows a new message at once, and forgets an erased visitor', async () => {
    const word = unique('delivery');
    const id = await conversation(['Hello']);
    expect((await search(`q=${word}`)).body.data).toEqual([]);
    await post(`/conversation/${id}/message`, { type: 'visitor', text: `Any news of the ${word}?` });
    expect((await search(`q=${word}`)).body.data.map((row) => row.id)).toEqual([id]);

    const surname = unique('Martin');
    const visitor = await post('/visitor', {
      unique_id: unique('v'),
      lastname: surname,
      email: `${surname}@mail.test`,
    });
    const theirs = await conversation(['Hi'], { visitor_uid: visitor.unique_id });
    expect((await search(`q=${surname}`)).body.data.map((row) => row.id)).toEqual([theirs]);
    expect((await t.api('DELETE', `/visitor/${visitor.id}`, { key })).status).toBe(200);
    expect((await search(`q=${surname}`)).body.data).toEqual([]);
    expect((await search(`q=${encodeURIComponent(`${surname}@mail.test`)}`)).body.data).toEqual([]);
  });

  it('answers 400 naming the field for an empty or too long query and a bad filter', async () => {
    const cases: Array<[string, string]> = [
      ['q=', 'q'],
      ['', 'q'],
      ['q=%20%21%21', 'q'],
      [`q=${'a'.repeat(201)}`, 'q'],
      ['q=x&filters[status]=lost', 'filters[status]'],
      ['q=x&filters[channel]=fax', 'filters[channel]'],
      ['q=x&filters[website_id]=abc', 'filters[website_id]'],
      ['q=x&filters[from]=yesterday', 'filters[from]'],
      ['q=x&filters[colour]=red', 'filters[colour]'],
    ];
    for (const [query, field] of cases) {
      const answer = await search(query);
      expect(answer.status, query).toBe(400);
      expect(answer.body.meta, query).toMatchObject({ status: 'fail', field });
    }
    const listed = await t.api('GET', `/conversation?filters[q]=${'b'.repeat(201)}`, { key });
    expect(listed.status).toBe(400);
    expect(listed.body.meta).toMatchObject({ field: 'filters[q]' });
  });

  it('indexes what existed before the migration (backfill)', async () => {
    // Without the index (the migration undone), rows are written; doing the migration again must index them.
    const word = unique('backfill');
    const surname = unique('Avant');
    const tagName = unique('Ancien');
    // PostgreSQL's stored message vector (a later migration) goes first and comes back last, as the order of the
    // migrations has it; on SQLite it is nothing.
    await vectorMigration.down(t.store.db as never);
    await searchMigration.down(t.store.db as never);
    try {
      const visitor = await post('/visitor', { unique_id: unique('v'), lastname: surname });
      const tag = await post('/tag', { name: tagName });
      const id = await conversation([`The ${word} was written first`], {
        visitor_uid: visitor.unique_id,
        tag_list: [tag.id],
      });
      await searchMigration.up(t.store.db as never);
      await vectorMigration.up(t.store.db as never);
      for (const query of [word, surname, tagName])
        expect(
          (await search(`q=${query}`)).body.data.map((row) => row.id),
          query,
        ).toEqual([id]);
    } finally {
      if (t.store.dialect === 'sqlite') {
        const exists = await sql<{
          n: number;
        }>`select count(*) as n from sqlite_master where name = 'message_search'`.execute(t.store.db);
        if (Number(exists.rows[0]?.n) === 0) await searchMigration.up(t.store.db as never);
      }
    }
    if (t.store.dialect !== 'sqlite') return;
    // What the triggers kept since matches the rows: FTS5's own check of an external-content index.
    for (const table of ['message_search', 'visitor_search', 'tag_search'])
      await sql`insert into ${sql.table(table)}(${sql.ref(table)}, rank) values ('integrity-check', 0)`.execute(
        t.store.db,
      );
  });
});
