// The reports page in Chromium on the demo data: key figures, a uPlot chart, a sortable table with each indicator's
// definition, a CSV equal to GET /api/2/statistic for the same filters, the API's message on bad filters, French, a
// tablet, and no page for a plain operator. Figures are compared with the API, never with fixed numbers (the demo grows).
import fs from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type RunningServer, shot, startServer } from './harness.js';

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

type Value = number | string | null;
type Row = Record<string, Value>;
interface Indicator {
  name: string;
  family: string;
  unit: string;
  labels: { en: string; fr: string };
  formula: string;
  formulas: { en: string; fr: string };
}

async function apiAnswer(
  pathAndQuery: string,
): Promise<{ status: number; body: { data?: Row[]; meta: { message?: string } } }> {
  const response = await fetch(`${server.url}${pathAndQuery}`, { headers: { 'x-api-key': server.demo.apiKey } });
  return { status: response.status, body: (await response.json()) as { data?: Row[]; meta: { message?: string } } };
}

async function api<T>(pathAndQuery: string): Promise<T> {
  const { status, body } = await apiAnswer(pathAndQuery);
  if (status !== 200) throw new Error(`GET ${pathAndQuery}: ${status} ${JSON.stringify(body)}`);
  return body.data as T;
}

/** RFC 4180 fields: quoted fields may hold commas, doubled quotes and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\r' && text[index + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      index++;
    } else field += char;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

async function newPage(options: { locale?: string; viewport?: { width: number; height: number } } = {}): Promise<Page> {
  const context = await browser.newContext({
    locale: options.locale ?? 'en-US',
    viewport: options.viewport ?? { width: 1366, height: 820 },
    acceptDownloads: true,
  });
  contexts.push(context);
  return context.newPage();
}

/** A GET /api/2/statistic the page made, and what the server answered it. */
interface Exchange {
  url: URL;
  answer: Promise<{ data?: Row[] | Row }>;
}

/**
 * Logs the demo manager in straight onto the reports page; collects the page's statistic requests with the server's
 * answers, and the page's errors.
 */
