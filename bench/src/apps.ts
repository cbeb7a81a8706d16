// apps: the developer platform's two hot paths, each beside a baseline measured in the same run.
//
// 1. The product list an operator browses (GET /conversation/{id}/app/{installation}/product): Causerie checks the
//    session, the conversation and the installation, then answers from its 30 s connector cache. Driven with autocannon
//    (50 connections) beside the bare node:http server answering a JSON body of the same size: the ratio says what the
//    interaction path costs over answering at all. Target: ratio ≥ 0.3 (a proxied read), p99 ≤ 50 ms.
// 2. Installing an app: verification of both steps at the connector, then the installation, its API key (Argon2id),
//    webhooks and events in one transaction; then uninstalling. Sequential cycles; the baseline is the same two
//    verification calls made straight to the connector with fetch. Target: an install under 250 ms at the median.
//
// One node on SQLite (or PostgreSQL with --postgres), the fake connector of test-support on loopback (allow-listed).
import { createTestDatabase } from '@causerie/test-support/database';
import { FakeConnector } from '@causerie/test-support/fakes/connector';
import { ADMIN_KEY, startNode } from '@causerie/test-support/processes';
import autocannon from 'autocannon';
import { pinToCpus, startBaseline } from './processes.js';
import type { BenchOptions } from './run.js';
import { median, percentile, round } from './stats.js';

const CONNECTIONS = 50;
const TARGET_RATIO = 0.3;
const TARGET_P99_MS = 50;
const TARGET_INSTALL_MS = 250;

