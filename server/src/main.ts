#!/usr/bin/env node
// Command line: start | demo | migrate | keys | stats — the only entry point of a Causerie node. Only the usage and the
// configuration are read before the commands' modules load (cli.ts), so a wrong setting is refused in milliseconds.
import { workerCount } from './cluster.js';
import { type Config, ConfigError, loadConfig } from './config.js';

const USAGE = `Usage: causerie <command>

Commands:
  start                      Run a node (migrates the database first).
  demo                       Run a node with demo data and print how to use it.
  migrate                    Apply pending database migrations and exit.
  openapi                    Print the OpenAPI document (the SDK is generated from it).
  keys create --platform     Mint a platform-admin API key.
  keys create --partner ID   Mint a key for partner ID.
  keys create --client ID    Mint a key for client ID.
  keys list                  List keys (never their secrets).
  keys revoke ID             Revoke key ID.
  stats rebuild [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--client ID]
                             Compute the statistics rollups again from the recorded conversations, sales and
                             presence (UTC days, --to included; default: everything recorded).

Configuration comes from the environment: PORT, HOST, DATABASE_URL, REDIS_URL, PUBLIC_URL,
CAUSERIE_ADMIN_KEY, CAUSERIE_WORKERS, LOG_LEVEL (see README.md).`;

const COMMANDS = ['start', 'demo', 'migrate', 'keys', 'openapi', 'stats'] as const;
type Command = (typeof COMMANDS)[number];
const isCommand = (name: string): name is Command => (COMMANDS as readonly string[]).includes(name);

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return command === undefined ? 1 : 0;
  }
  if (!isCommand(command)) {
    console.error(`Unknown command '${command}'.\n\n${USAGE}`);
    return 1;
  }
  let config: Config;
  let workers: number;
  try {
    config = loadConfig();
    workers = workerCount(process.env, config.redisUrl);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Configuration error: ${error.message}`);
      return 2;
    }
    throw error;
  }
  const cli = await import('./cli.js');
  switch (command) {
    case 'start':
      return cli.serve(config, false, workers);
    case 'demo':
      return cli.serve(config, true, workers);
    case 'migrate':
      return cli.withStore(config, async (_store, applied) => {
        console.log(applied.length === 0 ? 'The database is up to date.' : `Applied: ${applied.join(', ')}`);
        return 0;
      });
    case 'keys':
      return cli.keys(config, rest);
    case 'openapi':
      return cli.printOpenApi(config);
    case 'stats':
      return cli.stats(config, rest);
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
