#!/usr/bin/env node
/// <reference types="node" />
import process from 'node:process';
import { parseArgs } from 'node:util';
import { DEMO_API_KEY } from './default-accounts.ts';
import { DOCUMENTED_EXAMPLE } from './documented-example.ts';
import { startSimulator } from './node.ts';
import { DEMO_REQUEST_ID } from './seed-demo-data.ts';

const USAGE = `Usage: neurostatus-simulator [options]

A fake Neurolinker status API on your machine: no key, no internet.

Options:
  --port N          TCP port (default 0: a free port)
  --host H          interface to bind (default 127.0.0.1)
  --demo            seed the documented example and a demo request
  --time-scale X    run simulated time X times faster (default 1)
  --help            show this help
`;

/** Bad usage exits 2, like most Unix tools, so scripts can tell it from a crash (1). */
const EXIT_USAGE = 2;

async function main(argv: readonly string[]): Promise<void> {
  let values: ReturnType<typeof parse>;
  try {
    values = parse(argv);
  } catch (error) {
    process.stderr.write(`neurostatus-simulator: ${(error as Error).message}\n`);
    process.exitCode = EXIT_USAGE;
    return;
  }
  if (values.help === true) {
    process.stdout.write(USAGE);
    return;
  }
  const running = await startSimulator({
    port: values.port,
    host: values.host,
    demo: values.demo,
    timeScale: values.timeScale,
  });
  const auth = `-H 'Authorization: Bearer ${DEMO_API_KEY}'`;
  const lines = [
    `Neurolinker simulator listening on ${running.url}`,
    `API base URL: ${running.apiBaseUrl}`,
    `Demo API key: ${DEMO_API_KEY}`,
    '',
    'Try:',
  ];
  if (values.demo) {
    lines.push(
      `  curl ${auth} ${running.apiBaseUrl}/document-status/${DOCUMENTED_EXAMPLE.document_id}`,
      `  curl ${auth} ${running.apiBaseUrl}/request-status/${DEMO_REQUEST_ID}`,
    );
  } else {
    lines.push(
      `  curl -X POST ${running.url}/_sim/requests -d '{"apiKey":"${DEMO_API_KEY}","documents":[{"totalPages":2}]}'`,
      `  curl ${auth} ${running.apiBaseUrl}/request-status/<request_id>`,
    );
  }
  lines.push(`  curl ${running.url}/_sim/stats`, '', 'Press Ctrl+C to stop.');
  process.stdout.write(`${lines.join('\n')}\n`);

  const stop = (): void => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`neurostatus-simulator: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function parse(argv: readonly string[]): {
  port: number;
  host: string;
  demo: boolean;
  timeScale: number;
  help: boolean;
} {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      demo: { type: 'boolean', default: false },
      'time-scale': { type: 'string', default: '1' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65535) {
    throw new TypeError(`--port must be an integer from 0 to 65535, got "${values.port}"`);
  }
  const timeScale = Number(values['time-scale']);
  if (values['time-scale'].trim() === '' || !Number.isFinite(timeScale) || timeScale <= 0) {
    throw new TypeError(`--time-scale must be a number > 0, got "${values['time-scale']}"`);
  }
  return { port, host: values.host, demo: values.demo, timeScale, help: values.help };
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`neurostatus-simulator: ${(error as Error)?.message ?? String(error)}\n`);
  process.exitCode = 1;
});
