// The visitor widget in a real browser: a visitor on /demo chats with an operator (a real operator socket), HTML stays
// text, pages change, the conversation resumes, the survey reaches the API; the offline form, French, mobile, HTTP fallback.
import { createHmac } from 'node:crypto';
import { type Frame, RealtimeClient } from '@causerie/test-support/realtime-client';
import type { Browser, BrowserContext, FrameLocator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type RunningServer, shot, startServer } from './harness.js';

let server: RunningServer;
let browser: Browser;
let operator: RealtimeClient;
const contexts: BrowserContext[] = [];

const HTML_PAYLOAD = '<img src=x onerror="window.pwned=1"><b>bold?</b><script>window.pwned=2</script>';
const REPLY_PAYLOAD = '<svg onload="parent.pwned=3"></svg><a href="javascript:alert(1)">click</a> & done';

async function visitorPage(path = '/demo', viewport = { width: 1280, height: 800 }): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'en-US' });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${server.url}${path}`);
  return page;
}

/** The chat iframe (inside the loader's shadow root: Playwright's CSS engine pierces open shadow roots). */
const chat = (page: Page): FrameLocator => page.frameLocator('#causerie-frame');

async function openWidget(page: Page, label = 'Open the chat'): Promise<FrameLocator> {
  await page.getByRole('button', { name: label }).click();
  const frame = chat(page);
  await frame.locator('#cz-input').waitFor();
  return frame;
}

async function say(frame: FrameLocator, text: string): Promise<void> {
  await frame.locator('#cz-input').fill(text);
  await frame.locator('#cz-input').press('Enter');
}

/** The texts of the operator's messages the visitor sees, in order. */
const theirTexts = (frame: FrameLocator) => frame.locator('.cz-theirs .cz-text').allTextContents();

async function operatorSocket(): Promise<RealtimeClient> {
  const login = await fetch(`${server.url}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(server.demo.login),
  });
  const token = ((await login.json()) as { data: { token: string } }).data.token;
  const socket = await RealtimeClient.open(
    `${server.url.replace('http', 'ws')}/realtime/operator?token=${encodeURIComponent(token)}`,
  );
  await socket.next('snapshot');
  return socket;
}

const entryWith = (conversationId: number, match: (frame: Frame) => boolean) => (frame: Frame) =>
  frame.type === 'entry' && frame.conversation_id === conversationId && match(frame);

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  operator = await operatorSocket();
  expect(await operator.request({ type: 'availability', chat: true }, 'availability')).toMatchObject({ chat: true });
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await operator?.close();
  await browser?.close();
  await server?.stop();
});

