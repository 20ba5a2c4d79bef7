/**
 * `orquestra investigate`: runs an investigation workflow and shows it live.
 *
 * It talks to a gateway through the typed client (the one at `--url`, or an embedded one it starts on
 * a free port), starts the run, follows `runEvents` over WebSocket (resuming by seq if the connection
 * drops), and prints one line per step: on a terminal with a progress line that keeps time, and as
 * plain lines when piped. At the end it prints the summary and writes the report to a file.
 */

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { print } from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { isAgentError } from '../agents/agent.ts';
import { readContractsFile } from '../agents/procurement/contracts-file.ts';
import { createHttpClient } from '../client/http-client.ts';
import { loadConfig } from '../config.ts';
import { FollowRun, InvestigationResult, StartInvestigation } from './operations.ts';
import { RunDisplay, type RunEventLine } from './run-display.ts';

const HELP = `usage: orquestra investigate [--dataset ifms | --file contracts.csv|contracts.json] [options]

  --dataset <name>    a built-in dataset (default: ifms)
  --file <path>       contracts as JSON (array or {contracts}) or CSV with the columns
                      id,agency_code,agency_name,supplier_id,supplier_name,value,reference_value,
                      date,description,modality,legal_basis
  --workflow <id>     the workflow to run (default: default_investigation)
  --url <url>         a running gateway, e.g. http://127.0.0.1:4000/graphql
                      (default: start an embedded gateway for this run)
  --api-key <key>     the gateway's API key (default: $ORQUESTRA_API_KEY)
  --output <path>     where to write the report (default: ./reports/<run id>.md)
  --json              print the run output as JSON instead of the summary
`;

export async function investigate(argv: readonly string[]): Promise<number> {
  let values: ReturnType<typeof parse>;
  try {
    values = parse(argv);
  } catch (error) {
    process.stderr.write(
      `orquestra investigate: ${error instanceof Error ? error.message : String(error)}\n\n${HELP}`,
    );
    return 2;
  }
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.dataset && values.file) {
    process.stderr.write('orquestra investigate: give either --dataset or --file, not both\n');
    return 2;
  }

  let input: Record<string, unknown>;
  if (values.file) {
    try {
      input = { contracts: await readContractsFile(resolve(values.file)) };
    } catch (error) {
      process.stderr.write(
        `orquestra investigate: ${values.file} cannot be used:\n${describeInputError(error)}\n`,
      );
      return 1;
    }
  } else {
    input = { dataset: values.dataset ?? 'ifms' };
  }

  const workflowId = values.workflow ?? 'default_investigation';
  const apiKey = values['api-key'] ?? process.env.ORQUESTRA_API_KEY;
  const embedded = values.url ? null : await startEmbedded();
  const url = values.url ?? (embedded?.url as string);
  try {
    return await follow({
      url,
      apiKey,
      workflowId,
      input,
      output: values.output,
      json: values.json ?? false,
    });
  } finally {
    await embedded?.close();
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      dataset: { type: 'string' },
      file: { type: 'string' },
      workflow: { type: 'string' },
      url: { type: 'string' },
      'api-key': { type: 'string' },
      output: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }).values;
}

/** An embedded gateway on a free loopback port; runs are kept in memory unless ORQUESTRA_DATABASE_URL says otherwise. */
async function startEmbedded(): Promise<{ url: string; close(): Promise<void> }> {
  const { startOrquestra } = await import('../bootstrap.ts');
  const config = loadConfig({
    ...process.env,
    ORQUESTRA_DATABASE_URL: process.env.ORQUESTRA_DATABASE_URL ?? 'memory:',
  });
  const quiet = { info() {}, warn() {}, error: (...args: unknown[]) => console.error(...args) };
  const orquestra = await startOrquestra(
    { ...config, host: '127.0.0.1', port: 0, apiKeys: null },
    { logger: quiet },
  );
  return { url: orquestra.gateway.url, close: () => orquestra.close({ graceMs: 0 }) };
}

async function follow(options: {
  url: string;
  apiKey: string | undefined;
  workflowId: string;
  input: Record<string, unknown>;
  output: string | undefined;
  json: boolean;
}): Promise<number> {
  const http = createHttpClient(options.url, options.apiKey ? { apiKey: options.apiKey } : {});
  const started = await http.request(StartInvestigation, {
    workflowId: options.workflowId,
    input: options.input,
  });
  const result = started.executeWorkflow;
  if (result.__typename !== 'ExecuteWorkflowSuccess') {
    const issues =
      result.__typename === 'ValidationError'
        ? result.issues.map((i) => `\n  ${i.path}: ${i.message}`).join('')
        : '';
    process.stderr.write(`orquestra investigate: ${result.message}${issues}\n`);
    return 1;
  }
  const { runId } = result.run;
  const display = new RunDisplay(process.stdout, {
    runId,
    workflow: `${result.run.workflowId} v${result.run.workflowVersion} (${result.run.pattern.toLowerCase()})`,
  });
  display.start();

  const ws = createClient({
    url: options.url.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
    retryAttempts: 5,
    shouldRetry: () => true,
  });
  try {
    await new Promise<void>((resolvePromise, reject) => {
      // Events carry seq; after a reconnect the replay starts over and the display drops what it showed.
      ws.subscribe(
        { query: print(FollowRun), variables: { runId, afterSeq: 0 } },
        {
          next: (message) => {
            const event = message.data?.runEvents as RunEventLine | undefined;
            if (event) display.event(event);
          },
          error: (error) => reject(error instanceof Error ? error : new Error(JSON.stringify(error))),
          complete: () => resolvePromise(),
        },
      );
    });
  } finally {
    display.stop();
    await ws.dispose();
  }

  const { run } = await http.request(InvestigationResult, { id: runId });
  if (!run) {
    process.stderr.write(`orquestra investigate: run ${runId} disappeared\n`);
    return 1;
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify(run.output, null, 2)}\n`);
    return run.status === 'COMPLETED' ? 0 : 1;
  }
  const reportPath = await writeReport(run.output, options.output ?? `reports/${runId}.md`);
  display.summary({
    status: run.status,
    durationMs: run.durationMs ?? null,
    error: run.error ? `${run.error.kind}: ${run.error.message}` : null,
    output: run.output,
    reportPath,
  });
  return run.status === 'COMPLETED' ? 0 : 1;
}

/** Writes the Markdown report of the run output (or the output as JSON when it has none); returns where. */
async function writeReport(output: unknown, path: string): Promise<string | null> {
  if (output === null || output === undefined) return null;
  const markdown = findMarkdown(output);
  const target = resolve(markdown === null && path.endsWith('.md') ? path.replace(/\.md$/, '.json') : path);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, markdown ?? `${JSON.stringify(output, null, 2)}\n`);
  return target;
}

function findMarkdown(output: unknown): string | null {
  if (output === null || typeof output !== 'object') return null;
  const report = (output as { report?: unknown }).report;
  if (
    report &&
    typeof report === 'object' &&
    typeof (report as { markdown?: unknown }).markdown === 'string'
  ) {
    return (report as { markdown: string }).markdown;
  }
  return null;
}

function describeInputError(error: unknown): string {
  if (isAgentError(error) && Array.isArray(error.details)) {
    return error.details
      .map((d) =>
        d && typeof d === 'object' && 'path' in d && 'message' in d
          ? `  ${String(d.path)}: ${String(d.message)}`
          : `  ${JSON.stringify(d)}`,
      )
      .join('\n');
  }
  return `  ${error instanceof Error ? error.message : String(error)}`;
}
