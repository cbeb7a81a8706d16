// `npm run bench -- NAME [--quick] [--postgres]`: runs one benchmark; its last output line is one JSON object with the figures.
import { realtimeConnections } from './realtime-connections.js';
import { realtimeThroughput } from './realtime-throughput.js';
import { webhookDelivery } from './webhook-delivery.js';
import { whatsappInbound } from './whatsapp-inbound.js';

export interface BenchOptions {
  /** Under 60 s in total: fewer messages, sockets and rounds. */
  quick: boolean;
  /**
   * On the PostgreSQL server TEST_DATABASE_URL names instead of an SQLite file (benchmarks that offer it: rest,
   * statistics, flows, search).
   */
  postgres: boolean;
}

type Benchmark = (options: BenchOptions) => Promise<Record<string, unknown>>;

// The nodes measured are production nodes: they compile every route's schemas once they listen (test-support's
// startNode would turn that off for the tests), and the benchmarks wait for it (processes.ts untilWarm).
process.env.CAUSERIE_COMPILE_SCHEMAS_AHEAD ??= 'true';

const BENCHMARKS: Record<string, Benchmark> = {
  'realtime-throughput': realtimeThroughput,
  'realtime-connections': realtimeConnections,
  'webhook-delivery': webhookDelivery,
  'whatsapp-inbound': whatsappInbound,
  // Loaded only when run: autocannon, which it drives, must not weigh on the other benchmarks' load generators.
  rest: async (options) => (await import('./rest.js')).rest(options),
  statistics: async (options) => (await import('./statistics.js')).statistics(options),
  flows: async (options) => (await import('./flows.js')).flows(options),
  broadcast: async (options) => (await import('./broadcast.js')).broadcast(options),
  apps: async (options) => (await import('./apps.js')).apps(options),
  search: async (options) => (await import('./search.js')).search(options),
  // Loaded only when run: it drives Chromium through playwright-core.
  'console-load': async (options) => (await import('./console-load.js')).consoleLoad(options),
};

async function main(argv: string[]): Promise<number> {
  const name = argv.find((arg) => !arg.startsWith('--'));
  const benchmark = name === undefined ? undefined : BENCHMARKS[name];
  if (!benchmark) {
    console.error(
      `Usage: npm run bench -- NAME [--quick] [--postgres]\nBenchmarks: ${Object.keys(BENCHMARKS).join(', ')}`,
    );
    return 2;
  }
  const started = Date.now();
  const figures = await benchmark({ quick: argv.includes('--quick'), postgres: argv.includes('--postgres') });
  console.log(
    JSON.stringify({
      benchmark: name,
      quick: argv.includes('--quick'),
      seconds: Math.round((Date.now() - started) / 100) / 10,
      ...figures,
    }),
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
