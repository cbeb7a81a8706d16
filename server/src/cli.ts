// The commands of the command line, loaded by main.ts once the configuration is known to be valid: a refusal of the
// configuration then answers at once instead of after the whole app's modules have loaded.
import { buildApp } from './app.js';
import { isWorker, runWorkers } from './cluster.js';
import type { Config } from './config.js';
import { migrateToLatest, openDatabase, type Store } from './db/database.js';
import type { ApiKeyScope } from './db/schema.js';
import { DEMO_LOGIN, type DemoData, ensureDemoData } from './demo.js';
import { rebuildStatistics } from './domain/statistics/rebuild.js';
import { createApiKey, revokeApiKey } from './domain/tenancy/commands.js';
import { parseApiDate } from './time.js';

/** Runs work on a migrated store, then closes it; an unreachable database exits 3 with a message naming DATABASE_URL. */
export async function withStore(
  config: Config,
  work: (store: Store, applied: string[]) => Promise<number>,
): Promise<number> {
  const opened = await openMigrated(config);
  if (!opened) return 3;
  try {
    return await work(opened.store, opened.applied);
  } finally {
    await opened.store.close();
  }
}

/** Opens and migrates the database, turning an unreachable server into a message that names DATABASE_URL. */
async function openMigrated(config: Config): Promise<{ store: Store; applied: string[] } | undefined> {
  const store = openDatabase(config.database);
  try {
    const applied = await migrateToLatest(store.db);
    return { store, applied };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    console.error(
      `Database error: cannot open or migrate the database named by DATABASE_URL (${config.database.dialect}): ${reason}`,
    );
    await store.close().catch(() => undefined);
    return undefined;
  }
}

/** Prints the OpenAPI document of this build, from an app on a throwaway in-memory database. */
export async function printOpenApi(config: Config): Promise<number> {
  const store = openDatabase({ dialect: 'sqlite', location: ':memory:' });
  try {
    await migrateToLatest(store.db);
    const { app } = await buildApp({ ...config, logLevel: 'silent' }, store);
    await app.ready();
    // Wait for the write to drain: the CLI exits right after, which would cut a piped document short.
    await new Promise<void>((resolve, reject) =>
      process.stdout.write(`${JSON.stringify(app.swagger(), null, 2)}\n`, (error) =>
        error ? reject(error) : resolve(),
      ),
    );
    await app.close();
    return 0;
  } finally {
    await store.close();
  }
}

export async function serve(config: Config, demo: boolean, workers: number): Promise<number> {
  if (workers > 1 && !isWorker()) return servePrimary(config, demo, workers);
  const opened = await openMigrated(config);
  if (!opened) return 3;
  const { store } = opened;
  // The workers of a demo node serve the data their primary made; the primary prints the banner.
  const demoData = demo && !isWorker() ? await ensureDemoData(store.db) : undefined;
  const { app, schemas } = await buildApp(config, store);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down: no new connections, finishing requests in flight');
    // Past this delay the process exits anyway rather than hang a deploy.
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    await app.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  if (demoData) console.log(demoBanner(config, demoData));
  // The routes not used yet get their schemas compiled between requests, so that their first callers do not wait.
  if (config.compileSchemasAhead !== false)
    schemas.compileRemaining(8).catch((err: unknown) => app.log.error({ err }, 'a route schema does not compile'));
  return new Promise<number>(() => undefined);
}

/** A node of several workers (CAUSERIE_WORKERS): migrates and makes the demo data once, then runs the workers. */
async function servePrimary(config: Config, demo: boolean, workers: number): Promise<number> {
  const opened = await openMigrated(config);
  if (!opened) return 3;
  const demoData = demo ? await ensureDemoData(opened.store.db) : undefined;
  await opened.store.close();
  const log = (msg: string) => console.log(JSON.stringify({ level: 30, time: Date.now(), pid: process.pid, msg }));
  log(`starting ${workers} workers on port ${config.port}`);
  return runWorkers(workers, log, () => {
    if (demoData) console.log(demoBanner(config, demoData));
  });
}

/** What `demo` prints once the node listens: where everything is and how to try it. */
function demoBanner(config: Config, demoData: DemoData): string {
  const base = config.publicUrl;
  return [
    '',
    'Causerie demo is running.',
    `  API base URL:      ${base}/api/2`,
    `  API reference:     ${base}/docs`,
    `  Demo API key:      ${demoData.key.plaintext}`,
    `  Operator login:    ${DEMO_LOGIN.email} / ${DEMO_LOGIN.password}`,
    `  Agent console:     ${base}/admin/  (log in with the operator login above)`,
    `  Demo page:         ${base}/demo  (the visitor widget on a demo shop)`,
    `  Try:               curl -H 'X-API-Key: ${demoData.key.plaintext}' '${base}/api/2/operator?full=1'`,
    `  Legacy v1 API:     curl '${base}/api/chat_history/getHistory/?key=${demoData.key.plaintext}'`,
    `  Database:          ${config.database.dialect === 'sqlite' ? config.database.location : 'PostgreSQL'}`,
    '',
  ].join('\n');
}

