// Entry point for a browser page: the `SmokeInput` comes as JSON in the page's `?input=` query,
// the `SmokeResult` goes to the console. Only what a browser has: `location`, `console`, `fetch`.
import { runSmoke, type SmokeInput } from './run-smoke.ts';

const json = new URL(globalThis.location.href).searchParams.get('input');
if (json === null) throw new TypeError('open the page with ?input=<SmokeInput as JSON>');
console.log(JSON.stringify(await runSmoke(JSON.parse(json) as SmokeInput)));