async function openReports(
  page: Page,
  login = { email: 'Email', password: 'Password', submit: 'Log in' },
): Promise<{ exchanges: Exchange[]; errors: string[] }> {
  const exchanges: Exchange[] = [];
  const errors: string[] = [];
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (url.pathname === '/api/2/statistic')
      exchanges.push({ url, answer: response.json() as Promise<{ data?: Row[] | Row }> });
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${server.url}/admin/reports`);
  await page.getByLabel(login.email).fill(server.demo.login.email);
  await page.getByLabel(login.password).fill(server.demo.login.password);
  await page.getByRole('button', { name: login.submit }).click();
  return { exchanges, errors };
}

/** The last statistic request the page made whose query has these filters (null: without that filter). */
async function lastExchange(
  exchanges: readonly Exchange[],
  filters: Record<string, string | null>,
): Promise<{ url: URL; rows: Row[] }> {
  const matching = exchanges.filter(({ url }) =>
    Object.entries(filters).every(([name, value]) =>
      value === null ? !url.searchParams.has(name) : url.searchParams.get(name) === value,
    ),
  );
  const found = matching[matching.length - 1];
  if (found === undefined) throw new Error(`No statistic request with ${JSON.stringify(filters)}`);
  const answer = await found.answer;
  if (answer.data === undefined) throw new Error(`${found.url} failed: ${JSON.stringify(answer)}`);
  // Without resource nor granularity the API answers the one row itself.
  return { url: found.url, rows: Array.isArray(answer.data) ? answer.data : [answer.data] };
}

const formatCount = (count: number) => new Intl.NumberFormat('en').format(count);

const tableSettled = (page: Page) =>
  page.locator('[data-testid="report-table"][aria-busy="false"] tbody tr').first().waitFor();

/**
 * Waits until the statistics projection has taken in the demo's activity (it follows the event log a moment after the
 * node starts): three reads a second apart agree, and the demo's conversations of the last 30 days are counted. The demo
 * may bring weeks of history, which the projection takes in by rounds: one quiet second alone does not prove it done.
 */
async function statisticsSettled(): Promise<void> {
  // The last 30 days (the demo client's zone is UTC), as the test reads them.
  const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
  const query =
    `/api/2/statistic?filters[from]=${day(29)}&filters[to]=${day(0)}` +
    '&filters[indicators]=contact_number,transaction_total_amount,satisfaction_respondent_number';
  let previous = '';
  let agreeing = 0;
  for (let attempt = 0; attempt < 90; attempt++) {
    const current = JSON.stringify(await api<Row>(query));
    agreeing = current === previous ? agreeing + 1 : 0;
    if (agreeing >= 2 && !current.includes('"contact_number":0')) return;
    previous = current;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`The statistics did not settle: ${previous}`);
}

beforeAll(async () => {
  server = await startServer();
  browser = await launchBrowser();
  await statisticsSettled();
});
afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

describe('Reports', () => {
  it('shows key figures, a uPlot chart and a table per operator for the demo data; the CSV is the API answer', async () => {
    const catalogue = await api<Indicator[]>('/api/2/statistic/indicator');
    const page = await newPage();
    const { exchanges, errors } = await openReports(page);
    await page.getByRole('heading', { name: 'Reports', level: 1 }).waitFor();
    expect(await page.getByRole('link', { name: 'Reports' }).getAttribute('aria-current')).toBe('page');

    await page.getByLabel(/^Period/).selectOption('30days');
    await page.getByLabel(/^Group by/).selectOption('operator');
    await page.getByRole('heading', { name: 'Figures by operator' }).waitFor();
    await tableSettled(page);

    // Key figures: six, each with a value formatted by its unit (a dash where the API says null), none still loading.
    const figures = page.locator('.report-figure');
    await expect.poll(() => figures.locator('dd').allTextContents()).not.toContain('…');
    expect(await figures.count()).toBe(6);
    const lastHeadline = async () =>
      (
        await lastExchange(exchanges, {
          'filters[indicators]':
            'contact_number,contact_waiting_duration,satisfaction_global_rate,presence_duration,transaction_after_contact_amount,conversion_rate',
          'filters[resource]': null,
          'filters[granularity]': null,
        })
      ).rows[0] ?? {};
    // The period's change asks again: the figure shown settles on the last answer (the first period's may still be
    // on screen, or its answer the last one recorded, for a moment).
    const shownContacts = page.locator('.report-figure[data-indicator="contact_number"] dd');
    await expect
      .poll(async () => {
        const contactNumber = (await lastHeadline()).contact_number;
        return typeof contactNumber === 'number' && (await shownContacts.textContent()) === formatCount(contactNumber);
      })
      .toBe(true);
    const headline = await lastHeadline();
    const rate = page.locator('.report-figure[data-indicator="satisfaction_global_rate"] dd');
    expect(await rate.textContent()).toMatch(headline.satisfaction_global_rate === null ? /^—$/ : /^\d+(\.\d)?%$/);

    // The chart: uPlot's canvas, one series (uPlot's legend lists the x axis then it), a point per day of the period.
    const chart = page.getByTestId('report-chart');
    await chart.locator('canvas').waitFor();
    const canvasSize = await chart.locator('canvas').evaluate((canvas) => {
      const element = canvas as HTMLCanvasElement;
      return { width: element.width, height: element.height };
    });
    expect(canvasSize.width).toBeGreaterThan(200);
    expect(canvasSize.height).toBeGreaterThan(100);
    expect(await chart.locator('.u-legend .u-series').count()).toBe(2);
    const contactLabel = catalogue.find((indicator) => indicator.name === 'contact_number')?.labels.en ?? '';
    expect(await chart.locator('.u-legend .u-series').nth(1).textContent()).toContain(contactLabel);
    const { url: chartUrl, rows: series } = await lastExchange(exchanges, { 'filters[granularity]': 'day' });
    expect(chartUrl.searchParams.get('filters[indicators]')).toBe('contact_number');
    expect(series.length).toBe(30);
    expect(await chart.getAttribute('data-points')).toBe(String(series.length));
    expect(await chart.getAttribute('aria-label')).toContain(contactLabel);

    // The table: one row per operator of the API's answer, every asked indicator's seed label as a header whose
    // description is the indicator's formula.
    const { url: tableUrl, rows } = await lastExchange(exchanges, { 'filters[resource]': 'operator' });
    // Every website of the client is ticked at first.
    const websites = await api<{ id: number }[]>('/api/2/website');
    expect(tableUrl.searchParams.get('filters[website_list]')).toBe(websites.map((website) => website.id).join(','));
    expect(tableUrl.searchParams.get('filters[channel]')).toBe('chat');
    const asked = (tableUrl.searchParams.get('filters[indicators]') ?? '').split(',');
    expect(asked.length).toBeGreaterThanOrEqual(5);
    expect(rows.length).toBeGreaterThan(0);
    // The same filters asked with the client's API key: the same operators, and the same figures but for presence,
    // which grows while this test's operator is connected.
    const direct = await api<Row[]>(`${tableUrl.pathname}${tableUrl.search}`);
    expect(direct.map((row) => [row.resource_id, row.resource_label])).toEqual(
      rows.map((row) => [row.resource_id, row.resource_label]),
    );
    const steady = asked.filter(
      (name) => catalogue.find((indicator) => indicator.name === name)?.family !== 'presence',
    );
    expect(steady.length).toBeGreaterThan(0);
    const pick = (list: Row[]) => list.map((row) => steady.map((name) => row[name]));
    expect(pick(direct)).toEqual(pick(rows));
    const table = page.getByTestId('report-table');
    expect(await table.locator('tbody tr').count()).toBe(rows.length);
    for (const name of asked) {
      const indicator = catalogue.find((each) => each.name === name);
      if (!indicator) throw new Error(`${name} is not in the catalogue`);
      const header = table.locator(`thead button[data-indicator="${name}"]`);
      expect(await header.textContent()).toContain(indicator.labels.en);
      const describedBy = (await header.getAttribute('aria-describedby')) ?? '';
      expect(await page.locator(`[id="${describedBy}"]`).textContent()).toContain(indicator.formula);
    }
    // The definition shows on keyboard focus too.
    const firstHeader = table.locator(`thead button[data-indicator="${asked[0]}"]`);
    await firstHeader.focus();
    const tip = page.locator(`[id="${(await firstHeader.getAttribute('aria-describedby')) ?? ''}"]`);
    await expect.poll(() => tip.isVisible()).toBe(true);
    await tip.scrollIntoViewIfNeeded();
    await shot(page, 'reports-definition-on-focus');
    await page.keyboard.press('Escape');
    await expect.poll(() => tip.isVisible()).toBe(false);

    // Sorting, with the keyboard: the first press orders by contact_number, biggest first, ties in the API's order.
    const sortHeader = table.locator('thead button[data-indicator="contact_number"]');
    await sortHeader.focus();
    await page.keyboard.press('Enter');
    const column = table.locator('thead th').filter({ has: page.locator('button[data-indicator="contact_number"]') });
    expect(await column.getAttribute('aria-sort')).toBe('descending');
    const byContacts = rows
      .map((row, index) => ({ row, index }))
      .sort((a, b) => Number(b.row.contact_number) - Number(a.row.contact_number) || a.index - b.index)
      .map(({ row }) => String(row.resource_label ?? row.resource_id));
    expect(await table.locator('tbody th').allTextContents()).toEqual(byContacts);
    await page.keyboard.press('Enter');
    expect(await column.getAttribute('aria-sort')).toBe('ascending');
    const counts = (await table.locator('tbody td[data-indicator="contact_number"]').allTextContents()).map((text) =>
      Number(text.replaceAll(',', '')),
    );
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    await shot(page, 'reports-by-operator');

    // The CSV: the API's keys as header, one line per row, every value the API's own (unformatted) figure: the answer
    // the page got, value for value.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(
      /^causerie-statistics-chat-operator-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/,
    );
    const text = (await fs.readFile(await download.path(), 'utf8')).replace(/^\uFEFF/, '');
    const [header, ...lines] = parseCsv(text);
    expect(header).toEqual(['resource', 'resource_id', 'resource_label', ...asked]);
    expect(lines.length).toBe(rows.length);
    lines.forEach((line, index) => {
      const row = rows[index] ?? {};
      expect(line.length).toBe(header?.length);
      (header ?? []).forEach((name, position) => {
        const cell = line[position];
        const value = row[name];
        if (value === null || value === undefined) expect(cell, `${name} of line ${index + 1}`).toBe('');
        else if (typeof value === 'number') expect(Number(cell), `${name} of line ${index + 1}`).toBe(value);
        else expect(cell, `${name} of line ${index + 1}`).toBe(value);
      });
    });
    expect(errors).toEqual([]);
  });

  it("shows the API's message next to the form when the filters are refused", async () => {
    const page = await newPage();
    await openReports(page);
    await page.getByRole('heading', { name: 'Reports', level: 1 }).waitFor();
    await tableSettled(page);
    await page.getByLabel(/^Period/).selectOption('custom');
    await page.getByLabel(/^From/).fill('2026-02-10');
    const asked = page.waitForRequest((request) => {
      const url = new URL(request.url());
      return url.pathname === '/api/2/statistic' && url.searchParams.get('filters[to]') === '2026-02-01';
    });
    await page.getByLabel(/^To \(included\)/).fill('2026-02-01');
    const refusedUrl = new URL((await asked).url());
    expect(refusedUrl.searchParams.get('filters[from]')).toBe('2026-02-10');
    const refused = await apiAnswer(`${refusedUrl.pathname}${refusedUrl.search}`);
    expect(refused.status).toBe(400);
    const message = refused.body.meta.message ?? '';
    expect(message).not.toBe('');
    const alert = page.getByRole('form', { name: 'Report filters' }).getByRole('alert');
    await expect.poll(() => alert.allTextContents()).toContain(`Something went wrong: ${message}`);
    await shot(page, 'reports-refused-filters');

    // Put right, the message goes.
    await page.getByLabel(/^From/).fill('2026-01-20');
    await expect.poll(() => alert.count()).toBe(0);

    // Without any website ticked nothing is asked, and the form says why.
    const websites = page.getByRole('group', { name: 'Websites' }).getByRole('checkbox');
    for (const website of await websites.all()) await website.uncheck();
    await expect.poll(() => alert.allTextContents()).toEqual(['Pick at least one website.']);
  });

  it('fits a tablet, in French, with the French seed labels', async () => {
    const catalogue = await api<Indicator[]>('/api/2/statistic/indicator');
    const page = await newPage({ locale: 'fr-FR', viewport: { width: 820, height: 1180 } });
    await openReports(page, { email: 'E-mail', password: 'Mot de passe', submit: 'Se connecter' });
    await page.getByRole('heading', { name: 'Rapports', level: 1 }).waitFor();
    await tableSettled(page);
    await page.getByTestId('report-chart').locator('canvas').waitFor();
    const waiting = catalogue.find((indicator) => indicator.name === 'contact_waiting_duration');
    if (!waiting) throw new Error('contact_waiting_duration is not in the catalogue');
    const waitingTerm = page.locator('.report-figure[data-indicator="contact_waiting_duration"] dt button');
    expect(await waitingTerm.textContent()).toBe(waiting.labels.fr);
    // Nothing but the table's own scroller is wider than the screen.
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    const chartWidth = await page
      .getByTestId('report-chart')
      .evaluate((element) => element.getBoundingClientRect().width);
    expect(chartWidth).toBeLessThanOrEqual(820);
    expect(chartWidth).toBeGreaterThan(600);
    await shot(page, 'reports-tablet-fr');

    // The definitions are the API's French ones: the key figure's on keyboard focus, and every table header's.
    await waitingTerm.focus();
    const waitingTip = page.locator(`[id="${(await waitingTerm.getAttribute('aria-describedby')) ?? ''}"]`);
    await expect.poll(() => waitingTip.isVisible()).toBe(true);
    const waitingText = (await waitingTip.textContent()) ?? '';
    expect(waitingText).toContain(waiting.formulas.fr);
    expect(waitingText).toContain('Définition :');
    expect(waitingText).not.toContain(waiting.formulas.en);
    await shot(page, 'reports-definition-fr');
    await page.keyboard.press('Escape');
    const headers = page.getByTestId('report-table').locator('thead button[data-indicator]');
    expect(await headers.count()).toBeGreaterThan(0);
    for (const header of await headers.all()) {
      const name = (await header.getAttribute('data-indicator')) ?? '';
      const indicator = catalogue.find((each) => each.name === name);
      if (!indicator) throw new Error(`${name} is not in the catalogue`);
      const describedBy = (await header.getAttribute('aria-describedby')) ?? '';
      expect(await page.locator(`[id="${describedBy}"]`).textContent(), name).toContain(indicator.formulas.fr);
    }
  });

  it('is not offered to an operator without manager or admin role', async () => {
    const operators = await api<{ id: number; email: string }[]>('/api/2/operator?full=1');
    const alan = operators.find((operator) => operator.email === 'alan@demo.causerie.test');
    if (!alan) throw new Error('no demo operator alan');
    const issued = await fetch(`${server.url}/api/2/operator/${alan.id}/sso_key`, {
      method: 'POST',
      headers: { 'x-api-key': server.demo.apiKey },
    });
    const { data } = (await issued.json()) as { data: { sso_key: string } };
    const page = await newPage();
    await page.goto(`${server.url}/admin/login?key=${encodeURIComponent(data.sso_key)}&backto=/admin/reports`);
    await page
      .getByRole('alert')
      .filter({ hasText: 'Your role does not give access to the administration.' })
      .waitFor();
    expect(await page.getByRole('link', { name: 'Reports' }).count()).toBe(0);
  });
});
