// What every benchmark script of the proxy does around its measurements: clean up once (at the
// end, or on a signal), run, then print and write the report and say what broke.
import { writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { stopAllChildren } from './processes.mjs';

/**
 * Steps to run once when the benchmark ends, last pushed first, then every child process stopped
 * by pid. SIGINT, SIGTERM and SIGHUP run them too, then exit 130. `run()` is safe to call twice.
 */
export function createCleanups() {
  const steps = [];
  let running;
  const run = () => {
    running ??= (async () => {
      for (const step of steps.reverse()) {
        try {
          await step();
        } catch (error) {
          console.error(`cleanup: ${error?.message ?? error}`);
        }
      }
      await stopAllChildren();
    })();
    return running;
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping every child process...`);
      run().finally(() => process.exit(130));
    });
  }
  return { push: (step) => steps.push(step), run };
}

/**
 * Runs `main`, then the cleanups, whatever happened; prints `render(report)` and writes it to
 * `out` (unless empty); prints each of `report.broken` as a BROKEN line and sets exit code 1.
 * A `main` that throws is reported as broken, not as a crash.
 */
export async function runBench({ report, main, cleanups, render, out, log }) {
  try {
    await main();
  } catch (error) {
    report.broken.push(`bench aborted: ${error.stack ?? error}`);
  } finally {
    await cleanups.run();
  }
  const markdown = render(report);
  process.stdout.write(`${markdown}\n`);
  if (out !== '') {
    writeFileSync(out, `${markdown}\n`);
    log(`written to ${relative(process.cwd(), out) || out}`);
  }
  if (report.broken.length > 0) {
    for (const problem of report.broken) console.error(`BROKEN: ${problem}`);
    process.exitCode = 1;
  }
}
