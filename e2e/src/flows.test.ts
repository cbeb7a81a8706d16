// The Flows pages in Chromium: Ada (the demo admin) creates a flow with two steps through the form editor, sees the
// API's validation error at the bad step, saves version 1, checks the JSON view; a request started through the
// commerce API shows its run's timeline in the inspector; a run failed at its merchant call is retried from the
// console once the merchant answers; the charge totals show the charge; markup in names is text; French too.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoApi, launchBrowser, openConsole, type RunningServer, shot, startServer } from './harness.js';

let server: RunningServer;
let browser: Browser;
let ada: Page;
let merchant: http.Server;
let merchantUrl: string;
const merchantPaths: string[] = [];
const pageErrors: string[] = [];

const CUSTOMER = '+393331112233';
const HOSTILE_NAME = '<img src=x onerror="window.__pwned=1">COD <b>check</b>';

const commerce = demoApi(() => server, '/api/commerce/v1');

beforeAll(async () => {
  server = await startServer();
  merchant = http.createServer((request, response) => {
    merchantPaths.push(request.url ?? '');
    request.resume();
    request.on('end', () => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ id: 'ORD-9', name: 'Mario Rossi', total: '49.90' }));
    });
  });
  await new Promise<void>((resolve) => merchant.listen(0, '127.0.0.1', resolve));
  merchantUrl = `http://127.0.0.1:${(merchant.address() as AddressInfo).port}`;
  browser = await launchBrowser();
  ada = await openConsole(browser, server, server.demo.login.email, server.demo.login.password);
  ada.on('pageerror', (error) => pageErrors.push(error.message));
});
afterAll(async () => {
  await ada?.context().close();
  await browser?.close();
  await new Promise((resolve) => merchant?.close(resolve));
  await server?.stop();
});

