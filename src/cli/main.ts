/**
 * The `orquestra` command: `serve` (the default) starts the gateway; `investigate` runs an
 * investigation and shows it live.
 */

import { ConfigError, loadConfig } from '../config.ts';

const USAGE = `usage: orquestra <command> [options]

commands:
  serve         start the gateway (default); configured by ORQUESTRA_* environment variables
  investigate   run an investigation and show it live (orquestra investigate --help)
  help          show this text
`;

export async function main(argv: readonly string[]): Promise<number> {
  const [command = 'serve', ...rest] = argv;
  try {
    switch (command) {
      case 'serve':
        return await serve();
      case 'investigate': {
        const { investigate } = await import('./investigate.ts');
        return await investigate(rest);
      }
      case 'help':
      case '--help':
      case '-h':
        process.stdout.write(USAGE);
        return 0;
      default:
        process.stderr.write(`orquestra: unknown command "${command}"\n\n${USAGE}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`orquestra: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

async function serve(): Promise<number> {
  const config = loadConfig();
  const { startOrquestra } = await import('../bootstrap.ts');
  let orquestra: Awaited<ReturnType<typeof startOrquestra>>;
  try {
    orquestra = await startOrquestra(config);
  } catch (error) {
    process.stderr.write(
      `orquestra: cannot start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    return 1;
  }
  const { gateway, engine } = orquestra;
  const workflows = await engine.listWorkflows();
  process.stdout.write(
    [
      `orquestra listening on ${gateway.url}`,
      `  GraphiQL:   open ${gateway.url} in a browser`,
      `  WebSocket:  ${gateway.wsUrl} (graphql-ws)`,
      `  store:      ${orquestra.store.dialect} (${config.databaseUrl}), instance "${config.instanceId}"`,
      `  bus:        ${config.redisUrl ? `redis (${config.redisUrl})` : 'in-process'}`,
      `  agents:     ${engine
        .listAgents()
        .map((a) => a.name)
        .join(', ')}`,
      `  workflows:  ${workflows.map((w) => w.id).join(', ')}`,
      `  auth:       ${config.apiKeys ? `${config.apiKeys.size} API key(s)` : 'open (no API keys; loopback only)'}`,
      '',
    ].join('\n'),
  );
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        process.stderr.write(`orquestra: ${signal} again, exiting now\n`);
        process.exit(1);
      }
      stopping = true;
      process.stdout.write(
        `orquestra: ${signal} received; letting runs finish (up to ${config.shutdownGraceMs} ms)\n`,
      );
      orquestra.close().then(
        () => resolve(0),
        (error: unknown) => {
          process.stderr.write(`orquestra: shutdown failed: ${String(error)}\n`);
          resolve(1);
        },
      );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}
