// Entry point for workerd: POST the `SmokeInput` as JSON, get the `SmokeResult` back as JSON.
import { runSmoke, type SmokeInput } from './run-smoke.ts';

// Workers require the handler as the default export.
export default {
  async fetch(request: Request): Promise<Response> {
    const input = (await request.json()) as SmokeInput;
    return Response.json(await runSmoke(input));
  },
};