describe('a visitor and an operator', () => {
  let page: Page;
  let frame: FrameLocator;
  let conversationId: number;

  it('opens the widget and starts a conversation; the operator gets it, HTML included, as text', async () => {
    page = await visitorPage();
    await shot(page, 'demo-page');
    frame = await openWidget(page);
    await expect
      .poll(() => page.getByRole('button', { name: 'Close the chat' }).first().getAttribute('aria-expanded'))
      .toBe('true');
    await say(frame, HTML_PAYLOAD);
    const assigned = await operator.next('assigned', 15_000);
    conversationId = Number((assigned.conversation as { id: number }).id);
    const history = assigned.history as Frame[];
    const first =
      history.find((entry) => entry.kind === 'visitor') ??
      (await operator.next(entryWith(conversationId, (entry) => entry.kind === 'visitor')));
    expect(first.text).toBe(HTML_PAYLOAD);
    // The visitor's own message is confirmed (its entry came back) and shown as text, not markup.
    await frame.locator('.cz-mine:not(.cz-pending) .cz-text').first().waitFor();
    expect(await frame.locator('.cz-mine .cz-text').first().textContent()).toBe(HTML_PAYLOAD);
    expect(await frame.locator('.cz-log img, .cz-log script, .cz-log b').count()).toBe(0);
    await shot(page, 'visitor-sent-html');
  });

  it('shows the reply as text, with typing both ways and read states', async () => {
    operator.send({ type: 'typing', conversation_id: conversationId, on: true });
    await frame.getByText('Ada is typing…').waitFor();
    await frame.locator('#cz-input').pressSequentially('typing…');
    expect(
      await operator.next(
        (frame) => frame.type === 'typing' && frame.on === true && frame.conversation_id === conversationId,
      ),
    ).toMatchObject({ on: true });
    await frame.locator('#cz-input').fill('');

    await operator.request(
      { type: 'reply', conversation_id: conversationId, text: REPLY_PAYLOAD, client_message_id: 'op-1' },
      'ack',
    );
    await expect.poll(() => theirTexts(frame)).toEqual([REPLY_PAYLOAD]);
    expect(await frame.locator('.cz-log svg, .cz-log a').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    // The visitor has the widget open: the operator learns it was read.
    expect(
      await operator.next(
        (frame) => frame.type === 'read' && frame.by === 'visitor' && frame.conversation_id === conversationId,
        10_000,
      ),
    ).toMatchObject({ by: 'visitor' });
    // And the other way: the operator read the visitor's message.
    operator.send({ type: 'read', conversation_id: conversationId, seq: 1 });
    await frame.locator('.cz-mine .cz-meta', { hasText: 'Seen' }).waitFor();
    // The page heard it through Causerie.on('message', …).
    await page.locator('#events li', { hasText: 'message' }).first().waitFor();
    await shot(page, 'reply-as-text');
  });

  it('announces new messages to screen readers and closes with Escape, giving focus back to the launcher', async () => {
    await operator.request(
      { type: 'reply', conversation_id: conversationId, text: 'Anything else?', client_message_id: 'op-2' },
      'ack',
    );
    await expect
      .poll(() => frame.locator('[aria-live="polite"]').last().textContent())
      .toBe('New message from Ada: Anything else?');
    await frame.locator('#cz-input').press('Escape');
    await expect
      .poll(() => page.getByRole('button', { name: 'Open the chat' }).getAttribute('aria-expanded'))
      .toBe('false');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-causerie'))).toBe('');
  });

  it('ignores bridge messages that do not come from the Causerie iframe', async () => {
    await page.getByRole('button', { name: 'Open the chat' }).click();
    await page.evaluate(() => window.postMessage({ causerie: 'causerie', type: 'close' }, '*'));
    await page.waitForTimeout(300);
    expect(await page.getByRole('button', { name: 'Close the chat' }).first().getAttribute('aria-expanded')).toBe(
      'true',
    );
  });

  it('tells the operator where the visitor goes, page to page and on single-page links', async () => {
    await page.getByRole('link', { name: 'Delivery' }).click();
    await page.waitForURL('**/demo/delivery');
    expect(
      (
        await operator.next(
          entryWith(
            conversationId,
            (entry) => entry.kind === 'navigation' && String(entry.text).endsWith('/demo/delivery'),
          ),
          15_000,
        )
      ).text,
    ).toBe(`${server.url}/demo/delivery`);
    await page.getByRole('button', { name: 'single-page link' }).click();
    expect(
      (
        await operator.next(
          entryWith(
            conversationId,
            (entry) => entry.kind === 'navigation' && String(entry.text).includes('section=returns'),
          ),
          15_000,
        )
      ).text,
    ).toBe(`${server.url}/demo/delivery?section=returns`);
  });

  it('resumes after being away: missed messages appear once, in order', async () => {
    // Open on the previous page, the widget opened itself on this one: close it, so unread messages show on the launcher.
    await chat(page).locator('#cz-input').press('Escape');
    await expect
      .poll(() => page.getByRole('button', { name: 'Open the chat' }).getAttribute('aria-expanded'))
      .toBe('false');
    await page.goto('about:blank');
    await operator.request(
      { type: 'reply', conversation_id: conversationId, text: 'While you were away (1)', client_message_id: 'op-3' },
      'ack',
    );
    await operator.request(
      { type: 'reply', conversation_id: conversationId, text: 'While you were away (2)', client_message_id: 'op-4' },
      'ack',
    );
    await page.goto(`${server.url}/demo`);
    // The unread count shows on the launcher before the widget is opened.
    await page.locator('[data-causerie] span', { hasText: '2' }).waitFor({ timeout: 15_000 });
    frame = await openWidget(page);
    await expect
      .poll(() => theirTexts(frame), { timeout: 10_000 })
      .toEqual([REPLY_PAYLOAD, 'Anything else?', 'While you were away (1)', 'While you were away (2)']);
    expect(await frame.locator('.cz-mine .cz-text').allTextContents()).toEqual([HTML_PAYLOAD]);
    await say(frame, 'Back again');
    await operator.next(entryWith(conversationId, (entry) => entry.kind === 'visitor' && entry.text === 'Back again'));
    await shot(page, 'resumed');
  });

  it('asks for the survey when the operator closes, and the answer appears in GET /api/2/satisfaction', async () => {
    await operator.request({ type: 'close', conversation_id: conversationId }, 'closed');
    await frame.getByText('How was your conversation?').waitFor();
    await shot(page, 'survey');
    await frame.getByRole('group', { name: 'Welcome' }).getByLabel('3 · Good').check();
    await frame.getByRole('group', { name: 'Waiting time' }).getByLabel('2 · Fair').check();
    await frame.getByRole('group', { name: 'Answer to your question' }).getByLabel('3 · Good').check();
    await frame.getByLabel('A comment (optional)').fill('<i>Very</i> helpful');
    await frame.getByRole('button', { name: 'Send my answer' }).click();
    await frame.getByText('Thank you for your answer!').waitFor();
    const response = await fetch(
      `${server.url}/api/2/satisfaction?full=1&filters%5Bconversation_id%5D=${conversationId}`,
      { headers: { 'X-API-Key': server.demo.apiKey } },
    );
    const body = (await response.json()) as { data: Record<string, unknown>[] };
    expect(body.data).toEqual([
      expect.objectContaining({
        conversation_id: conversationId,
        note_welcome: 1,
        note_delay: 0.67,
        note_resolution: 1,
        comment: '<i>Very</i> helpful',
      }),
    ]);
    await shot(page, 'survey-answered');
  });
});

describe("on the website's own pages, across origins", () => {
  /** A page of another origin embedding the widget (served by the browser's router: no DNS, no second server). */
  const consoleLines = new Map<Page, string[]>();

  async function foreignPage(origin: string): Promise<Page> {
    // Chromium asks before a public site reaches a loopback server (Local Network Access): granted here, as Causerie would be public.
    const context = await browser.newContext({ locale: 'en-US', permissions: ['local-network-access'] });
    contexts.push(context);
    const html = `<!doctype html><html><body><h1>Shop on ${origin}</h1><script>window.events=[];window.Causerie={q:[]};['on'].forEach(function(m){Causerie[m]=function(){Causerie.q.push([m,arguments])}});Causerie.on('ready',function(){events.push('ready')});</script><script src="${server.url}/widget.js" data-website="${server.demo.websiteId}" async></script></body></html>`;
    await context.route(`${origin}/**`, (route) => route.fulfill({ contentType: 'text/html', body: html }));
    const page = await context.newPage();
    const lines: string[] = [];
    consoleLines.set(page, lines);
    page.on('console', (message) => lines.push(message.text()));
    await page.goto(`${origin}/`);
    return page;
  }

  it("works on the website's host: cross-origin bridge, socket from the Causerie origin", async () => {
    // The demo website's address is https://shop.causerie.test; its pages may frame the chat (any scheme and port).
    const page = await foreignPage('https://shop.causerie.test');
    await expect.poll(() => page.evaluate(() => (window as unknown as { events: string[] }).events)).toEqual(['ready']);
    const frame = await openWidget(page);
    await say(frame, 'From the shop itself');
    const assigned = await operator.next('assigned', 15_000);
    const conversationId = Number((assigned.conversation as { id: number }).id);
    // The page the visitor is on reaches the operator live, or in the assigned frame's history when the widget told
    // it while the conversation was still waiting for routing (PostgreSQL routes after the start commits).
    const navigation =
      (assigned.history as Frame[]).find((entry) => entry.kind === 'navigation') ??
      (await operator.next(
        entryWith(conversationId, (entry) => entry.kind === 'navigation'),
        15_000,
      ));
    expect(navigation.text).toBe('https://shop.causerie.test/');
    await operator.request(
      { type: 'reply', conversation_id: conversationId, text: 'Welcome to the shop', client_message_id: 'shop-1' },
      'ack',
    );
    await expect.poll(() => theirTexts(frame)).toEqual(['Welcome to the shop']);
    await shot(page, 'cross-origin-shop');
    await operator.request({ type: 'close', conversation_id: conversationId }, 'closed');
  });

  it("cannot be framed by another site: the frame's CSP makes the browser refuse it", async () => {
    const page = await foreignPage('https://evil.example');
    // The loader itself ran (it is public); the chat frame did not.
    await expect
      .poll(() =>
        page.evaluate(() => typeof (window as unknown as { Causerie: { version?: string } }).Causerie.version),
      )
      .toBe('string');
    await expect
      .poll(() =>
        (consoleLines.get(page) ?? []).some((line) =>
          line.includes('violates the following Content Security Policy directive: "frame-ancestors'),
        ),
      )
      .toBe(true);
    await page.waitForTimeout(500);
    expect(await page.evaluate(() => (window as unknown as { events: string[] }).events)).toEqual([]);
  });
});

describe('a dropped connection', () => {
  it('reconnects in place and resumes: what was said meanwhile appears once, in order', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    contexts.push(context);
    const routes: { close(): Promise<void> }[] = [];
    // Every visitor socket goes through this route, so the test can cut it like a network drop.
    await context.routeWebSocket(/\/realtime\/visitor/, (socket) => {
      const upstream = socket.connectToServer();
      routes.push({
        close: async () =>
          Promise.all([socket.close({ code: 4000, reason: 'cut' }), upstream.close()]).then(() => undefined),
      });
    });
    const page = await context.newPage();
    await page.goto(`${server.url}/demo`);
    const frame = await openWidget(page);
    await say(frame, 'Before the drop');
    const assigned = await operator.next('assigned', 15_000);
    const conversationId = Number((assigned.conversation as { id: number }).id);
    await operator.request(
      { type: 'reply', conversation_id: conversationId, text: 'one', client_message_id: 'drop-1' },
      'ack',
    );
    await expect.poll(() => theirTexts(frame)).toEqual(['one']);
    await routes.at(-1)?.close();
    await operator.request(
      { type: 'reply', conversation_id: conversationId, text: 'two', client_message_id: 'drop-2' },
      'ack',
    );
    await operator.request(
      { type: 'reply', conversation_id: conversationId, text: 'three', client_message_id: 'drop-3' },
      'ack',
    );
    await expect.poll(() => theirTexts(frame), { timeout: 15_000 }).toEqual(['one', 'two', 'three']);
    expect(routes.length).toBeGreaterThanOrEqual(2);
    await say(frame, 'After the drop');
    await operator.next(
      entryWith(conversationId, (entry) => entry.kind === 'visitor' && entry.text === 'After the drop'),
    );
    await shot(page, 'reconnected');
    await operator.request({ type: 'close', conversation_id: conversationId }, 'closed');
  });
});