async function call<T>(base: string, method: string, path: string, auth: Record<string, string>, body?: unknown) {
  const answer = await fetch(`${base}${path}`, {
    method,
    headers: { ...auth, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const json = (await answer.json()) as { data: T };
  if (!answer.ok) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(json)}`);
  return json.data;
}

export async function apps(options: BenchOptions): Promise<Record<string, unknown>> {
  if (options.postgres && !process.env.TEST_DATABASE_URL?.startsWith('postgres'))
    throw new Error('--postgres needs TEST_DATABASE_URL=postgres://… naming a PostgreSQL server.');
  const database = await createTestDatabase(options.postgres ? {} : { dialect: 'sqlite' });
  // CAUSERIE_READ_CACHE_MS=0 measures every read past the REST read cache (the connector's 30 s cache still answers).
  const readCache = process.env.CAUSERIE_READ_CACHE_MS;
  const node = await startNode({
    database,
    env: {
      CAUSERIE_OUTBOUND_ALLOWLIST: '127.0.0.0/8',
      ...(readCache !== undefined && { CAUSERIE_READ_CACHE_MS: readCache }),
    },
    timeoutMs: 60_000,
  });
  const connector = await new FakeConnector().start();
  const baseline = await startBaseline('json-body');
  const admin = { 'x-api-key': ADMIN_KEY };
  try {
    const client = await call<{ id: number }>(node.base, 'POST', '/api/2/client', admin, { name: 'Bench', lang: 'en' });
    const key = (await call<{ key: string }>(node.base, 'POST', `/api/2/client/${client.id}/key`, admin, {})).key;
    const auth = { 'x-api-key': key };
    const website = await call<{ id: number }>(node.base, 'POST', '/api/2/website', auth, { url: 'https://b.example' });
    const invited = await call<{ invitation: { token: string } }>(node.base, 'POST', '/api/2/developer', admin, {
      email: 'dev@bench.example',
      name: 'Bench Developer',
    });
    const password = 'bench-developer-password';
    await call(node.base, 'POST', '/auth/developer/activation', {}, { token: invited.invitation.token, password });
    const session = await call<{ token: string }>(
      node.base,
      'POST',
      '/auth/developer/login',
      {},
      {
        email: 'dev@bench.example',
        password,
      },
    );
    const developer = { authorization: `Bearer ${session.token}` };
    const app = await call<{ id: number }>(node.base, 'POST', '/api/2/app', developer, {
      name: 'Bench CRM',
      description: 'Catalogue and CRM.',
      authentication: {
        fields: [
          { id: 'field_login', label: 'Login', type: 'TEXT' },
          { id: 'field_password', label: 'Password', type: 'PASSWORD' },
        ],
        verification_url: connector.authenticationUrl,
      },
      settings: {
        fields: [{ id: 'field_currency', label: 'Currency', type: 'TEXT' }],
        verification_url: connector.settingsUrl,
      },
      interactions: {
        product_list: { catalogue_url: `${connector.url}/products`, categories_url: `${connector.url}/categories` },
      },
    });
    await call(node.base, 'POST', `/api/2/app/${app.id}/webhook`, developer, {
      url: `${connector.url}/hook`,
      events: ['connector.installed'],
    });
    await call(node.base, 'POST', `/api/2/app/${app.id}/submission`, developer, { version: '1.0.0' });
    await call(node.base, 'POST', `/api/2/app/${app.id}/review`, admin, { decision: 'approved' });
    const installBody = {
      app_id: app.id,
      authentication: { field_login: connector.acceptedLogin.login, field_password: connector.acceptedLogin.password },
      settings: { field_currency: 'EUR' },
    };

    // 2. Install and uninstall cycles (sequential), beside the same verification calls made straight to the connector.
    const cycles = options.quick ? 10 : 40;
    const installMs: number[] = [];
    const uninstallMs: number[] = [];
    const directMs: number[] = [];
    for (let cycle = 0; cycle < cycles; cycle += 1) {
      let started = performance.now();
      const installation = await call<{ id: number }>(node.base, 'POST', '/api/2/installation', auth, installBody);
      installMs.push(performance.now() - started);
      started = performance.now();
      await call(node.base, 'DELETE', `/api/2/installation/${installation.id}`, auth);
      uninstallMs.push(performance.now() - started);
      started = performance.now();
      for (const [url, values] of [
        [connector.authenticationUrl, [{ id: 'field_login', value: 'boutique-lyon', fieldType: 'TEXT' }]],
        [connector.settingsUrl, [{ id: 'field_currency', value: 'EUR', fieldType: 'TEXT' }]],
      ] as const) {
        const answer = await fetch(url, { method: 'POST', body: JSON.stringify(values) });
        await answer.arrayBuffer();
      }
      directMs.push(performance.now() - started);
    }

    // 1. The product list under load, beside the bare server.
    const installation = await call<{ id: number }>(node.base, 'POST', '/api/2/installation', auth, installBody);
    const operator = await call<{ id: number }>(node.base, 'POST', '/api/2/operator', auth, {
      name: 'Bench Agent',
      email: 'agent@bench.example',
    });
    const conversation = await call<{ id: number }>(node.base, 'POST', '/api/2/conversation', auth, {
      website_id: website.id,
      operator_id: operator.id,
    });
    const path = `/api/2/conversation/${conversation.id}/app/${installation.id}/product?idCategory=11&limit=20`;
    const body = await (await fetch(`${node.base}${path}`, { headers: auth })).arrayBuffer();
    const pinned =
      process.env.BENCH_PIN !== '0' &&
      pinToCpus(node.child.pid, '0') &&
      pinToCpus(baseline.child.pid, '0') &&
      pinToCpus(process.pid, '1');
    const seconds = options.quick ? 3 : 10;
    const drive = async (base: string, target: string, headers: Record<string, string>) => {
      const result = await autocannon({
        url: `${base}${target}`,
        connections: CONNECTIONS,
        duration: seconds,
        headers,
      });
      if (result.non2xx > 0 || result.errors > 0)
        throw new Error(`${target}: ${result.non2xx} non-2xx, ${result.errors} errors`);
      return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99 };
    };
    await drive(node.base, path, auth);
    const causerie = await drive(node.base, path, auth);
    const bare = await drive(baseline.base, `/body?bytes=${body.byteLength}`, {});
    const ratio = causerie.rps / bare.rps;
    const installMedian = median(installMs);
    return {
      dialect: database.config.dialect,
      read_cache_ms: readCache === undefined ? 1000 : Number(readCache),
      servers_on_cpu_0_load_generator_on_cpu_1: pinned,
      product_list: {
        body_bytes: body.byteLength,
        causerie_requests_per_second: round(causerie.rps, 0),
        causerie_p50_ms: causerie.p50,
        causerie_p99_ms: causerie.p99,
        baseline_requests_per_second: round(bare.rps, 0),
        baseline_p99_ms: bare.p99,
        ratio: round(ratio, 3),
        connector_calls: connector.requests.filter((request) => request.path === '/products').length,
        meets_target: ratio >= TARGET_RATIO && causerie.p99 <= TARGET_P99_MS,
      },
      install: {
        cycles,
        install_median_ms: round(installMedian),
        install_p90_ms: round(percentile(installMs, 0.9)),
        uninstall_median_ms: round(median(uninstallMs)),
        verification_calls_direct_median_ms: round(median(directMs)),
        meets_target: installMedian <= TARGET_INSTALL_MS,
      },
      target: { product_list_ratio: TARGET_RATIO, product_list_p99_ms: TARGET_P99_MS, install_ms: TARGET_INSTALL_MS },
    };
  } finally {
    await baseline.stop();
    await connector.stop();
    await node.stop('SIGKILL');
    await database.drop();
  }
}