function option(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index === -1 ? undefined : args[index + 1];
}

function readId(value: string | undefined, what: string): number {
  if (value === undefined || !/^\d+$/.test(value)) throw new UsageError(`${what} must be a whole number identifier.`);
  return Number(value);
}

class UsageError extends Error {}

export async function keys(config: Config, args: string[]): Promise<number> {
  const [action, ...rest] = args;
  try {
    return await withStore(config, async (store) => {
      if (action === 'create') {
        const name = option(rest, '--name') ?? 'Created from the command line';
        let owner: { scope: ApiKeyScope; partnerId?: number; clientId?: number };
        if (rest.includes('--platform')) owner = { scope: 'platform' };
        else if (rest.includes('--partner'))
          owner = { scope: 'partner', partnerId: readId(option(rest, '--partner'), '--partner') };
        else if (rest.includes('--client'))
          owner = { scope: 'client', clientId: readId(option(rest, '--client'), '--client') };
        else throw new UsageError('Say whose key it is: --platform, --partner ID or --client ID.');
        if (
          owner.partnerId !== undefined &&
          !(await store.db.selectFrom('partner').select('id').where('id', '=', owner.partnerId).executeTakeFirst())
        ) {
          throw new UsageError(`There is no partner ${owner.partnerId}.`);
        }
        if (
          owner.clientId !== undefined &&
          !(await store.db.selectFrom('client').select('id').where('id', '=', owner.clientId).executeTakeFirst())
        ) {
          throw new UsageError(`There is no client ${owner.clientId}.`);
        }
        const created = await createApiKey(store.db, owner, name);
        console.log(`Key ${created.id} (${owner.scope}), shown only now:\n${created.plaintext}`);
        return 0;
      }
      if (action === 'list') {
        const rows = await store.db
          .selectFrom('api_key')
          .select(['id', 'scope', 'partner_id', 'client_id', 'name', 'created_at', 'revoked_at'])
          .orderBy('id')
          .execute();
        for (const row of rows) {
          const owner =
            row.scope === 'partner'
              ? ` partner ${row.partner_id}`
              : row.scope === 'client'
                ? ` client ${row.client_id}`
                : '';
          console.log(
            `${row.id}\t${row.scope}${owner}\t${row.revoked_at ? 'revoked' : 'active'}\t${row.created_at}\t${row.name}`,
          );
        }
        return 0;
      }
      if (action === 'revoke') {
        const id = readId(rest[0], 'The key id');
        const row = await store.db
          .selectFrom('api_key')
          .select(['id', 'partner_id', 'client_id'])
          .where('id', '=', id)
          .executeTakeFirst();
        if (!row) throw new UsageError(`There is no key ${id}.`);
        await revokeApiKey(store.db, id, { partnerId: row.partner_id, clientId: row.client_id });
        console.log(`Key ${id} is revoked.`);
        return 0;
      }
      throw new UsageError(`Unknown keys action '${action ?? ''}'. Use create, list or revoke.`);
    });
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
}

export async function stats(config: Config, args: string[]): Promise<number> {
  const [action, ...rest] = args;
  try {
    if (action !== 'rebuild') throw new UsageError(`Unknown stats action '${action ?? ''}'. Use rebuild.`);
    const day = (name: '--from' | '--to') => {
      const text = option(rest, name);
      if (text === undefined) return undefined;
      const parsed = parseApiDate(text);
      if (parsed === null || text.trim().length !== 10) throw new UsageError(`${name} must be a date: YYYY-MM-DD.`);
      return name === '--from' ? parsed.start.toISOString() : parsed.endExclusive.toISOString();
    };
    const from = day('--from');
    const to = day('--to');
    const clientText = option(rest, '--client');
    const clientId = clientText === undefined ? undefined : readId(clientText, '--client');
    return await withStore(config, async (store) => {
      let lastPrint = 0;
      const report = await rebuildStatistics(store.db, {
        ...(from !== undefined && { from }),
        ...(to !== undefined && { to }),
        ...(clientId !== undefined && { clientId }),
        progress: (done, dayDone) => {
          if (Date.now() - lastPrint < 1000 && done < 1) return;
          lastPrint = Date.now();
          console.error(`${dayDone} done (${Math.round(done * 100)} %)`);
        },
      });
      console.log(`Rebuilt ${report.days} days: ${report.rows} rollup rows in ${(report.ms / 1000).toFixed(1)} s.`);
      return 0;
    });
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(error.message);
      return 1;
    }
    throw error;
  }
}