describe('when nobody is available', () => {
  it('offers the offline form, which leaves a message with the email', async () => {
    expect(await operator.request({ type: 'availability', chat: false }, 'availability')).toMatchObject({
      chat: false,
    });
    const page = await visitorPage();
    const frame = await openWidget(page);
    await say(frame, 'Is anyone there?');
    await frame.getByText('Nobody is available right now').waitFor({ timeout: 15_000 });
    await shot(page, 'offline-form');
    await frame.getByLabel('Your email').fill('lea@example.com');
    await frame.getByLabel('Your message').fill('Please call me back about order 42.');
    await frame.getByRole('button', { name: 'Leave a message' }).click();
    await frame.getByText('Thank you! We will get back to you by email.').waitFor();
    await shot(page, 'offline-sent');
    // The email is the visitor's now (GET /api/2/visitor shows it), not only a line of the message.
    const iframe = page.frames().find((candidate) => candidate.url().includes('/widget/frame.html'));
    const vuid = await iframe?.evaluate((key) => localStorage.getItem(key), `causerie:${server.demo.websiteId}:vuid`);
    expect(vuid).toEqual(expect.any(String));
    await expect
      .poll(async () => {
        const listed = await fetch(
          `${server.url}/api/2/visitor?full=1&filters%5Bunique_id%5D=${encodeURIComponent(vuid ?? '')}`,
          { headers: { 'X-API-Key': server.demo.apiKey } },
        );
        return ((await listed.json()) as { data: { email?: string | null }[] }).data.map((visitor) => visitor.email);
      })
      .toEqual(['lea@example.com']);
    expect(await operator.request({ type: 'availability', chat: true }, 'availability')).toMatchObject({ chat: true });
  });
});

