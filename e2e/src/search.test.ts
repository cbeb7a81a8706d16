// Full-text search in a real console (issue 22, item 2): a visitor's conversation says "order" (and carries an
// <img onerror> that must stay text); Ada searches "order" in the Search tab, sees the snippet with the word marked,
// moves to the result with the keyboard and opens the conversation; a status filter leaves it out; the view passes axe.
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoApi, launchBrowser, openConsole, type RunningServer, shot, startServer } from './harness.js';

let server: RunningServer;
let browser: Browser;
let page: Page | undefined;
const suffix = Math.random().toString(36).slice(2, 7);

const api = demoApi(() => server);

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
afterAll(async () => {
  await page
    ?.context()
    .close()
    .catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

describe('search', () => {
  it('finds "order" in message texts, shows the marked snippet safely and opens the conversation', async () => {
    const now = new Date().toISOString().slice(0, 19).replace('T', ' ');
    const said = (text: string) => [2, now, text];
    const conversation = await api<{ id: number }>('POST', '/conversation', {
      website_id: server.demo.websiteId,
      history: [
        said(`Hello ${suffix}, where is my order? <img src=x onerror="window.searchXss = 1">`),
        said('The order was paid on Monday.'),
        said('My order number is 4512, the order has not arrived.'),
      ],
    });

    page = await openConsole(browser, server, server.demo.login.email, server.demo.login.password);
    await page.getByRole('tab', { name: /Search/ }).click();
    const input = page.getByRole('searchbox', { name: 'Search conversations' });
    await input.fill('order');
    await input.press('Enter');
    const result = page.getByTestId(`search-result-${conversation.id}`);
    await result.waitFor();
    const snippet = result.getByTestId('search-snippet');
    expect((await snippet.locator('mark').allTextContents()).map((text) => text.toLowerCase())).toContain('order');
    // The markup a visitor typed is shown as text, never made an element.
    expect(await page.getByTestId('list-search').locator('img').count()).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { searchXss?: number }).searchXss)).toBeUndefined();
    await page
      .getByRole('status')
      .filter({ hasText: /conversations? found/ })
      .waitFor();
    await shot(page, 'results');

    const axe = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    const blocking = axe.violations.filter(
      (violation) => violation.impact === 'critical' || violation.impact === 'serious',
    );
    expect(
      blocking.map((violation) => `${violation.id}: ${violation.nodes.map((node) => node.target).join(' | ')}`),
    ).toEqual([]);

    // Keyboard: ↓ from the box reaches the results, ↓ moves on until ours has the focus, Enter opens it.
    await input.focus();
    await page.keyboard.press('ArrowDown');
    for (let step = 0; step < 40; step++) {
      if (await result.evaluate((button) => button === document.activeElement)) break;
      await page.keyboard.press('ArrowDown');
    }
    expect(await result.evaluate((button) => button === document.activeElement)).toBe(true);
    await page.keyboard.press('Enter');
    await page.locator('main').getByText('My order number is 4512, the order has not arrived.').waitFor();
    expect(await result.getAttribute('class')).toContain('selected');

    // A filter narrows the results: the conversation is open, so "Closed" leaves it out.
    await page.getByText('Filters').click();
    await page.getByLabel('Status').selectOption('closed');
    await input.press('Enter');
    await page
      .getByRole('status')
      .filter({ hasText: /found|No conversation/ })
      .waitFor();
    await expect.poll(() => result.count()).toBe(0);
    await shot(page, 'filtered');
  });
});
