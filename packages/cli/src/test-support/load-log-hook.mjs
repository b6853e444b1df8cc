// A Node module hook (registered with `--import`) that appends the URL of every module loaded
// to the file named by NEUROSTATUS_LOAD_LOG: how the tests see what `--help` really loads.
import { appendFileSync } from 'node:fs';
import { register } from 'node:module';

if (process.env.NEUROSTATUS_LOAD_LOG_HOOK === undefined) {
  process.env.NEUROSTATUS_LOAD_LOG_HOOK = '1';
  register(import.meta.url, { data: process.env.NEUROSTATUS_LOAD_LOG });
}

let logFile;
export function initialize(data) {
  logFile = data;
}
export async function load(url, context, nextLoad) {
  if (logFile !== undefined) appendFileSync(logFile, `${url}\n`);
  return nextLoad(url, context);
}