describe('languages, small screens and the HTTP fallback', () => {
  it('speaks French when the page asks for it', async () => {
    const page = await visitorPage('/demo?lang=fr');
    const frame = await openWidget(page, 'Ouvrir la discussion');
    await frame.getByRole('heading', { name: 'Discutons' }).waitFor();
    expect(await frame.locator('#cz-input').getAttribute('placeholder')).toBe('Écrivez un message…');
    await shot(page, 'french');
  });

  it('fills the screen below 480 px', async () => {
    const page = await visitorPage('/demo', { width: 375, height: 700 });
    await openWidget(page);
    const box = await page.locator('#causerie-frame').boundingBox();
    expect(box).toMatchObject({ x: 0, y: 0, width: 375, height: 700 });
    await shot(page, 'mobile');
  });

  it('falls back to HTTP by itself when WebSockets do not get through', async () => {
    const context = await browser.newContext({ locale: 'en-US' });
    contexts.push(context);
    // A network that accepts the upgrade and drops it at once (as some proxies do).
    await context.routeWebSocket(/\/realtime\/visitor/, (socket) => socket.close());
    const page = await context.newPage();
    await page.goto(`${server.url}/demo`);
    const frame = await openWidget(page);
    await say(frame, 'Hello through a hostile proxy');
    const assigned = await operator.next('assigned', 20_000);
    const conversationId = Number((assigned.conversation as { id: number }).id);
    await operator.request(
      { type: 'reply', conversation_id: conversationId, text: 'Heard you', client_message_id: 'auto-http-1' },
      'ack',
    );
    await expect.poll(() => theirTexts(frame), { timeout: 10_000 }).toEqual(['Heard you']);
    await operator.request({ type: 'close', conversation_id: conversationId }, 'closed');
  });

  it('identifies the visitor with Causerie.identify(user, hash) signed by the site', async () => {
    const website = (await (
      await fetch(`${server.url}/api/2/website/${server.demo.websiteId}`, {
        headers: { 'X-API-Key': server.demo.apiKey },
      })
    ).json()) as { data: { identity_secret?: string } };
    const secret = website.data.identity_secret;
    if (secret === undefined) throw new Error('the website API shows no identity_secret');
    const hash = createHmac('sha256', secret).update('customer-42').digest('hex');
    const page = await visitorPage();
    await page.evaluate(
      ([signature]) =>
        (window as unknown as { Causerie: { identify(user: object, hash: string): void } }).Causerie.identify(
          { id: 'customer-42', email: 'c42@shop.example' },
          signature ?? '',
        ),
      [hash],
    );
    const frame = await openWidget(page);
    await say(frame, 'It is me, customer 42');
    const assigned = await operator.next('assigned', 15_000);
    expect((assigned.conversation as { visitor: unknown }).visitor).toMatchObject({
      external_id: 'customer-42',
      email: 'c42@shop.example',
    });
    await operator.request({ type: 'close', conversation_id: (assigned.conversation as { id: number }).id }, 'closed');
  });

  it('converses over HTTP when WebSockets are not available: typing both ways, read states and the survey too', async () => {
    const page = await visitorPage('/demo?transport=http');
    const frame = await openWidget(page);
    await say(frame, 'Hello over HTTP');
    const assigned = await operator.next('assigned', 15_000);
    const conversationId = Number((assigned.conversation as { id: number }).id);
    // Typing both ways: the operator's through the poll, the visitor's through POST /realtime/visitor/typing.
    operator.send({ type: 'typing', conversation_id: conversationId, on: true });
    await frame.getByText('Ada is typing…').waitFor({ timeout: 10_000 });
    await frame.locator('#cz-input').pressSequentially('typing…');
    expect(
      await operator.next(
        (frame) => frame.type === 'typing' && frame.on === true && frame.conversation_id === conversationId,
        10_000,
      ),
    ).toMatchObject({ on: true });
    await frame.locator('#cz-input').fill('');
    await operator.request(
      { type: 'reply', conversation_id: conversationId, text: 'Polling works', client_message_id: 'http-1' },
      'ack',
    );
    await expect.poll(() => theirTexts(frame), { timeout: 10_000 }).toEqual(['Polling works']);
    expect(await frame.getByText('Ada is typing…').count()).toBe(0);
    // Read states both ways: the visitor's through POST /realtime/visitor/read, the operator's through the poll.
    expect(
      await operator.next(
        (frame) => frame.type === 'read' && frame.by === 'visitor' && frame.conversation_id === conversationId,
        10_000,
      ),
    ).toMatchObject({ by: 'visitor' });
    operator.send({ type: 'read', conversation_id: conversationId, seq: 1 });
    await frame.locator('.cz-mine .cz-meta', { hasText: 'Seen' }).waitFor({ timeout: 10_000 });
    await shot(page, 'http-fallback');
    // The survey at close, through POST /realtime/visitor/satisfaction.
    await operator.request({ type: 'close', conversation_id: conversationId }, 'closed');
    await frame.getByText('How was your conversation?').waitFor({ timeout: 10_000 });
    await frame.getByRole('group', { name: 'Welcome' }).getByLabel('2 · Fair').check();
    await frame.getByRole('group', { name: 'Waiting time' }).getByLabel('3 · Good').check();
    await frame.getByRole('group', { name: 'Answer to your question' }).getByLabel('3 · Good').check();
    await frame.getByRole('button', { name: 'Send my answer' }).click();
    await frame.getByText('Thank you for your answer!').waitFor({ timeout: 10_000 });
    const response = await fetch(
      `${server.url}/api/2/satisfaction?full=1&filters%5Bconversation_id%5D=${conversationId}`,
      { headers: { 'X-API-Key': server.demo.apiKey } },
    );
    const body = (await response.json()) as { data: Record<string, unknown>[] };
    expect(body.data).toEqual([
      expect.objectContaining({
        conversation_id: conversationId,
        note_welcome: 0.67,
        note_delay: 1,
        note_resolution: 1,
      }),
    ]);
  });
});