describe('the Flows pages', () => {
  it('creates a flow with two steps in the form editor, shows a bad step’s error, saves a version, inspects a run', async () => {
    await ada.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Flows' }).click();
    const create = ada.getByRole('form', { name: 'New flow' });
    await create.getByLabel('Code').fill('cod_e2e');
    await create.getByLabel('Name').fill(HOSTILE_NAME);
    await create.getByRole('button', { name: 'Create the flow' }).click();
    await ada.getByRole('heading', { name: 'Flow cod_e2e' }).waitFor();
    expect(ada.url()).toMatch(/\/admin\/flows\/\d+$/);
    await ada.getByText('Definition (no version yet)').waitFor();

    // Two steps through the forms: set a variable, then charge.
    await ada.getByLabel('Type of the new step').selectOption('set_variable');
    await ada.getByRole('button', { name: 'Add a step' }).click();
    const first = ada.locator('[data-step="0"]');
    await first.getByLabel('Step id').fill('greet');
    await first.getByLabel('Name', { exact: true }).fill('greeting');
    await first.getByLabel(/^Value/).fill('Ciao {{user_key}}');
    await ada.getByLabel('Type of the new step').selectOption('charge');
    await ada.getByRole('button', { name: 'Add a step' }).click();
    const second = ada.locator('[data-step="1"]');
    await second.getByLabel('Step id').fill('bill');
    await second.getByLabel('Charge kind').fill('cod_confirmation');
    // A bad step: it goes on to a step that does not exist.
    await second.getByLabel(/^Then go to step/).fill('nowhere');
    await ada.getByRole('button', { name: 'Save as a new version' }).click();
    const stepError = ada.getByTestId('step-error-1');
    await expect.poll(() => stepError.textContent()).toContain("'nowhere' is not the id of a step of this flow");
    expect(await stepError.textContent()).toContain('/steps/1/next');
    const badNext = second.getByLabel(/^Then go to step/);
    expect(await badNext.getAttribute('aria-invalid')).toBe('true');
    await expect.poll(() => badNext.evaluate((element) => element === document.activeElement)).toBe(true);
    expect(await ada.getByTestId('step-error-0').count()).toBe(0);
    await shot(ada, 'step-error');

    // Reordering from the keyboard, and back.
    await second.getByRole('button', { name: 'Move step 2 up' }).focus();
    await ada.keyboard.press('Enter');
    expect(await ada.locator('[data-step="0"]').getByLabel('Step id').inputValue()).toBe('bill');
    await ada.locator('[data-step="0"]').getByRole('button', { name: 'Move step 1 down' }).click();
    expect(await ada.locator('[data-step="0"]').getByLabel('Step id').inputValue()).toBe('greet');

    await ada
      .locator('[data-step="1"]')
      .getByLabel(/^Then go to step/)
      .fill('');
    await ada.getByRole('button', { name: 'Save as a new version' }).click();
    await ada.getByRole('status').filter({ hasText: 'Version 1 saved' }).waitFor();
    await ada.getByText('Definition (version 1)').waitFor();

    // The JSON view shows the same definition.
    await ada.getByRole('tab', { name: 'JSON' }).click();
    const json = JSON.parse(await ada.getByLabel('The definition as JSON').inputValue()) as unknown;
    expect(json).toEqual({
      steps: [
        { id: 'greet', type: 'set_variable', name: 'greeting', value: 'Ciao {{user_key}}' },
        { id: 'bill', type: 'charge', kind: 'cod_confirmation' },
      ],
    });
    await shot(ada, 'json-view');

    // The list shows it, its name as text.
    await ada.getByRole('link', { name: 'Back to the flows' }).click();
    const row = ada.getByTestId('flow-cod_e2e');
    await expect.poll(() => row.locator('td').nth(1).textContent()).toBe(HOSTILE_NAME);
    expect(await row.locator('img, b').count()).toBe(0);
    expect(await row.locator('td').nth(4).textContent()).toBe('1');

    // A request through the API; its run in the inspector.
    const request = await commerce<{ request_id: number; run_id: number }>('POST', '/createRequest', {
      flow: 'cod_e2e',
      user_key: CUSTOMER,
      data: { order_number: '1001' },
    });
    await ada.getByRole('link', { name: 'Run inspector' }).click();
    await ada.getByLabel('Customer (user_key)').fill(CUSTOMER);
    const run = ada.getByTestId(`run-${request.run_id}`);
    await expect
      .poll(async () => {
        await ada.getByRole('button', { name: 'Find' }).click();
        return run.getByTestId('run-state').textContent();
      })
      .toBe('done');
    const timeline = run.getByTestId('timeline');
    expect(await timeline.locator('li').count()).toBe(2);
    expect(await timeline.getByTestId('step-greet').textContent()).toMatch(/1\. greet\s*set_variable\s*done/);
    expect(await timeline.getByTestId('step-bill').textContent()).toMatch(/2\. bill\s*charge\s*done.*Attempts: 1/);
    expect(await run.textContent()).toContain(`Request ${request.request_id}`);
    await shot(ada, 'run-timeline');
    expect(await ada.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  });

  it('shows a run failed at its merchant call with the error, and retries it from the console', async () => {
    const flow = await commerce<{ flow_id: number }>('POST', '/flows', {
      code: 'lookup_e2e',
      name: 'Lookup',
      definition: {
        steps: [
          { id: 'lookup', type: 'get_object', object_type: 'order', keys: { order_number: '{{order_number}}' } },
          { id: 'bill', type: 'charge', kind: 'lookup' },
        ],
      },
    });
    expect(flow.flow_id).toBeGreaterThan(0);
    // No merchant endpoint yet: the lookup fails.
    const request = await commerce<{ request_id: number; run_id: number }>('POST', '/createRequest', {
      flow: 'lookup_e2e',
      user_key: '+393339998877',
      data: { order_number: '77' },
    });
    await ada.goto(`${server.url}/admin/flows/runs?request_id=${request.request_id}`);
    const run = ada.getByTestId(`run-${request.run_id}`);
    await expect
      .poll(async () => {
        await ada.getByRole('button', { name: 'Find' }).click();
        return run.getByTestId('run-state').textContent();
      })
      .toBe('failed');
    expect(await run.getByTestId('step-lookup').textContent()).toContain('no getObject URL');
    expect(await run.getByTestId('step-lookup').textContent()).toContain('(merchant call)');

    // The failed requests list finds it too.
    await ada.getByRole('button', { name: 'Failed requests' }).click();
    await ada.getByRole('list', { name: 'Failed requests' }).getByText(`Request ${request.request_id}`).waitFor();

    await commerce('PUT', '/merchant', { get_object_url: `${merchantUrl}/getObject` });
    await run.getByRole('button', { name: 'Retry the failed step' }).click();
    await ada
      .getByRole('status')
      .filter({ hasText: `Run ${request.run_id} is running again` })
      .waitFor();
    await expect
      .poll(async () => {
        await ada.getByRole('button', { name: 'Find' }).click();
        return run.getByTestId('run-state').textContent();
      })
      .toBe('done');
    expect(merchantPaths).toContain('/getObject');
    expect(await run.getByTestId('step-bill').textContent()).toContain('done');
    await shot(ada, 'run-retried');
  });

  it('creates a scheduled flow with its next firing shown, and deletes a flow whose run is under way', async () => {
    await ada.getByRole('navigation', { name: 'Flows pages' }).getByRole('link', { name: 'Flows' }).click();
    const create = ada.getByRole('form', { name: 'New flow' });
    await create.getByLabel('Code').fill('digest_e2e');
    await create.getByLabel('Name').fill('Digest');
    await create.getByLabel('Trigger').selectOption('schedule');
    await create.getByLabel('Minutes between firings').fill('30');
    await create.getByLabel('user_key of its runs').fill('digest');
    await create.getByRole('button', { name: 'Create the flow' }).click();
    await ada.getByRole('heading', { name: 'Flow digest_e2e' }).waitFor();
    await ada.getByRole('link', { name: 'Back to the flows' }).click();
    const row = ada.getByTestId('flow-digest_e2e');
    await row.waitFor();
    expect(await row.textContent()).toContain('Schedule: every 30 min');
    expect(await row.textContent()).toContain('Next firing:');

    const slow = await commerce<{ flow_id: number }>('POST', '/flows', {
      code: 'slow_e2e',
      name: 'Slow',
      definition: { steps: [{ id: 'sleep', type: 'wait', seconds: 3600 }] },
    });
    await commerce('POST', '/createRequest', { flow: 'slow_e2e', user_key: 'slow-customer' });
    await ada.goto(`${server.url}/admin/flows/${slow.flow_id}`);
    const removal = ada.getByRole('group', { name: 'Delete the flow' });
    await removal.getByRole('button', { name: 'Delete the flow' }).click();
    await removal.getByRole('button', { name: 'Confirm the deletion' }).click();
    await removal.getByText(/has 1 run\(s\) under way/).waitFor();
    await removal.getByLabel('Also cancel its runs under way').check();
    await removal.getByRole('button', { name: 'Confirm the deletion' }).click();
    await ada.getByTestId('flow-digest_e2e').waitFor();
    expect(await ada.getByTestId('flow-slow_e2e').count()).toBe(0);
    const runs = await commerce<Array<{ state: string }>>('GET', '/getFlowByUserKey?user_key=slow-customer');
    expect(runs.map((run) => run.state)).toEqual(['cancelled']);
    await shot(ada, 'flow-deleted');
  });

  it('shows the charge totals by day and by month, for the account and for one customer; in French too', async () => {
    await ada.getByRole('link', { name: 'Charges' }).click();
    const table = ada.getByTestId('charge-totals');
    await table.waitFor();
    expect(await table.textContent()).toContain('cod_confirmation');
    expect(await table.textContent()).toContain('lookup');
    await ada.getByLabel('Customer (user_key; empty: the whole account)').fill(CUSTOMER);
    await ada.getByLabel('Totals by').selectOption('month');
    await ada.getByRole('button', { name: 'Show' }).click();
    await expect.poll(async () => table.locator('tbody tr').count()).toBe(1);
    expect(await table.locator('tbody tr td').nth(0).textContent()).toMatch(/^\d{4}-\d{2}$/);
    expect(await table.locator('tbody tr td').nth(1).textContent()).toBe('cod_confirmation');
    await shot(ada, 'charges');

    await ada.getByRole('combobox', { name: 'Language' }).first().selectOption('fr');
    await ada.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Flux' }).waitFor();
    await ada.getByRole('link', { name: 'Inspecteur d’exécutions' }).click();
    await ada.getByRole('button', { name: 'Demandes en échec' }).waitFor();
    expect(pageErrors).toEqual([]);
  });
});
