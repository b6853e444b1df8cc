// Entry point for Node, Bun and Deno: the `SmokeInput` comes as JSON in the first argument, the
// `SmokeResult` leaves as one line of JSON on stdout. Reading argv is the only runtime-specific part.
import { runSmoke, type SmokeInput } from './run-smoke.ts';

// Deno has `process` only through `node:process`; its own `Deno.args` needs no permission.
const { Deno } = globalThis as { Deno?: { args: string[] } };
const [json] = Deno ? Deno.args : process.argv.slice(2);
if (json === undefined) throw new TypeError('usage: cli.mjs <SmokeInput as JSON>');
console.log(JSON.stringify(await runSmoke(JSON.parse(json) as SmokeInput)));
